package ai.kubernaut.orchestrator.it;

import static ai.kubernaut.orchestrator.model.RemediationRequestStatus.OverallPhase.BLOCKED;
import static ai.kubernaut.orchestrator.model.RemediationRequestStatus.OverallPhase.COMPLETED;
import static ai.kubernaut.orchestrator.model.RemediationRequestStatus.OverallPhase.EXECUTING;
import static ai.kubernaut.orchestrator.model.RemediationRequestStatus.OverallPhase.FAILED;
import static ai.kubernaut.orchestrator.model.RemediationRequestStatus.OverallPhase.TIMEDOUT;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.orchestrator.catalog.WorkflowSelection;
import ai.kubernaut.orchestrator.cluster.TestApiServerResource;
import ai.kubernaut.orchestrator.cluster.TestCatalog;
import ai.kubernaut.orchestrator.controller.ControllerSettings;
import ai.kubernaut.orchestrator.model.RemediationRequest;
import ai.kubernaut.orchestrator.reconcile.CreationHook;
import ai.kubernaut.orchestrator.reconcile.ReconcileSettings;
import ai.kubernaut.orchestrator.target.Target;
import ai.kubernaut.orchestrator.model.WorkflowExecutionStatus;
import ai.kubernaut.orchestrator.sharding.Shards;
import ai.kubernaut.orchestrator.testing.ClusterOps;
import ai.kubernaut.orchestrator.testing.Fixtures;
import ai.kubernaut.orchestrator.workflow.WorkflowExecutions;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.MockResponse;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Lost status writes, adoption after a crash, and phase timeouts, each with one replica in its own namespace. */
@QuarkusTest
@QuarkusTestResource(value = TestApiServerResource.class, restrictToAnnotatedClass = false)
class ControllerEdgeCasesTest extends ReplicasTestBase {

    ControllerSettings settings(String namespace) {
        return settings(namespace, "ro-edge");
    }

    /** The WFE the orchestrator itself would create first for {@code rr} on {@code target}. */
    static ai.kubernaut.orchestrator.model.WorkflowExecution firstWorkflowExecution(RemediationRequest rr,
            Target target) {
        return WorkflowExecutions.build(rr, target, new WorkflowSelection("restart-deployment", null, null, null,
                null, Map.of(), Optional.empty()), 1);
    }

    static RemediationRequest rr(String name, String target) {
        return Fixtures.request(name, Fixtures.fingerprint(name), TestCatalog.RESTART, "critical", "shop",
                "Deployment", target);
    }

    @Test
    void lostStatusWritesAreReDecidedAndNeverClobberTheGatewaysDeduplication() {
        ClusterOps cluster = inNamespace("ro-conflict");
        cluster.create(rr("rr-conflict", "conflict"));
        client.resources(RemediationRequest.class).inNamespace("ro-conflict").withName("rr-conflict")
                .subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE),
                        "{\"status\":{\"deduplication\":{\"occurrenceCount\":1}}}");
        // the "Gateway" records a duplicate right before each of the orchestrator's first two status writes,
        // so both of those carry a stale resourceVersion and a real server answers 409
        String statusPath = "/apis/kubernaut.ai/v1alpha1/namespaces/ro-conflict/remediationrequests/rr-conflict/status";
        AtomicInteger gatewayWrites = new AtomicInteger(1);
        TestApiServerResource.server().hook((request, caller) -> {
            if (request.getMethod().equals("PATCH") && request.getPath().startsWith(statusPath)
                    && gatewayWrites.get() < 3) {
                int count = gatewayWrites.incrementAndGet();
                TestApiServerResource.server().direct(HttpMethod.PATCH, statusPath, "application/merge-patch+json",
                        "{\"status\":{\"deduplication\":{\"occurrenceCount\":" + count + "}}}");
            }
            return null;
        });
        double conflictsBefore = counter("orchestrator.status.conflicts");

        replicas.start(settings("ro-conflict"), CreationHook.NONE);

        await().atMost(WAIT).until(() -> cluster.phase("rr-conflict") == EXECUTING);
        RemediationRequest rr = cluster.request("rr-conflict");
        assertEquals(3, gatewayWrites.get());
        assertEquals(3L, rr.getStatus().getDeduplication().getOccurrenceCount(), "the Gateway's count survives");
        assertTrue(counter("orchestrator.status.conflicts") >= conflictsBefore + 2);
        assertEquals(1, cluster.executionsOf("rr-conflict").size());
        await().atMost(WAIT).until(() -> cluster.orchestratorLeases().isEmpty());
    }

    @Test
    void requestThatAlreadyHasItsWorkflowExecutionAdoptsIt() {
        ClusterOps cluster = inNamespace("ro-adopt");
        RemediationRequest rr = cluster.create(rr("rr-adopt", "adopt"));
        Target target = new Target("shop", "Deployment", "adopt");
        // a previous reconcile created the WFE and crashed before writing Executing
        var wfe = firstWorkflowExecution(rr, target);
        client.resources(ai.kubernaut.orchestrator.model.WorkflowExecution.class).inNamespace("ro-adopt")
                .resource(wfe).create();

        replicas.start(settings("ro-adopt"), CreationHook.NONE);

        await().atMost(WAIT).until(() -> cluster.phase("rr-adopt") == EXECUTING);
        assertEquals(wfe.getMetadata().getName(), cluster.request("rr-adopt").getStatus().getWorkflowExecutionRef());
        assertEquals(1, cluster.executionsOn(target).size());
    }

    /**
     * Upgrade from a version without shards: a WFE still running carries no shard label, so no shard cache would
     * see it. The owner labels it; then it blocks a new RR on its target and its end wakes that RR.
     */
    @Test
    void workflowExecutionFromBeforeShardsIsLabelledAndStillBlocksItsTarget() {
        ClusterOps cluster = inNamespace("ro-legacy");
        RemediationRequest old = cluster.create(rr("rr-legacy-old", "legacy"));
        Target target = new Target("shop", "Deployment", "legacy");
        var wfe = firstWorkflowExecution(old, target);
        wfe.getMetadata().getLabels().remove(Shards.LABEL);
        client.resources(ai.kubernaut.orchestrator.model.WorkflowExecution.class).inNamespace("ro-legacy")
                .resource(wfe).create();
        cluster.setPhase(wfe.getMetadata().getName(), WorkflowExecutionStatus.Phase.RUNNING);

        replicas.start(settings("ro-legacy"), CreationHook.NONE);
        await().atMost(WAIT).until(() -> target.shard().equals(
                cluster.execution(wfe.getMetadata().getName()).getMetadata().getLabels().get(Shards.LABEL)));
        cluster.create(rr("rr-legacy-new", "legacy"));
        await().atMost(WAIT).until(() -> cluster.phase("rr-legacy-old") == EXECUTING
                && cluster.phase("rr-legacy-new") == BLOCKED);
        assertEquals(wfe.getMetadata().getName(), cluster.request("rr-legacy-new").getStatus().getRoutingStatus()
                .getBlockingWorkflowExecution());

        cluster.setPhase(wfe.getMetadata().getName(), WorkflowExecutionStatus.Phase.COMPLETED);
        await().atMost(WAIT).until(() -> cluster.phase("rr-legacy-old") == COMPLETED
                && cluster.phase("rr-legacy-new") == EXECUTING);
        assertEquals(2, cluster.executionsOn(target).size());
    }

    /** An RR created without the shard label whose labelling fails (API server 503) is labelled on a retry. */
    @Test
    void failedShardLabelIsRetriedUntilTheRequestIsWatchedAndRun() {
        ClusterOps cluster = inNamespace("ro-label-retry");
        java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
        TestApiServerResource.server().hook((request, caller) -> request.getMethod().equals("PATCH")
                && request.getPath().startsWith(
                        "/apis/kubernaut.ai/v1alpha1/namespaces/ro-label-retry/remediationrequests/rr-label-retry")
                && !request.getPath().contains("/status") && refused.getAndIncrement() < 2
                        ? new MockResponse().setResponseCode(503).setHeader("Content-Type", "application/json")
                                .setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                                        + "\"reason\":\"ServiceUnavailable\",\"code\":503}")
                        : null);
        replicas.start(settings("ro-label-retry"), CreationHook.NONE);
        cluster.create(rr("rr-label-retry", "label-retry"));
        await().atMost(WAIT).until(() -> cluster.phase("rr-label-retry") == EXECUTING);
        // two refused, then at least one that landed: the informer's event and the start-up rescan may both have
        // been retrying (the patch writes the same value, so a second one is harmless)
        assertTrue(refused.get() >= 3, "label patches seen: " + refused.get());
        assertEquals(new Target("shop", "Deployment", "label-retry").shard(),
                cluster.request("rr-label-retry").getMetadata().getLabels().get(Shards.LABEL));
    }

    /** A shard label that is no shard id would hide the RR from every replica: its owner corrects it. */
    @Test
    void anRrWithAShardLabelThatIsNoShardIdIsRelabelledAndRun() {
        ClusterOps cluster = inNamespace("ro-bad-label");
        replicas.start(settings("ro-bad-label"), CreationHook.NONE);
        RemediationRequest rr = rr("rr-bad-label", "bad-label");
        rr.getMetadata().setLabels(new java.util.HashMap<>(Map.of(Shards.LABEL, "zz")));
        cluster.create(rr);
        await().atMost(WAIT).until(() -> cluster.phase("rr-bad-label") == EXECUTING);
        assertEquals(new Target("shop", "Deployment", "bad-label").shard(),
                cluster.request("rr-bad-label").getMetadata().getLabels().get(Shards.LABEL));
    }

    @Test
    void workflowExecutionTheServerRejectsFailsTheRequestInsteadOfRetryingForever() {
        ClusterOps cluster = inNamespace("ro-rejected");
        // a real server validates the WFE against its CRD schema; the mock does not, so answer as it would
        TestApiServerResource.server().hook((request, caller) -> request.getMethod().equals("POST")
                && request.getPath().startsWith("/apis/kubernaut.ai/v1alpha1/namespaces/ro-rejected/workflowexecutions")
                        ? new MockResponse().setResponseCode(422).setHeader("Content-Type", "application/json")
                                .setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                                        + "\"reason\":\"Invalid\",\"code\":422,\"message\":\"spec.targetResource: Invalid\"}")
                        : null);
        replicas.start(settings("ro-rejected"), CreationHook.NONE);
        cluster.create(rr("rr-rejected", "rejected"));

        await().atMost(WAIT).until(() -> cluster.phase("rr-rejected") == FAILED);
        var completion = cluster.request("rr-rejected").getStatus().getCompletionStatus();
        assertEquals("WorkflowExecutionRejected", completion.getOutcome());
        assertTrue(completion.getMessage().contains("spec.targetResource: Invalid"), completion.getMessage());
        assertTrue(cluster.executionsOf("rr-rejected").isEmpty());
        await().atMost(WAIT).until(() -> cluster.orchestratorLeases().isEmpty());
    }

    @Test
    void phaseThatOutlivesItsLimitTimesOut() {
        ClusterOps cluster = inNamespace("ro-timeout");
        ControllerSettings quick = settings("ro-timeout").withReconcile(new ReconcileSettings(Duration.ofMinutes(1),
                Duration.ofMinutes(1), Duration.ofSeconds(2), Duration.ZERO, Duration.ofSeconds(30)));
        replicas.start(quick, CreationHook.NONE);
        cluster.create(rr("rr-timeout", "timeout"));
        await().atMost(WAIT).until(() -> cluster.phase("rr-timeout") == EXECUTING);

        // the WFE never finishes: the Executing limit fires from the scheduled requeue, without any event
        await().atMost(WAIT).until(() -> cluster.phase("rr-timeout") == TIMEDOUT);
        var completion = cluster.request("rr-timeout").getStatus().getCompletionStatus();
        assertEquals("TimedOut", completion.getOutcome());
        assertEquals("ExecutingTimeout", completion.getFailureReason());
        assertTrue(completion.getMessage().contains("PT2S"), completion.getMessage());
    }
}
