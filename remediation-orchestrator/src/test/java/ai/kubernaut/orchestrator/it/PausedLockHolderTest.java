package ai.kubernaut.orchestrator.it;

import static ai.kubernaut.orchestrator.model.RemediationRequestStatus.OverallPhase.EXECUTING;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.orchestrator.cluster.TestApiServerResource;
import ai.kubernaut.orchestrator.cluster.TestCatalog;
import ai.kubernaut.orchestrator.controller.ControllerSettings;
import ai.kubernaut.orchestrator.model.WorkflowExecution;
import ai.kubernaut.orchestrator.reconcile.CreationHook;
import ai.kubernaut.orchestrator.target.Target;
import ai.kubernaut.orchestrator.testing.ClusterOps;
import ai.kubernaut.orchestrator.testing.Fixtures;
import ai.kubernaut.orchestrator.testing.PauseBeforeCreate;
import ai.kubernaut.orchestrator.workflow.WorkflowExecutions;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * ADR-052-003: a lock holder paused past its Lease (GC, CPU starvation, SIGSTOP) wakes up after another
 * replica took the Lease over. The deterministic WFE name per target and sequence fences the stale creator at
 * the API server, and its release leaves the new holder's Lease alone.
 *
 * <p>The hand-over is the one ownership makes possible: A owns every target while alone and pauses inside its
 * critical section; B joins, wins the target by rendezvous hashing (the target is chosen so), and for a moment
 * both believe they own it.
 */
@QuarkusTest
@QuarkusTestResource(value = TestApiServerResource.class, restrictToAnnotatedClass = false)
class PausedLockHolderTest extends ReplicasTestBase {

    static final Duration LEASE = Duration.ofSeconds(1);

    @Override
    ControllerSettings settings(String namespace, String pod) {
        return super.settings(namespace, pod).withLeaseDuration(LEASE);
    }

    double fenced() {
        return counter("orchestrator.workflowexecutions.fenced");
    }

    @Test
    void pausedHolderWakingAfterTakeoverIsFencedAndCreatesNoSecondWorkflowExecution() {
        String ns = "ro-paused-a";
        ClusterOps cluster = inNamespace(ns);
        Target target = Fixtures.targetOwnedBy("ro-b", List.of("ro-a", "ro-b"), "shop", "paused-a");
        PauseBeforeCreate pause = new PauseBeforeCreate("rr-paused-a");
        replicas.start(settings(ns, "ro-a"), pause);
        cluster.create(Fixtures.request("rr-paused-a", Fixtures.fingerprint("paused-a"), TestCatalog.RESTART,
                "critical", "shop", "Deployment", target.name()));
        await().atMost(WAIT).until(pause::isPaused);
        assertEquals(WorkflowExecutions.name(target, 1), pause.decided());
        assertTrue(cluster.orchestratorLeases().get(0).getSpec().getHolderIdentity().startsWith("ro-a/"));

        // replica B takes the Lease once it expires and does the work while A sleeps
        replicas.start(settings(ns, "ro-b"), CreationHook.NONE);
        await().atMost(WAIT).until(() -> cluster.phase("rr-paused-a") == EXECUTING);
        assertTrue(pause.isPaused());
        List<WorkflowExecution> created = cluster.executionsOn(target);
        assertEquals(1, created.size());
        assertEquals(pause.decided(), created.get(0).getMetadata().getName());
        await().atMost(WAIT).until(() -> cluster.orchestratorLeases().isEmpty());
        double fencedBefore = fenced();

        pause.resume();

        await().atMost(WAIT).until(() -> fenced() >= fencedBefore + 1);
        assertEquals(1, cluster.executionsOn(target).size(), "the stale holder's create got 409");
        assertEquals(pause.decided(), cluster.request("rr-paused-a").getStatus().getWorkflowExecutionRef());
        await().atMost(WAIT).until(() -> cluster.orchestratorLeases().isEmpty());
    }

    @Test
    void staleHolderDoesNotReleaseTheLeaseOfTheReplicaThatTookItOver() {
        String ns = "ro-paused-b";
        ClusterOps cluster = inNamespace(ns);
        Target target = Fixtures.targetOwnedBy("ro-b", List.of("ro-a", "ro-b"), "shop", "paused-b");
        PauseBeforeCreate pauseA = new PauseBeforeCreate("rr-paused-b");
        PauseBeforeCreate pauseB = new PauseBeforeCreate("rr-paused-b");
        replicas.start(settings(ns, "ro-a"), pauseA);
        cluster.create(Fixtures.request("rr-paused-b", Fixtures.fingerprint("paused-b"), TestCatalog.RESTART,
                "critical", "shop", "Deployment", target.name()));
        await().atMost(WAIT).until(pauseA::isPaused);

        // B takes over the expired Lease and pauses too, holding it, right before its own create
        replicas.start(settings(ns, "ro-b"), pauseB);
        await().atMost(WAIT).until(pauseB::isPaused);
        assertEquals(pauseA.decided(), pauseB.decided(), "both decided on the same state: the same name");
        Lease taken = cluster.orchestratorLeases().get(0);
        assertTrue(taken.getSpec().getHolderIdentity().startsWith("ro-b/"));
        assertEquals(1, taken.getSpec().getLeaseTransitions());

        // A wakes first: its create wins (nothing exists yet), and its release must not delete B's Lease
        pauseA.resume();
        await().atMost(WAIT).until(() -> cluster.phase("rr-paused-b") == EXECUTING);
        await().atMost(WAIT).until(() -> !cluster.orchestratorLeases().isEmpty()
                && cluster.orchestratorLeases().get(0).getMetadata().getResourceVersion()
                        .equals(taken.getMetadata().getResourceVersion()));
        List<Lease> leases = cluster.orchestratorLeases();
        assertEquals(1, leases.size());
        assertEquals(taken.getSpec().getHolderIdentity(), leases.get(0).getSpec().getHolderIdentity());
        double fencedBefore = fenced();

        // B wakes: its create of the same name is refused; it releases its own Lease
        pauseB.resume();
        await().atMost(WAIT).until(() -> fenced() >= fencedBefore + 1);
        await().atMost(WAIT).until(() -> cluster.orchestratorLeases().isEmpty());
        assertEquals(1, cluster.executionsOn(target).size());
        assertEquals(pauseA.decided(), cluster.request("rr-paused-b").getStatus().getWorkflowExecutionRef());
    }
}
