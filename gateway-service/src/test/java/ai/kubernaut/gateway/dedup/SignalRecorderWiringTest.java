package ai.kubernaut.gateway.dedup;

import static ai.kubernaut.gateway.dedup.TestSignals.NAMESPACE;
import static ai.kubernaut.gateway.dedup.TestSignals.countOf;
import static ai.kubernaut.gateway.dedup.TestSignals.randomFingerprint;
import static ai.kubernaut.gateway.dedup.TestSignals.rrsOf;
import static ai.kubernaut.gateway.dedup.TestSignals.signal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.gateway.cluster.TestApiServerResource;
import ai.kubernaut.testserver.EmbeddedApiServer;
import ai.kubernaut.testserver.RequestRecord;
import ai.kubernaut.gateway.model.RemediationRequest;
import ai.kubernaut.gateway.model.RemediationRequestStatus.OverallPhase;
import ai.kubernaut.gateway.signal.Signal;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The recorder as the application wires it, against the CRUD mock: what it writes and what it costs. */
@QuarkusTest
@QuarkusTestResource(value = TestApiServerResource.class, restrictToAnnotatedClass = false)
class SignalRecorderWiringTest {

    @Inject
    SignalRecorder recorder;

    @Inject
    MeterRegistry registry;

    @Inject
    io.fabric8.kubernetes.client.KubernetesClient client;

    final EmbeddedApiServer cluster = TestApiServerResource.server();
    /** Where this test's requests start in the server's log (a new test instance per test). */
    long mark = cluster.mark();

    @org.junit.jupiter.api.BeforeEach
    void viewSynced() {
        // the informer's first LIST is start-up, not the signal path: let it happen before any counting
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(((DeduplicatingSignalRecorder) recorder)::ready);
        mark = cluster.mark();
    }

    @Test
    void anActiveRrWithFractionalSecondTimestampsStillCountsDuplicates() {
        String fp = randomFingerprint();
        Recorded first = recorder.record(signal(fp));
        // another writer stored a valid RFC 3339 time with fractions; the generated model's pattern has whole
        // seconds only, and an unreadable RR used to fail every lookup of its fingerprint
        client.resources(RemediationRequest.class).inNamespace(NAMESPACE).withName(first.rrName())
                .subresource("status").patch(io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                        io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
                        "{\"status\":{\"deduplication\":{\"lastSeenAt\":\"2026-11-22T06:23:25.715006416Z\"}}}");

        Recorded second = recorder.record(signal(fp));

        assertEquals(Recorded.Outcome.DUPLICATE, second.outcome());
        assertEquals(first.rrName(), second.rrName());
        assertEquals(2, second.occurrenceCount());
        assertEquals(2L, client.resources(RemediationRequest.class).inNamespace(NAMESPACE).withName(first.rrName())
                .get().getStatus().getDeduplication().getOccurrenceCount());
    }

    @Test
    void newSignalCreatesAPendingRrWithItsSpecLabelsAndFirstOccurrence() {
        String fp = randomFingerprint();
        Signal s = signal(fp);
        Recorded r = recorder.record(s);

        assertEquals(Recorded.Outcome.CREATED, r.outcome());
        assertEquals(1, r.occurrenceCount());
        assertEquals(NAMESPACE, r.rrNamespace());
        assertEquals(DedupRules.rrName(fp, null), r.rrName());
        assertTrue(r.rrName().matches("rr-" + fp.substring(0, 12) + "-[0-9a-f]{8}"), r.rrName());

        List<RemediationRequest> rrs = rrsOf(cluster, fp);
        assertEquals(1, rrs.size());
        RemediationRequest rr = rrs.get(0);
        assertEquals(r.rrName(), rr.getMetadata().getName());
        assertEquals("gateway-service", rr.getMetadata().getLabels().get("app.kubernetes.io/managed-by"));
        assertEquals("remediation", rr.getMetadata().getLabels().get("app.kubernetes.io/component"));
        assertEquals(fp.substring(0, 63), rr.getMetadata().getLabels().get("kubernaut.ai/fingerprint"));
        assertEquals(DedupRules.shardOf(s.resource()), rr.getMetadata().getLabels().get("kubernaut.ai/shard"),
                "the orchestrator's shard of the target, so that its owner watches this RR without a relabel");
        assertNull(rr.getMetadata().getAnnotations().get(DedupRules.SUPERSEDES_ANNOTATION));
        var spec = rr.getSpec();
        assertEquals(fp, spec.getSignalFingerprint());
        assertEquals("KubePodCrashLooping", spec.getSignalName());
        assertEquals("critical", spec.getSeverity());
        assertEquals("prometheus-alert", spec.getSignalType());
        assertEquals("alertmanager", spec.getSignalSource());
        assertEquals("kubernetes", spec.getTargetType().getValue());
        assertEquals("Deployment", spec.getTargetResource().getKind());
        assertEquals("payments", spec.getTargetResource().getName());
        assertEquals("shop", spec.getTargetResource().getNamespace());
        assertEquals("apps/v1", spec.getTargetResource().getApiVersion());
        assertEquals("prod-eu-1", spec.getClusterID());
        assertEquals(s.firingTime(), spec.getFiringTime().toInstant());
        assertEquals(DedupRules.truncate(s.receivedTime()), spec.getReceivedTime().toInstant());
        assertEquals(s.labels(), spec.getSignalLabels());
        assertEquals(s.annotations(), spec.getSignalAnnotations());
        assertEquals(s.originalPayload(), spec.getOriginalPayload());
        assertEquals(OverallPhase.PENDING, rr.getStatus().getOverallPhase());
        assertNotNull(rr.getStatus().getPhaseStartedAt());
        assertEquals(1L, countOf(rr));
        assertEquals(DedupRules.truncate(s.receivedTime()), rr.getStatus().getDeduplication().getFirstSeenAt().toInstant());
    }

    @Test
    void duplicateCountsOnTheActiveRrAndTouchesNoLease() {
        String fp = randomFingerprint();
        Recorded first = recorder.record(signal(fp));
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> leaseGone(fp));
        mark = cluster.mark();

        Recorded second = recorder.record(signal(fp));
        Recorded third = recorder.record(signal(fp));

        assertEquals(Recorded.Outcome.DUPLICATE, second.outcome());
        assertEquals(first.rrName(), second.rrName());
        assertEquals(2, second.occurrenceCount());
        assertEquals(3, third.occurrenceCount());
        assertEquals(3L, countOf(rrsOf(cluster, fp).get(0)));
        assertEquals(List.of(), TestSignals.sentByGateway(cluster, mark, RequestRecord::isLease), "a duplicate costs 0 Lease calls");
        assertTrue(registry.find("gateway.signals.deduplicated").counter().count() >= 2);
        assertTrue(registry.find("gateway.signals.deduplicated").counters().stream()
                        .allMatch(c -> c.getId().getTags().isEmpty()),
                "no per-alert-name label: alert names are unbounded, so would the series be");
    }

    @Test
    void uncontendedNewSignalCostsOneLeaseCreateOnTheCriticalPathAndOneDeleteAfter() {
        String fp = randomFingerprint();
        mark = cluster.mark();
        recorder.record(signal(fp));
        // the release runs after the answer; wait for it, then count everything
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> leaseGone(fp));
        List<RequestRecord> leaseCalls = TestSignals.sentByGateway(cluster, mark, RequestRecord::isLease);
        assertEquals(2, leaseCalls.size(), () -> "lease calls: " + leaseCalls);
        assertEquals("POST", leaseCalls.get(0).method());
        assertEquals(201, leaseCalls.get(0).code());
        assertEquals("DELETE", leaseCalls.get(1).method());
        assertTrue(leaseCalls.get(1).body().contains("\"resourceVersion\""), "release carries a precondition");
        // and the RR side: create, status write; no LIST (the view decides), no GET before the patch
        List<RequestRecord> rrServed = TestSignals.sentByGateway(cluster, mark,
                r -> TestSignals.isRemediationRequest(r) && !r.verb().equals("watch"));
        List<String> rrCalls = rrServed.stream().map(c -> c.method() + (c.isStatusWrite() ? " status" : "")).toList();
        assertEquals(List.of("POST", "PATCH status"), rrCalls, () -> "" + rrServed);
    }

    /** Holds submitted tasks until the test runs them. */
    /** Holds submitted tasks until the test runs them (scheduled ones run on the real pool). */
    static final class HeldExecutor extends java.util.concurrent.ScheduledThreadPoolExecutor {
        final java.util.Queue<Runnable> tasks = new java.util.concurrent.ConcurrentLinkedQueue<>();
        volatile boolean shutdown;

        HeldExecutor() {
            super(1);
        }

        void runAll() {
            for (Runnable r; (r = tasks.poll()) != null;) {
                r.run();
            }
        }

        @Override
        public void execute(Runnable command) {
            tasks.add(command);
        }

        @Override
        public void shutdown() {
            shutdown = true;
            super.shutdownNow();
        }

        @Override
        public List<Runnable> shutdownNow() {
            shutdown = true;
            super.shutdownNow();
            return List.copyOf(tasks);
        }

        @Override
        public boolean isShutdown() {
            return shutdown;
        }

        @Override
        public boolean isTerminated() {
            return shutdown && tasks.isEmpty();
        }

        @Override
        public boolean awaitTermination(long timeout, java.util.concurrent.TimeUnit unit) {
            runAll();
            return true;
        }
    }

    @Test
    void onlyTheLeaseCreateIsOnTheCriticalPathTheDeleteRunsAfterTheAnswer() {
        String fp = randomFingerprint();
        HeldExecutor held = new HeldExecutor();
        try (var client = TestApiServerResource.gatewayClient("gateway-held", b -> { });
                var view = InformerView.start(client, NAMESPACE, ai.kubernaut.gateway.kube.InformerRestarts.standard("test-informer-restarts"));
                var r = new DeduplicatingSignalRecorder(RecorderSettings.defaults(NAMESPACE, "gateway-held"), client,
                        view, null, new ai.kubernaut.gateway.lock.Fabric8LeaseApi(client, NAMESPACE),
                        new io.micrometer.core.instrument.simple.SimpleMeterRegistry(), java.time.Clock.systemUTC(),
                        System::nanoTime, held)) {
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(r::ready);
            mark = cluster.mark();
            assertEquals(Recorded.Outcome.CREATED, r.record(signal(fp)).outcome());
            assertEquals(List.of("POST 201"), leaseCalls(), "one Lease call before the answer");
            assertTrue(!leaseGone(fp), "still held until the release runs");
            held.runAll();
            assertEquals(List.of("POST 201", "DELETE 200"), leaseCalls());
            assertTrue(leaseGone(fp));
        }
    }

    List<String> leaseCalls() {
        return TestSignals.sentByGateway(cluster, mark, RequestRecord::isLease).stream().map(c -> c.method() + " " + c.code()).toList();
    }

    boolean leaseGone(String fp) {
        return cluster.admin().leases().inNamespace(NAMESPACE)
                .withName(ai.kubernaut.gateway.lock.LockSettings.gateway(NAMESPACE, "x", Duration.ofSeconds(30))
                        .leaseName(fp)).get() == null;
    }

    @Test
    void theRecorderIsTheApplicationsSignalRecorder() {
        DeduplicatingSignalRecorder r = assertInstanceOf(DeduplicatingSignalRecorder.class, unwrap(recorder));
        assertEquals("gateway-test-0", r.settings().podName());
        assertEquals(NAMESPACE, r.settings().namespace());
        assertEquals(Duration.ofSeconds(30), r.settings().leaseDuration());
        assertEquals(Duration.ofSeconds(15), r.settings().kubernetesDeadline());
        assertTrue(r.settings().lockEnabled());
        assertEquals(0, client.getConfiguration().getRequestRetryBackoffLimit(),
                "fabric8's own retries are off: they would outlast the deadline");
        assertNotNull(registry.find("gateway.lock.acquisition.attempts").counter());
        assertNotNull(registry.find("gateway.status.writes").counters());
    }

    @Inject
    io.micrometer.prometheus.PrometheusMeterRegistry prometheus;

    @Test
    void prometheusNamesAreTheContractsNames() {
        String fp = randomFingerprint();
        recorder.record(signal(fp));
        recorder.record(signal(fp));
        String text = prometheus.scrape();
        for (String name : List.of("\ngateway_signals_deduplicated_total ",
                "gateway_crds_created_total", "gateway_crd_creation_errors_total",
                "gateway_lock_acquisition_attempts_total", "gateway_lock_acquisition_failures_total{reason=\"timeout\"",
                "gateway_lock_contention_total", "gateway_lock_takeovers_total", "gateway_lock_retry_timeout_total",
                "gateway_lock_acquisition_duration_seconds_bucket", "gateway_lock_hold_duration_seconds_count",
                "gateway_lease_api_calls_total{verb=\"create\"", "gateway_lease_api_calls_total{verb=\"delete\"",
                "gateway_status_writes_total{result=\"stored\"")) {
            assertTrue(text.contains(name), () -> name + " missing from /metrics");
        }
    }

    static Object unwrap(Object bean) {
        return bean instanceof io.quarkus.arc.ClientProxy p ? p.arc_contextualInstance() : bean;
    }
}
