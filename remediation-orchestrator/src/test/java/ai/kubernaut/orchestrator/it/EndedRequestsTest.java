package ai.kubernaut.orchestrator.it;

import static ai.kubernaut.orchestrator.model.RemediationRequestStatus.OverallPhase.BLOCKED;
import static ai.kubernaut.orchestrator.model.RemediationRequestStatus.OverallPhase.COMPLETED;
import static ai.kubernaut.orchestrator.model.RemediationRequestStatus.OverallPhase.EXECUTING;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.kubernaut.orchestrator.cluster.TestApiServerResource;
import ai.kubernaut.orchestrator.cluster.TestCatalog;
import ai.kubernaut.orchestrator.controller.RemediationController;
import ai.kubernaut.orchestrator.model.RemediationRequest;
import ai.kubernaut.orchestrator.model.WorkflowExecutionStatus;
import ai.kubernaut.orchestrator.model.remediationrequeststatus.RoutingStatus.BlockReason;
import ai.kubernaut.orchestrator.reconcile.CreationHook;
import ai.kubernaut.orchestrator.request.Phases;
import ai.kubernaut.orchestrator.testing.ClusterOps;
import ai.kubernaut.orchestrator.testing.Fixtures;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/**
 * Issue 19: an RR that ends leaves the replica's cache, and once labelled {@code kubernaut.ai/terminal: "true"}
 * (after its terminal status) its watch; the RRs blocked behind it are still woken by its end.
 */
@QuarkusTest
@QuarkusTestResource(value = TestApiServerResource.class, restrictToAnnotatedClass = false)
class EndedRequestsTest extends ReplicasTestBase {

    static RemediationRequest rr(String name) {
        return Fixtures.request(name, Fixtures.fingerprint("ended"), TestCatalog.RESTART, "critical", "shop",
                "Deployment", "ended");
    }

    @Test
    void aDuplicateRunsWhenTheRequestAheadEndsAndIsLabelledTerminalAndTheCacheKeepsNeither() {
        ClusterOps cluster = inNamespace("ro-ended");
        RemediationController replica = replicas.start(settings("ro-ended", "ro-ended-0"), CreationHook.NONE);
        await().atMost(WAIT).until(replica::isReady);
        cluster.create(rr("rr-ended-1"));
        await().atMost(WAIT).until(() -> cluster.phase("rr-ended-1") == EXECUTING);
        cluster.create(rr("rr-ended-2"));
        await().atMost(WAIT).until(() -> cluster.phase("rr-ended-2") == BLOCKED);
        assertEquals(BlockReason.DUPLICATEINPROGRESS, cluster.request("rr-ended-2").getStatus().getRoutingStatus()
                .getBlockReason());
        assertEquals(2, cached(replica));

        // the end of rr-ended-1, then its terminal label (what the orchestrator writes after the status)
        cluster.setPhase(cluster.executionsOf("rr-ended-1").get(0).getMetadata().getName(),
                WorkflowExecutionStatus.Phase.COMPLETED);
        await().atMost(WAIT).until(() -> cluster.phase("rr-ended-1") == COMPLETED);
        label("rr-ended-1");
        await().atMost(WAIT).until(() -> cluster.phase("rr-ended-2") == EXECUTING);
        assertEquals(1, cached(replica), "the ended RR is not cached");

        cluster.setPhase(cluster.executionsOf("rr-ended-2").get(0).getMetadata().getName(),
                WorkflowExecutionStatus.Phase.COMPLETED);
        await().atMost(WAIT).until(() -> cluster.phase("rr-ended-2") == COMPLETED);
        await().atMost(WAIT).until(() -> cached(replica) == 0);
        label("rr-ended-2");
        assertEquals(1, cluster.executionsOf("rr-ended-2").size());
    }

    void label(String name) {
        client.resources(RemediationRequest.class).inNamespace("ro-ended").withName(name).edit(rr -> {
            rr.getMetadata().getLabels().put(Phases.TERMINAL_LABEL, Phases.TERMINAL_LABEL_VALUE);
            return rr;
        });
    }

    static int cached(RemediationController replica) {
        return ((Number) replica.healthData().get("cachedRemediationRequests")).intValue();
    }
}
