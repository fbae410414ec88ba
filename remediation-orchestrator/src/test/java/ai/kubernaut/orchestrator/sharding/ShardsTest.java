package ai.kubernaut.orchestrator.sharding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.orchestrator.model.RemediationRequest;
import ai.kubernaut.orchestrator.model.WorkflowExecution;
import ai.kubernaut.orchestrator.target.Target;
import ai.kubernaut.orchestrator.testing.Fixtures;
import ai.kubernaut.orchestrator.workflow.WorkflowExecutions;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import org.junit.jupiter.api.Test;

class ShardsTest {

    static final List<String> THREE = List.of("ro-0", "ro-1", "ro-2");

    /** The Gateway labels RRs with the same function (its DedupRulesTest pins the same vectors). */
    @Test
    void theShardIsTheFirstByteOfTheTargetHash() {
        assertEquals("45", new Target("shop", "Deployment", "checkout").shard());
        assertEquals("94", new Target(null, "Node", "worker-1").shard());
        assertEquals("44", new Target("payments", "StatefulSet", "ledger-db").shard());
        assertEquals(new Target("shop", "Deployment", "checkout").hash().substring(0, 2),
                new Target("shop", "Deployment", "checkout").shard());
    }

    @Test
    void membersSplitAllShardsWithoutOverlapAndNearlyEvenly() {
        Set<String> seen = new HashSet<>();
        for (String member : THREE) {
            SortedSet<String> owned = Shards.ownedBy(member, THREE);
            assertTrue(owned.size() > Shards.COUNT / 3 * 0.8 && owned.size() < Shards.COUNT / 3 * 1.2,
                    member + " owns " + owned.size());
            for (String shard : owned) {
                assertTrue(seen.add(shard), shard + " owned twice");
            }
        }
        assertEquals(Shards.COUNT, seen.size());
        assertEquals(Set.of(), Shards.ownedBy("not-a-member", THREE));
        assertEquals(Shards.COUNT, Shards.ownedBy("ro-0", List.of("ro-0")).size());
    }

    @Test
    void anRrBelongsToTheShardItsSpecGivesWhateverItsLabelSays() {
        RemediationRequest rr = Fixtures.request("rr-a", Fixtures.fingerprint("a"), "restart", "critical", "shop",
                "Deployment", "checkout");
        assertEquals("45", Shards.ofSpec(rr));
        assertEquals(Map.of(Shards.LABEL, "45"), Shards.labelsOfSpec(rr));
        assertTrue(Shards.isMisfiled(rr), "no label yet");
        assertEquals(Optional.of("45"), Shards.correctedBy(rr), "unlabelled: the spec's owner writes the label");

        rr.getMetadata().setLabels(Map.of(Shards.LABEL, "45"));
        assertFalse(Shards.isMisfiled(rr));

        // a valid shard, but not this RR's (copied YAML): only the owner of "07" sees it, so that one corrects it
        rr.getMetadata().setLabels(Map.of(Shards.LABEL, "07"));
        assertTrue(Shards.isMisfiled(rr));
        assertEquals(Optional.of("07"), Shards.correctedBy(rr));
        assertEquals("45", Shards.ofSpec(rr), "the label only decides who watches it, not who owns it");

        rr.getMetadata().setLabels(Map.of(Shards.LABEL, "not-a-shard"));
        assertTrue(Shards.isMisfiled(rr));
        assertEquals(Optional.of("45"), Shards.correctedBy(rr));
        // no valid target: spread by its own name, never dropped
        rr.getSpec().setTargetResource(null);
        assertEquals(Target.hash16("rr/rr-a").substring(0, 2), Shards.ofSpec(rr));
    }

    @Test
    void aWorkflowExecutionBelongsToTheShardAndTargetHashItsSpecGives() {
        Target checkout = new Target("shop", "Deployment", "checkout");
        Target other = new Target("shop", "Deployment", "other");
        WorkflowExecution wfe = Fixtures.execution("wfe-x", checkout, checkout.key(), "restart", "rr-a", "uid-a",
                null, null);
        assertEquals(Optional.of("45"), Shards.ofExecution(wfe));
        assertEquals(Map.of(Shards.LABEL, "45", WorkflowExecutions.LABEL_TARGET_HASH, checkout.hash()),
                Shards.labelsOfSpec(wfe));
        assertTrue(Shards.isMisfiled(wfe), "no shard label yet (created before shards)");

        // a copy of another target's WFE, labels and all, with its spec edited: both labels are the other's
        WorkflowExecution copied = Fixtures.execution("wfe-y", other, checkout.key(), "restart", "rr-b", "uid-b",
                null, null);
        copied.getMetadata().setLabels(Map.of(WorkflowExecutions.LABEL_TARGET_HASH, other.hash(), Shards.LABEL,
                other.shard()));
        assertEquals(Optional.of(checkout.shard()), Shards.ofExecution(copied));
        assertTrue(Shards.isMisfiled(copied));
        assertEquals(Optional.of(other.shard()), Shards.correctedBy(copied));

        WorkflowExecution filed = Fixtures.execution("wfe-z", checkout, checkout.key(), "restart", "rr-a", "uid-a",
                null, null);
        filed.getMetadata().setLabels(Map.of(WorkflowExecutions.LABEL_TARGET_HASH, checkout.hash(), Shards.LABEL,
                checkout.shard()));
        assertFalse(Shards.isMisfiled(filed));

        // not the orchestrator's (no target-hash label): left alone
        WorkflowExecution foreign = Fixtures.execution("other-wfe", checkout, checkout.key(), "x", "rr-a", "uid-a",
                null, null);
        foreign.getMetadata().setLabels(Map.of());
        assertEquals(Optional.empty(), Shards.ofExecution(foreign));
        assertEquals(Map.of(), Shards.labelsOfSpec(foreign));
        assertFalse(Shards.isMisfiled(foreign));
    }
}
