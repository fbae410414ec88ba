package ai.kubernaut.orchestrator.it;

import static ai.kubernaut.orchestrator.model.RemediationRequestStatus.OverallPhase.BLOCKED;
import static ai.kubernaut.orchestrator.model.RemediationRequestStatus.OverallPhase.COMPLETED;
import static ai.kubernaut.orchestrator.model.RemediationRequestStatus.OverallPhase.EXECUTING;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.orchestrator.cluster.TestApiServerResource;
import ai.kubernaut.orchestrator.cluster.TestCatalog;
import ai.kubernaut.orchestrator.model.RemediationRequest;
import ai.kubernaut.orchestrator.model.WorkflowExecution;
import ai.kubernaut.orchestrator.model.WorkflowExecutionStatus;
import ai.kubernaut.orchestrator.reconcile.CreationHook;
import ai.kubernaut.orchestrator.sharding.ShardRing;
import ai.kubernaut.orchestrator.sharding.Shards;
import ai.kubernaut.orchestrator.target.Target;
import ai.kubernaut.orchestrator.testing.ClusterOps;
import ai.kubernaut.orchestrator.testing.Fixtures;
import ai.kubernaut.testserver.RequestRecord;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 10: three replicas divide the targets (member Leases, rendezvous hashing) instead of racing for each:
 * no lock contention, routing decided from the informers (no WFE LIST after start-up), two Lease calls per WFE;
 * and a replica that leaves hands its targets to the others.
 */
@QuarkusTest
@QuarkusTestResource(value = TestApiServerResource.class, restrictToAnnotatedClass = false)
class ReplicasDivideTargetsTest extends ReplicasTestBase {

    static final String NS = "ro-shards";
    static final List<String> PODS = List.of("ro-shard-0", "ro-shard-1", "ro-shard-2");

    static boolean isWfeList(RequestRecord r) {
        return r.byService() && NS.equals(r.namespace()) && r.resource().equals("workflowexecutions")
                && r.verb().equals("list");
    }

    static boolean isTargetLeaseCall(RequestRecord r) {
        // target locks: every Lease call but the member Leases' (a create's record may carry no name)
        return r.byService() && NS.equals(r.namespace()) && r.isLease() && !r.name().startsWith("ro-member-");
    }

    @Test
    void threeReplicasDivideTheTargetsAndALeavingOneHandsItsTargetsOver() {
        ClusterOps cluster = inNamespace(NS);
        PODS.forEach(pod -> replicas.start(settings(NS, pod), CreationHook.NONE));
        await().atMost(WAIT).until(() -> replicas.allReady() && replicas.controllers().stream()
                .allMatch(c -> String.valueOf(c.healthData().get("members")).split(",").length == 3));

        // three targets owned by each replica (ro-shard-0's move when it leaves)
        List<Target> targets = new ArrayList<>();
        for (String pod : PODS) {
            for (int i = 0; i < 3; i++) {
                targets.add(Fixtures.targetOwnedBy(pod, PODS, "shop", "sharded-" + pod.substring(pod.length() - 1)
                        + "-" + i + "-" + targets.size()));
            }
        }
        assertEquals(3, targets.stream().map(t -> ShardRing.owner(t.shard(), PODS).orElseThrow()).distinct().count());
        assertEquals(9, targets.stream().distinct().count());
        long mark = TestApiServerResource.server().mark();
        double contentionBefore = counter("orchestrator.lock.contention");
        for (Target target : targets) {
            for (int r = 0; r < 2; r++) {
                String name = "rr-" + target.name() + "-" + r;
                cluster.create(Fixtures.request(name, Fixtures.fingerprint(name), TestCatalog.RESTART, "critical",
                        target.namespace(), target.kind(), target.name()));
            }
        }
        for (Target target : targets) {
            await().atMost(WAIT).until(() -> cluster.phase("rr-" + target.name() + "-0") == EXECUTING
                    && cluster.phase("rr-" + target.name() + "-1") == BLOCKED
                    || cluster.phase("rr-" + target.name() + "-1") == EXECUTING
                    && cluster.phase("rr-" + target.name() + "-0") == BLOCKED);
        }

        List<RequestRecord> served = TestApiServerResource.server().requestsSince(mark, r -> true);
        assertEquals(0, served.stream().filter(ReplicasDivideTargetsTest::isWfeList).count(),
                "routing decided from the informers, no WFE LIST");
        assertEquals(9, cluster.executions().size());
        long leaseCalls = served.stream().filter(ReplicasDivideTargetsTest::isTargetLeaseCall).count();
        assertEquals(2 * 9, leaseCalls, "one CREATE and one DELETE per WFE, nothing for the blocked RRs");
        assertEquals(contentionBefore, counter("orchestrator.lock.contention"), "each target has one owner");

        // the RRs came without a shard label: each was labelled once, by its shard's owner, and each replica's
        // caches hold only its own shards' RRs (the watches are filtered, not just the work)
        assertEquals(18, served.stream().filter(r -> r.byService() && NS.equals(r.namespace())
                && r.resource().equals("remediationrequests") && r.subresource().isEmpty()
                && r.verb().equals("patch")).count(), "one label patch per RR");
        for (RemediationRequest rr : cluster.requests()) {
            Target target = new Target("shop", "Deployment", rr.getSpec().getTargetResource().getName());
            assertEquals(target.shard(), rr.getMetadata().getLabels().get(Shards.LABEL), rr.getMetadata().getName());
        }
        for (var controller : replicas.controllers()) {
            assertEquals(6, ((Number) controller.healthData().get("cachedRemediationRequests")).intValue(),
                    "three targets x two RRs in each replica's cache: " + controller.healthData());
        }

        // ro-shard-0 leaves (deletes its member Lease): the others take its targets, the second RRs run there
        long leaving = TestApiServerResource.server().mark();
        replicas.stop(0);
        for (WorkflowExecution wfe : cluster.executions()) {
            cluster.setPhase(wfe.getMetadata().getName(), WorkflowExecutionStatus.Phase.COMPLETED);
        }
        await().atMost(WAIT).until(() -> cluster.executions().size() == 18);
        for (WorkflowExecution wfe : cluster.executions()) {
            cluster.setPhase(wfe.getMetadata().getName(), WorkflowExecutionStatus.Phase.COMPLETED);
        }
        await().atMost(WAIT).until(() -> cluster.requests().stream().allMatch(rr -> cluster.phase(
                rr.getMetadata().getName()) == COMPLETED));
        for (Target target : targets) {
            assertEquals(2, cluster.executionsOn(target).size());
        }

        // each of the two listed only the shards it gained from ro-shard-0 (its RRs and its WFEs, once), nothing
        // of the shards it had
        List<String> remaining = PODS.subList(1, 3);
        java.util.Set<java.util.SortedSet<String>> gained = new java.util.HashSet<>();
        for (String pod : remaining) {
            java.util.SortedSet<String> shards = new java.util.TreeSet<>(Shards.ownedBy(pod, remaining));
            shards.removeAll(Shards.ownedBy(pod, PODS));
            gained.add(shards);
        }
        for (String resource : List.of("remediationrequests", "workflowexecutions")) {
            var listed = ShardCachesTest.listedShardSets(leaving, NS, resource);
            assertEquals(2, listed.size(), resource + ": " + listed);
            assertEquals(gained, java.util.Set.copyOf(listed), resource);
        }
    }
}
