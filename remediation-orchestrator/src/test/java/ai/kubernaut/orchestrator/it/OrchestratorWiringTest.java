package ai.kubernaut.orchestrator.it;

import static ai.kubernaut.orchestrator.model.RemediationRequestStatus.OverallPhase.BLOCKED;
import static ai.kubernaut.orchestrator.model.RemediationRequestStatus.OverallPhase.COMPLETED;
import static ai.kubernaut.orchestrator.model.RemediationRequestStatus.OverallPhase.EXECUTING;
import static ai.kubernaut.orchestrator.model.RemediationRequestStatus.OverallPhase.FAILED;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.backoff.BackoffPolicy;
import ai.kubernaut.orchestrator.cluster.TestApiServerResource;
import ai.kubernaut.testserver.EmbeddedApiServer;
import ai.kubernaut.orchestrator.cluster.TestCatalog;
import ai.kubernaut.orchestrator.config.OrchestratorConfig;
import ai.kubernaut.orchestrator.config.PodIdentity;
import ai.kubernaut.orchestrator.controller.ControllerLifecycle;
import ai.kubernaut.orchestrator.model.RemediationRequest;
import ai.kubernaut.orchestrator.model.WorkflowExecution;
import ai.kubernaut.orchestrator.model.WorkflowExecutionStatus;
import ai.kubernaut.orchestrator.model.remediationrequeststatus.RoutingStatus.BlockReason;
import ai.kubernaut.orchestrator.target.Target;
import ai.kubernaut.orchestrator.testing.ClusterOps;
import ai.kubernaut.testserver.RequestRecord;
import ai.kubernaut.orchestrator.testing.Fixtures;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The application's own controller (one replica, pod ro-test-0) against the strict test API server: the RR life cycle,
 * the routing checks, the catalog, events, health and metrics.
 */
@QuarkusTest
@QuarkusTestResource(value = TestApiServerResource.class, restrictToAnnotatedClass = false)
class OrchestratorWiringTest {

    static final Duration WAIT = Duration.ofSeconds(20);

    /** The test's own (admin) client: the application's token may not create RRs or write the catalog. */
    KubernetesClient client = TestApiServerResource.server().admin();

    @Inject
    OrchestratorConfig config;

    @TestHTTPResource(value = "/health/ready", management = true)
    URL ready;

    @TestHTTPResource(value = "/metrics", management = true)
    URL metrics;

    ClusterOps cluster;

    @BeforeEach
    void setUp() {
        cluster = new ClusterOps(client, TestApiServerResource.NAMESPACE);
    }

    static RemediationRequest rr(String name, String fingerprintSeed, String signal, String kind, String target) {
        return Fixtures.request(name, Fixtures.fingerprint(fingerprintSeed), signal, "critical", "shop", kind,
                target);
    }

    WorkflowExecution onlyExecutionOf(String rrName) {
        return await().atMost(WAIT).until(() -> cluster.executionsOf(rrName), l -> l.size() == 1).get(0);
    }

    void awaitPhase(String rrName, ai.kubernaut.orchestrator.model.RemediationRequestStatus.OverallPhase phase) {
        await().atMost(WAIT).until(() -> cluster.phase(rrName) == phase);
    }

    /** The application's own client, as configured (the controller's calls go through it). */
    @Inject
    KubernetesClient applicationClient;

    @Test
    void theClientDoesNotRetryOnItsOwnTheWorkQueueBacksOffInstead() {
        assertEquals(0, applicationClient.getConfiguration().getRequestRetryBackoffLimit());
        String name = "wfe-retry-probe";
        TestApiServerResource.server().hook((request, caller) -> request.getPath().contains("/workflowexecutions/"
                + name) ? EmbeddedApiServer.failure(503, "ServiceUnavailable", "probe") : null);
        long mark = TestApiServerResource.server().mark();
        try {
            KubernetesClientException failure = org.junit.jupiter.api.Assertions.assertThrows(
                    KubernetesClientException.class, () -> applicationClient.resources(WorkflowExecution.class)
                            .inNamespace(TestApiServerResource.NAMESPACE).withName(name).get());
            assertEquals(503, failure.getCode());
        } finally {
            TestApiServerResource.server().hook(null);
        }
        assertEquals(1, TestApiServerResource.server().requestsSince(mark, r -> name.equals(r.name())).size(),
                "one request: no retry inside the client");
    }

    @Test
    @SuppressWarnings("unchecked")
    void anRrWithFractionalSecondTimestampsIsReconciledLikeAnyOther() {
        // written raw: valid RFC 3339 from another writer; the generated model's pattern has whole seconds only,
        // and one unreadable RR used to stop the app's whole RR informer
        GenericKubernetesResource raw = client.getKubernetesSerialization().convertValue(
                rr("rr-fraction", "fraction", TestCatalog.RESTART, "Deployment", "fraction"),
                GenericKubernetesResource.class);
        ((Map<String, Object>) raw.getAdditionalProperties().get("spec"))
                .put("firingTime", "2026-11-22T06:23:25.715006416Z");
        client.genericKubernetesResources("kubernaut.ai/v1alpha1", "RemediationRequest")
                .inNamespace(TestApiServerResource.NAMESPACE).resource(raw).create();

        awaitPhase("rr-fraction", EXECUTING);
        assertEquals(1, cluster.executionsOf("rr-fraction").size());
        assertEquals(java.time.Instant.parse("2026-11-22T06:23:25.715006416Z"),
                cluster.request("rr-fraction").getSpec().getFiringTime().toInstant());
    }

    @Test
    void twoRequestsOnOneTargetGiveOneWorkflowExecutionAndTheSecondRunsAfterTheFirst() {
        Target target = new Target("shop", "Deployment", "two-on-one");
        cluster.create(rr("rr-two-a", "two-a", TestCatalog.RESTART, "Deployment", "two-on-one"));
        cluster.create(rr("rr-two-b", "two-b", TestCatalog.RESTART, "Deployment", "two-on-one"));

        await().atMost(WAIT).until(() -> {
            var phases = List.of(String.valueOf(cluster.phase("rr-two-a")), String.valueOf(cluster.phase("rr-two-b")));
            return phases.contains(EXECUTING.name()) && phases.contains(BLOCKED.name());
        });
        List<WorkflowExecution> wfes = cluster.executionsOn(target);
        assertEquals(1, wfes.size(), "one WFE for two RRs on one target");
        WorkflowExecution first = wfes.get(0);
        String running = first.getSpec().getRemediationRequestRef().getName();
        String waiting = running.equals("rr-two-a") ? "rr-two-b" : "rr-two-a";
        RemediationRequest blocked = cluster.request(waiting);
        assertEquals(BlockReason.RESOURCEBUSY, blocked.getStatus().getRoutingStatus().getBlockReason());
        assertEquals(first.getMetadata().getName(),
                blocked.getStatus().getRoutingStatus().getBlockingWorkflowExecution());

        // the WFE as the contract describes it
        RemediationRequest owner = cluster.request(running);
        assertEquals("wfe-" + target.hash() + "-1", first.getMetadata().getName());
        assertEquals(Map.of("kubernaut.ai/target-hash", target.hash(), "kubernaut.ai/shard", target.hash().substring(0, 2),
                "kubernaut.ai/remediation-request", running, "app.kubernetes.io/managed-by", "remediation-orchestrator"),
                first.getMetadata().getLabels());
        assertEquals(owner.getMetadata().getUid(), first.getMetadata().getOwnerReferences().get(0).getUid());
        assertEquals(Boolean.TRUE, first.getMetadata().getOwnerReferences().get(0).getController());
        assertEquals("shop/Deployment/two-on-one", first.getSpec().getTargetResource());
        assertEquals(owner.getMetadata().getUid(), first.getSpec().getRemediationRequestRef().getUid());
        assertEquals("restart-deployment", first.getSpec().getWorkflowRef().getWorkflowId());
        assertEquals("bundles/restart-deployment:1.0.0", first.getSpec().getWorkflowRef().getExecutionBundle());
        assertEquals(Map.of("strategy", "rolling"), first.getSpec().getParameters());
        assertEquals(first.getMetadata().getName(), owner.getStatus().getWorkflowExecutionRef());
        assertEquals("restart-deployment", owner.getStatus().getSelectedWorkflow().getWorkflowId());
        assertNotNull(owner.getStatus().getPhaseStartedAt());

        cluster.setPhase(first.getMetadata().getName(), WorkflowExecutionStatus.Phase.RUNNING);
        cluster.setPhase(first.getMetadata().getName(), WorkflowExecutionStatus.Phase.COMPLETED);

        awaitPhase(running, COMPLETED);
        // the terminal label follows the terminal status write (docs/contracts.md)
        await().atMost(WAIT).until(() -> ai.kubernaut.orchestrator.request.Phases.isLabelledTerminal(
                cluster.request(running)));
        assertTrue(!ai.kubernaut.orchestrator.request.Phases.isLabelledTerminal(cluster.request(waiting)),
                "an active RR carries no terminal label");
        RemediationRequest done = cluster.request(running);
        assertEquals("Remediated", done.getStatus().getCompletionStatus().getOutcome());
        assertEquals(first.getMetadata().getName(), done.getStatus().getCompletionStatus().getWorkflowExecutionRef());

        // the blocked RR wakes on the WFE's completion and gets the next sequence
        awaitPhase(waiting, EXECUTING);
        WorkflowExecution second = onlyExecutionOf(waiting);
        assertEquals("wfe-" + target.hash() + "-2", second.getMetadata().getName());
        assertNull(cluster.request(waiting).getStatus().getRoutingStatus(), "routingStatus cleared");
        assertTrue(cluster.eventsFor(waiting).stream().anyMatch(e -> "ResourceBusy".equals(e.getReason())
                && e.getMessage().contains(first.getMetadata().getName())));

        cluster.setPhase(second.getMetadata().getName(), WorkflowExecutionStatus.Phase.FAILED);
        awaitPhase(waiting, FAILED);
        RemediationRequest failed = cluster.request(waiting);
        assertEquals("WorkflowFailed", failed.getStatus().getCompletionStatus().getOutcome());
        assertEquals("StepFailed", failed.getStatus().getCompletionStatus().getFailureReason());
        assertTrue(failed.getStatus().getCompletionStatus().getMessage().contains("rollout stuck"));
        assertEquals(2, cluster.executionsOn(target).size());
        await().atMost(WAIT).until(() -> cluster.orchestratorLeases().isEmpty());
    }

    @Test
    void differentTargetsGiveTwoWorkflowExecutions() {
        cluster.create(rr("rr-diff-a", "diff-a", TestCatalog.RESTART, "Deployment", "diff-a"));
        cluster.create(rr("rr-diff-b", "diff-b", TestCatalog.OOM, "StatefulSet", "diff-b"));

        awaitPhase("rr-diff-a", EXECUTING);
        awaitPhase("rr-diff-b", EXECUTING);
        WorkflowExecution a = onlyExecutionOf("rr-diff-a");
        WorkflowExecution b = onlyExecutionOf("rr-diff-b");
        assertEquals("shop/Deployment/diff-a", a.getSpec().getTargetResource());
        assertEquals("shop/StatefulSet/diff-b", b.getSpec().getTargetResource());
        assertEquals("increase-memory", b.getSpec().getWorkflowRef().getWorkflowId());
        await().atMost(WAIT).until(() -> cluster.orchestratorLeases().isEmpty());

        // what a real API server relies on: conditional writes on the wire
        var served = TestApiServerResource.server().requests(RequestRecord::byService);
        var leaseDeletes = served.stream().filter(r -> r.isLease() && r.method().equals("DELETE")).toList();
        assertTrue(!leaseDeletes.isEmpty());
        assertTrue(leaseDeletes.stream().allMatch(r -> r.body().contains("\"preconditions\":{\"resourceVersion\":")),
                "Lease release carries a resourceVersion precondition");
        var statusWrites = served.stream().filter(r -> r.resource().equals("remediationrequests")
                && r.name().equals("rr-diff-a") && r.subresource().equals("status")).toList();
        assertTrue(statusWrites.size() >= 2);
        assertTrue(statusWrites.stream().allMatch(r -> r.method().equals("PATCH")
                && r.body().contains("\"resourceVersion\"") && !r.body().contains("deduplication")),
                "status writes are merge patches with a resourceVersion, without the Gateway's field");
    }

    @Test
    void malformedRequestsFailWithAClearReasonAndNeverCreateAWorkflowExecution() {
        cluster.create(Fixtures.request("rr-no-target", Fixtures.fingerprint("no-target"), TestCatalog.RESTART,
                "critical", null, null, null));
        cluster.create(Fixtures.request("rr-bad-fingerprint", "NOT-A-SHA256", TestCatalog.RESTART, "critical",
                "shop", "Deployment", "bad-fp"));

        awaitPhase("rr-no-target", FAILED);
        awaitPhase("rr-bad-fingerprint", FAILED);
        var noTarget = cluster.request("rr-no-target").getStatus().getCompletionStatus();
        assertEquals("InvalidSpec", noTarget.getOutcome());
        assertEquals("spec.targetResource is required", noTarget.getMessage());
        var badFingerprint = cluster.request("rr-bad-fingerprint").getStatus().getCompletionStatus();
        assertEquals("InvalidSpec", badFingerprint.getOutcome());
        assertTrue(badFingerprint.getMessage().contains("spec.signalFingerprint must be 64 lowercase hex"),
                badFingerprint.getMessage());
        assertTrue(cluster.executionsOf("rr-no-target").isEmpty());
        assertTrue(cluster.executionsOf("rr-bad-fingerprint").isEmpty());
        assertTrue(cluster.executionsOn(new Target("shop", "Deployment", "bad-fp")).isEmpty());
        await().atMost(WAIT).until(() -> cluster.eventsFor("rr-no-target").stream()
                .anyMatch(e -> "Warning".equals(e.getType()) && "InvalidSpec".equals(e.getReason())));
    }

    @Test
    void signalWithoutAWorkflowFailsWithNoMatchingWorkflow() {
        cluster.create(rr("rr-no-match", "no-match", TestCatalog.UNKNOWN, "Deployment", "no-match"));

        awaitPhase("rr-no-match", FAILED);
        var completion = cluster.request("rr-no-match").getStatus().getCompletionStatus();
        assertEquals("NoMatchingWorkflow", completion.getOutcome());
        assertTrue(completion.getMessage().contains(TestCatalog.UNKNOWN));
        assertTrue(cluster.executionsOf("rr-no-match").isEmpty());
    }

    @Test
    void catalogChangesApplyWithoutARestart() {
        cluster.create(rr("rr-reload-1", "reload-1", "BrandNewSignal", "Deployment", "reload-1"));
        awaitPhase("rr-reload-1", FAILED);

        TestCatalog.install(client, TestApiServerResource.NAMESPACE, TestCatalog.YAML + """
                  - signalName: BrandNewSignal
                    workflowId: brand-new-workflow
                """);
        await().atMost(WAIT).untilAsserted(() -> {
            String name = "rr-reload-" + System.nanoTime();
            cluster.create(rr(name, name, "BrandNewSignal", "Deployment", name));
            await().atMost(WAIT).until(() -> cluster.phase(name) == EXECUTING || cluster.phase(name) == FAILED);
            assertEquals(EXECUTING, cluster.phase(name));
            assertEquals("brand-new-workflow", onlyExecutionOf(name).getSpec().getWorkflowRef().getWorkflowId());
        });
        TestCatalog.install(client, TestApiServerResource.NAMESPACE);
    }

    @Test
    void olderActiveRequestWithTheSameFingerprintBlocksUntilItEnds() {
        cluster.create(rr("rr-dup-1", "dup", TestCatalog.RESTART, "Deployment", "dup"));
        awaitPhase("rr-dup-1", EXECUTING);
        cluster.create(rr("rr-dup-2", "dup", TestCatalog.RESTART, "Deployment", "dup"));

        awaitPhase("rr-dup-2", BLOCKED);
        var routing = cluster.request("rr-dup-2").getStatus().getRoutingStatus();
        assertEquals(BlockReason.DUPLICATEINPROGRESS, routing.getBlockReason());
        assertEquals("rr-dup-1", routing.getDuplicateOf());

        cluster.setPhase(onlyExecutionOf("rr-dup-1").getMetadata().getName(),
                WorkflowExecutionStatus.Phase.COMPLETED);
        awaitPhase("rr-dup-1", COMPLETED);
        awaitPhase("rr-dup-2", EXECUTING);
        assertEquals(1, cluster.executionsOf("rr-dup-2").size());
    }

    @Test
    void sameWorkflowOnTheSameTargetWaitsForItsCooldown() {
        Target target = new Target("shop", "Deployment", "cooldown");
        cluster.create(rr("rr-cool-1", "cool-1", TestCatalog.FLAPPING, "Deployment", "cooldown"));
        WorkflowExecution first = onlyExecutionOf("rr-cool-1");
        WorkflowExecution done = cluster.setPhase(first.getMetadata().getName(),
                WorkflowExecutionStatus.Phase.COMPLETED);
        awaitPhase("rr-cool-1", COMPLETED);

        cluster.create(rr("rr-cool-2", "cool-2", TestCatalog.FLAPPING, "Deployment", "cooldown"));
        awaitPhase("rr-cool-2", BLOCKED);
        var routing = cluster.request("rr-cool-2").getStatus().getRoutingStatus();
        assertEquals(BlockReason.RECENTLYREMEDIATED, routing.getBlockReason());
        Instant allowed = routing.getNextAllowedExecution().toInstant();
        assertEquals(done.getStatus().getCompletionTime().toInstant().plusSeconds(3), allowed);

        awaitPhase("rr-cool-2", EXECUTING);
        assertTrue(!Instant.now().isBefore(allowed));
        assertEquals(2, cluster.executionsOn(target).size());
    }

    @Test
    void theRequeueBackoffIsADelayFunctionWithoutAttemptLimit() {
        BackoffPolicy requeue = ControllerLifecycle.settings(config,
                new PodIdentity("ro-test-0", TestApiServerResource.NAMESPACE)).requeueBackoff();
        assertTrue(requeue.maxAttempts().isEmpty(), "the work queue applies no attempt limit: " + requeue);
        SplittableRandom random = new SplittableRandom(3);
        assertEquals(Duration.ofMillis(100), requeue.delay(1, random), "full jitter floored at the base delay");
        for (int attempt = 2; attempt < 200; attempt++) {
            Duration d = requeue.delay(attempt, random);
            assertTrue(d.compareTo(Duration.ofMillis(100)) >= 0 && d.compareTo(Duration.ofSeconds(5)) <= 0,
                    "attempt " + attempt + ": " + d);
        }
    }

    @Test
    void readinessAndMetricsOnTheManagementInterface() {
        await().atMost(WAIT).untilAsserted(() -> RestAssured.given().get(ready).then().statusCode(200)
                .body(containsString("\"cachesSynced\": \"true\""), containsString("\"shardsOwned\": \"256\"")));
        cluster.create(rr("rr-metrics", "metrics", TestCatalog.RESTART, "Deployment", "metrics"));
        awaitPhase("rr-metrics", EXECUTING);

        String body = RestAssured.given().get(metrics).then().statusCode(200).extract().asString();
        for (String name : List.of("orchestrator_reconciles_total{result=\"success\"}",
                "orchestrator_phase_transitions_total{from=\"Analyzing\",to=\"Executing\"}",
                "orchestrator_workflowexecutions_created_total", "orchestrator_lock_acquisition_attempts_total",
                "orchestrator_lock_acquisition_duration_seconds_count", "orchestrator_lock_hold_duration_seconds_count",
                "orchestrator_lease_api_calls_total{verb=\"create\"}",
                "orchestrator_lease_api_calls_total{verb=\"delete\"}", "orchestrator_lock_contention_total",
                "orchestrator_lock_takeovers_total",
                "orchestrator_blocked_wakeup_latency_seconds_count")) {
            assertTrue(body.contains(name), "metrics lack " + name);
        }
        // the gauges read the controller: the only replica owns every shard; its queue is a number, not NaN
        assertTrue(body.contains("\norchestrator_shards_owned 256.0"), "orchestrator_shards_owned of the only replica");
        assertTrue(java.util.regex.Pattern.compile("\norchestrator_workqueue_depth \\d+\\.0\n").matcher(body).find(),
                "orchestrator_workqueue_depth");
    }

    @Test
    void eventsAreRecordedForBlockedAndFailed() {
        cluster.create(rr("rr-ev-1", "ev-1", TestCatalog.RESTART, "Deployment", "events"));
        awaitPhase("rr-ev-1", EXECUTING);
        cluster.create(rr("rr-ev-2", "ev-2", TestCatalog.OOM, "Deployment", "events"));
        awaitPhase("rr-ev-2", BLOCKED);

        List<Event> events = await().atMost(WAIT).until(() -> cluster.eventsFor("rr-ev-2"), l -> !l.isEmpty());
        Event blocked = events.get(0);
        assertEquals("Normal", blocked.getType());
        assertEquals("ResourceBusy", blocked.getReason());
        assertEquals("RemediationRequest", blocked.getInvolvedObject().getKind());
        assertEquals("remediation-orchestrator", blocked.getSource().getComponent());
        assertEquals("ro-test-0", blocked.getReportingInstance());
    }
}
