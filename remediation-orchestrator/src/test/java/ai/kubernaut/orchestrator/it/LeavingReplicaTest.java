package ai.kubernaut.orchestrator.it;

import static ai.kubernaut.orchestrator.model.RemediationRequestStatus.OverallPhase.EXECUTING;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.orchestrator.cluster.TestApiServerResource;
import ai.kubernaut.orchestrator.cluster.TestCatalog;
import ai.kubernaut.orchestrator.reconcile.CreationHook;
import ai.kubernaut.orchestrator.sharding.MemberLeases;
import ai.kubernaut.orchestrator.target.Target;
import ai.kubernaut.orchestrator.testing.ClusterOps;
import ai.kubernaut.orchestrator.testing.Fixtures;
import ai.kubernaut.orchestrator.testing.PauseBeforeCreate;
import ai.kubernaut.testserver.RequestRecord;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A stopping replica announces that it leaves, keeps working while the others list its shards ahead, then leaves the
 * member set and only then finishes its in-flight reconciles: its targets change hands without a list and without
 * waiting for its last reconcile (the rolling update's "longest wait of a target whose owner stopped"). The
 * reconcile it finishes and the new owner's meet at the target Lease: one WFE.
 */
@QuarkusTest
@QuarkusTestResource(value = TestApiServerResource.class, restrictToAnnotatedClass = false)
class LeavingReplicaTest extends ReplicasTestBase {

    @Test
    void aStoppingReplicaHandsItsTargetsOverBeforeItsInFlightReconcileEnds() throws Exception {
        String ns = "ro-leaving";
        ClusterOps cluster = inNamespace(ns);
        List<String> pods = List.of("ro-a", "ro-b");
        Target busy = Fixtures.targetOwnedBy("ro-a", pods, "shop", "leaving-busy");
        Target next = Fixtures.targetOwnedBy("ro-a", pods, "shop", "leaving-next");
        PauseBeforeCreate pause = new PauseBeforeCreate("rr-leaving-busy");
        replicas.start(settings(ns, "ro-a"), pause);
        replicas.start(settings(ns, "ro-b"), CreationHook.NONE);
        await().atMost(WAIT).until(() -> replicas.allReady() && replicas.controllers().stream()
                .allMatch(c -> String.valueOf(c.healthData().get("members")).split(",").length == 2));
        cluster.create(Fixtures.request("rr-leaving-busy", Fixtures.fingerprint("leaving-busy"), TestCatalog.RESTART,
                "critical", "shop", "Deployment", busy.name()));
        await().atMost(WAIT).until(pause::isPaused);

        long mark = TestApiServerResource.server().mark();
        CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> replicas.stop(0));
        await("ro-a's member Lease deleted while its reconcile is still under way").atMost(WAIT)
                .until(() -> client.leases().inNamespace(ns).withName(MemberLeases.leaseName("ro-a")).get() == null);
        assertTrue(pause.isPaused(), "ro-a still inside its reconcile");
        assertFalse(stopping.isDone(), "ro-a still stopping");

        // a new RR on another of ro-a's targets is ro-b's now, while ro-a still finishes
        cluster.create(Fixtures.request("rr-leaving-next", Fixtures.fingerprint("leaving-next"), TestCatalog.RESTART,
                "critical", "shop", "Deployment", next.name()));
        await().atMost(WAIT).until(() -> cluster.phase("rr-leaving-next") == EXECUTING);
        assertTrue(pause.isPaused(), "ro-b ran the new RR while ro-a was still inside its reconcile");

        // ro-b listed ro-a's shards ahead, while ro-a announced it leaves and still worked: nothing after ro-a left
        List<RequestRecord> served = TestApiServerResource.server().requestsSince(mark, r -> ns.equals(r.namespace()));
        long left = served.stream().filter(r -> r.isLease() && r.verb().equals("delete")
                && MemberLeases.leaseName("ro-a").equals(r.name())).mapToLong(RequestRecord::seq).min().orElseThrow();
        List<RequestRecord> lists = served.stream().filter(r -> r.byService() && r.verb().equals("list")
                && List.of("remediationrequests", "workflowexecutions").contains(r.resource())).toList();
        assertEquals(2, lists.stream().filter(r -> r.seq() < left).count(), "ro-b's RR and WFE lists ahead: " + lists);
        assertEquals(List.of(), lists.stream().filter(r -> r.seq() > left).toList(), "lists after ro-a left");

        pause.resume();
        stopping.get();
        await().atMost(WAIT).until(() -> cluster.phase("rr-leaving-busy") == EXECUTING);
        assertEquals(1, cluster.executionsOn(busy).size(), "the finished reconcile and the new owner's made one WFE");
        assertEquals(1, cluster.executionsOn(next).size());
        await().atMost(WAIT).until(() -> cluster.orchestratorLeases().isEmpty());
    }
}
