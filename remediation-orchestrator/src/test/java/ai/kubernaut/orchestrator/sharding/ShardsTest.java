package ai.kubernaut.orchestrator.sharding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.orchestrator.model.RemediationRequest;
import ai.kubernaut.orchestrator.target.Target;
import ai.kubernaut.orchestrator.testing.Fixtures;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
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
    void anRrIsFiledByItsLabelElseByItsTarget() {
        RemediationRequest rr = Fixtures.request("rr-a", Fixtures.fingerprint("a"), "restart", "critical", "shop",
                "Deployment", "checkout");
        assertEquals("45", Shards.ofSpec(rr));
        assertEquals("45", Shards.ofRequest(rr));
        rr.getMetadata().setLabels(Map.of(Shards.LABEL, "07"));
        assertEquals("07", Shards.ofRequest(rr), "the label decides where the RR is watched");
        rr.getMetadata().setLabels(Map.of(Shards.LABEL, "not-a-shard"));
        assertEquals("45", Shards.ofRequest(rr));
        // no valid target: spread by its own name, never dropped
        rr.getSpec().setTargetResource(null);
        assertEquals(Target.hash16("rr/rr-a").substring(0, 2), Shards.ofSpec(rr));
    }
}
