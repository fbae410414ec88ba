package ai.kubernaut.gateway.dedup;

import static ai.kubernaut.gateway.dedup.TestSignals.NAMESPACE;
import static ai.kubernaut.gateway.dedup.TestSignals.countOf;
import static ai.kubernaut.gateway.dedup.TestSignals.randomFingerprint;
import static ai.kubernaut.gateway.dedup.TestSignals.rrsOf;
import static ai.kubernaut.gateway.dedup.TestSignals.setPhase;
import static ai.kubernaut.gateway.dedup.TestSignals.signal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.gateway.lock.Fabric8LeaseApi;
import ai.kubernaut.gateway.model.RemediationRequest;
import ai.kubernaut.gateway.model.RemediationRequestStatus;
import ai.kubernaut.gateway.model.RemediationRequestStatus.OverallPhase;
import ai.kubernaut.gateway.model.remediationrequeststatus.Deduplication;
import ai.kubernaut.testserver.Caller;
import ai.kubernaut.testserver.EmbeddedApiServer;
import ai.kubernaut.testserver.RequestRecord;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every stale-view case of ADR-052-002's addendum, against the strict test API server (the Gateway's deploy RBAC
 * enforced) and a view the test freezes: the decision may start from a wrong picture, the guarded writes must still end in exactly one active RR
 * per fingerprint and every accepted occurrence counted once.
 */
class StaleViewTest {

    /** A view that shows exactly what the test put in it, however old. */
    static final class FrozenView implements RemediationRequestView {
        final Map<String, List<RemediationRequest>> byFingerprint = new ConcurrentHashMap<>();

        void show(String fp, RemediationRequest... rrs) {
            byFingerprint.put(fp, List.of(rrs));
        }

        @Override
        public List<RemediationRequest> ofFingerprint(String fingerprint) {
            return byFingerprint.getOrDefault(fingerprint, List.of());
        }

        @Override
        public boolean synced() {
            return true;
        }
    }

    static EmbeddedApiServer cluster;
    KubernetesClient client;
    long mark;
    FrozenView view;
    SimpleMeterRegistry registry;
    DeduplicatingSignalRecorder recorder;

    @BeforeAll
    static void startCluster() {
        cluster = EmbeddedApiServer.builder().crds(Path.of("../deploy/crds"))
                .rbac("gateway-service", Path.of("../deploy/base/gateway-service/rbac.yaml")).keepRequestBodies()
                .start();
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    @BeforeEach
    void setUp() {
        recorder = recorder(RecorderSettings.defaults(NAMESPACE, "gateway-stale"));
    }

    DeduplicatingSignalRecorder recorder(RecorderSettings settings) {
        if (recorder != null) {
            recorder.close();
        }
        if (client == null) {
            client = new KubernetesClientBuilder().withConfig(EmbeddedApiServer.clientConfig(cluster.url(),
                    Caller.serviceAccountToken(NAMESPACE, "gateway-service", "gateway-stale"))).build();
        }
        view = new FrozenView();
        registry = new SimpleMeterRegistry();
        cluster.hook(null);
        return new DeduplicatingSignalRecorder(settings, client, view, null, new Fabric8LeaseApi(client, NAMESPACE),
                registry, Clock.systemUTC(), System::nanoTime,
                DeduplicatingSignalRecorder.backgroundExecutor("gateway-stale"));
    }

    @AfterEach
    void tearDown() {
        cluster.hook(null);
        recorder.close();
        client.close();
    }

    /** An RR as another replica created it, with its initial status (count 1, Pending). */
    RemediationRequest createdElsewhere(String fp, String predecessor) {
        RemediationRequest rr = RemediationRequestFactory.build(signal(fp), NAMESPACE,
                DedupRules.rrName(fp, predecessor), predecessor, "elsewhere");
        RemediationRequest created = cluster.admin().resources(RemediationRequest.class).inNamespace(NAMESPACE)
                .resource(rr).create();
        cluster.admin().resources(RemediationRequest.class).inNamespace(NAMESPACE)
                .withName(created.getMetadata().getName()).editStatus(r -> {
                    r.setStatus(new RemediationRequestStatus());
                    r.getStatus().setOverallPhase(OverallPhase.PENDING);
                    Deduplication d = new Deduplication();
                    d.setOccurrenceCount(1L);
                    d.setFirstSeenAt(ZonedDateTime.now(ZoneOffset.UTC).withNano(0));
                    d.setLastSeenAt(d.getFirstSeenAt());
                    r.getStatus().setDeduplication(d);
                    return r;
                });
        return get(created.getMetadata().getName());
    }

    RemediationRequest get(String name) {
        return cluster.admin().resources(RemediationRequest.class).inNamespace(NAMESPACE).withName(name).get();
    }

    List<RequestRecord> served(java.util.function.Predicate<RequestRecord> which) {
        return TestSignals.sentByGateway(cluster, mark, which);
    }

    long lists() {
        return served(r -> TestSignals.isRemediationRequest(r) && r.verb().equals("list")).size();
    }

    static MockResponse unavailable() {
        return EmbeddedApiServer.failure(503, "ServiceUnavailable", "injected by the test");
    }

    static String bodyOf(io.fabric8.mockwebserver.http.RecordedRequest r) {
        return r.getBody() == null ? "" : new String(r.getBody().getBytes(), StandardCharsets.UTF_8);
    }

    static boolean isStatusWriteByGateway(io.fabric8.mockwebserver.http.RecordedRequest r, Caller caller) {
        return ConflictAndFailureTest.isRrStatusWriteByGateway(r, caller);
    }

    @Test
    void viewMissingAJustCreatedRrTheFencedCreateFindsItAndCountsOnIt() {
        String fp = randomFingerprint();
        RemediationRequest other = createdElsewhere(fp, null);
        mark = cluster.mark();

        Recorded r = recorder.record(signal(fp)); // the view shows nothing for fp

        assertEquals(Recorded.Outcome.DUPLICATE, r.outcome());
        assertEquals(other.getMetadata().getName(), r.rrName());
        assertEquals(2, r.occurrenceCount(), "the creator's 1 + ours");
        assertEquals(List.of(other.getMetadata().getName()), rrsOf(cluster, fp).stream()
                .map(rr -> rr.getMetadata().getName()).toList(), "no second RR");
        assertEquals(2L, countOf(get(other.getMetadata().getName())));
        assertEquals(1, served(q -> TestSignals.isRemediationRequest(q) && q.verb().equals("create")
                && q.code() == 409).size(), "the fence answered 409");
        assertEquals(0, lists());
    }

    @Test
    void viewShowingAnRrActiveThatIsTerminalTheSignalIsNewAndNamedAfterIt() {
        String fp = randomFingerprint();
        RemediationRequest a = createdElsewhere(fp, null);
        view.show(fp, a); // the view still has it active
        setPhase(cluster, a.getMetadata().getName(), OverallPhase.COMPLETED);
        mark = cluster.mark();

        Recorded r = recorder.record(signal(fp));

        assertEquals(Recorded.Outcome.CREATED, r.outcome());
        assertEquals(DedupRules.rrName(fp, a.getMetadata().getName()), r.rrName());
        assertEquals(1L, countOf(get(a.getMetadata().getName())), "nothing counted on the terminal RR");
        assertEquals(1, served(q -> q.isStatusWrite() && q.code() == 409).size(),
                "the guarded patch on the stale copy was refused");
        assertEquals(0, lists());
    }

    @Test
    void viewBehindByTwoChainPositionsTheChainIsWalkedToTheActiveHead() {
        String fp = randomFingerprint();
        RemediationRequest a = createdElsewhere(fp, null);
        view.show(fp, a); // the view knows only A, still active
        setPhase(cluster, a.getMetadata().getName(), OverallPhase.FAILED);
        RemediationRequest b = createdElsewhere(fp, a.getMetadata().getName());
        setPhase(cluster, b.getMetadata().getName(), OverallPhase.COMPLETED);
        RemediationRequest c = createdElsewhere(fp, b.getMetadata().getName());
        mark = cluster.mark();

        Recorded r = recorder.record(signal(fp));

        assertEquals(Recorded.Outcome.DUPLICATE, r.outcome());
        assertEquals(c.getMetadata().getName(), r.rrName());
        assertEquals(2, r.occurrenceCount());
        assertEquals(3, rrsOf(cluster, fp).size(), "no fourth RR");
        assertEquals(2L, countOf(get(c.getMetadata().getName())));
        assertEquals(1L, countOf(get(a.getMetadata().getName())));
        assertEquals(1L, countOf(get(b.getMetadata().getName())));
        assertEquals(0, lists());
    }

    @Test
    void aConflictOnTheDuplicatePatchRereadsByNameAndCountsOnTheFreshCopy() {
        String fp = randomFingerprint();
        RemediationRequest a = createdElsewhere(fp, null);
        view.show(fp, a);
        // another replica counted 4 more since the view's copy
        cluster.admin().resources(RemediationRequest.class).inNamespace(NAMESPACE).withName(a.getMetadata().getName())
                .editStatus(rr -> {
                    rr.getStatus().getDeduplication().setOccurrenceCount(5L);
                    return rr;
                });
        mark = cluster.mark();

        Recorded r = recorder.record(signal(fp));

        assertEquals(Recorded.Outcome.DUPLICATE, r.outcome());
        assertEquals(6, r.occurrenceCount(), "counted on the fresh copy, not on the stale one");
        assertEquals(6L, countOf(get(a.getMetadata().getName())));
        assertEquals(List.of("patch 409", "get ok", "patch ok"), served(q -> TestSignals.isRemediationRequest(q)
                && !q.verb().equals("watch")).stream().map(q -> q.verb() + (q.code() == 409 ? " 409" : " ok"))
                .toList());
    }

    @Test
    void viewStillShowingADeletedRrTheSignalIsNew() {
        String fp = randomFingerprint();
        RemediationRequest a = createdElsewhere(fp, null);
        view.show(fp, a);
        cluster.admin().resources(RemediationRequest.class).inNamespace(NAMESPACE).withName(a.getMetadata().getName())
                .delete();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> get(a.getMetadata().getName()) == null);

        Recorded r = recorder.record(signal(fp));

        assertEquals(Recorded.Outcome.CREATED, r.outcome());
        assertEquals(1, rrsOf(cluster, fp).size());
        assertEquals(1L, countOf(rrsOf(cluster, fp).get(0)));
    }

    @Test
    void aTerminalRrFoundBehindTheFenceContinuesTheChainInTheSameLockSession() {
        String fp = randomFingerprint();
        RemediationRequest a = createdElsewhere(fp, null);
        setPhase(cluster, a.getMetadata().getName(), OverallPhase.COMPLETED);
        mark = cluster.mark();

        Recorded r = recorder.record(signal(fp)); // the view shows nothing: the fence finds A terminal

        assertEquals(Recorded.Outcome.CREATED, r.outcome());
        assertEquals(DedupRules.rrName(fp, a.getMetadata().getName()), r.rrName());
        assertEquals(1, served(q -> q.isLease() && q.verb().equals("create")).size(), "one Lease");
    }

    @Test
    void aStatusWriteWithoutAnswerAfterWhichTheRrChangedIs503NotA500() {
        String fp = randomFingerprint();
        RemediationRequest a = createdElsewhere(fp, null);
        view.show(fp, a);
        AtomicBoolean once = new AtomicBoolean();
        // the patch is applied, then the answer is lost
        cluster.hook((request, caller) -> {
            if (isStatusWriteByGateway(request, caller) && once.compareAndSet(false, true)) {
                cluster.direct(HttpMethod.PATCH, request.getPath().split("\\?")[0], "application/merge-patch+json",
                        bodyOf(request));
                return unavailable();
            }
            return null;
        });

        RecordingFailure f = assertThrows(RecordingFailure.class, () -> recorder.record(signal(fp)));

        assertEquals(RecordingFailure.Reason.API_UNAVAILABLE, f.reason(), f.getMessage());
        assertNotNull(f.retryAfter());
        assertEquals(2L, countOf(get(a.getMetadata().getName())),
                "the 5xx occurrence was counted: a client retry may count it twice (the documented semantics)");
    }

    @Test
    void aCallThatGetsNoAnswerEndsAtTheDeadlineWith504AndRetryAfter() {
        recorder = recorder(RecorderSettings.defaults(NAMESPACE, "gateway-stale")
                .withKubernetesDeadline(Duration.ofMillis(1500)));
        String fp = randomFingerprint();
        cluster.hook((request, caller) -> request.getMethod().equals("POST") && request.getPath().contains("/leases")
                && !caller.isAdmin() ? unavailable().setBodyDelay(Duration.ofSeconds(20)) : null);
        long t0 = System.nanoTime();

        RecordingFailure f = assertThrows(RecordingFailure.class, () -> recorder.record(signal(fp)));

        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(RecordingFailure.Reason.KUBERNETES_DEADLINE, f.reason(), f.getMessage());
        assertNotNull(f.retryAfter());
        assertTrue(ms < 2500, "the Lease call waited only what was left of the 1.5 s deadline: " + ms + " ms");
    }

    @Test
    void anInitialStatusWriteDroppedOnTheRequestPathLandsAfterTheAnswer() {
        recorder = recorder(RecorderSettings.defaults(NAMESPACE, "gateway-stale")
                .withKubernetesDeadline(Duration.ofSeconds(1)));
        String fp = randomFingerprint();
        AtomicBoolean drop = new AtomicBoolean(true);
        cluster.hook((request, caller) -> drop.get() && isStatusWriteByGateway(request, caller)
                ? unavailable() : null);

        Recorded r = recorder.record(signal(fp));
        assertEquals(Recorded.Outcome.CREATED, r.outcome(), "the create succeeded: 201");
        RemediationRequest stored = get(r.rrName());
        assertTrue(stored.getStatus() == null || stored.getStatus().getDeduplication() == null,
                "every write of the request path was dropped");
        drop.set(false);

        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> {
            RemediationRequest now = get(r.rrName());
            return now.getStatus() != null && now.getStatus().getDeduplication() != null;
        });
        RemediationRequest repaired = get(r.rrName());
        assertEquals(1L, countOf(repaired));
        assertEquals(OverallPhase.PENDING, repaired.getStatus().getOverallPhase());
        assertEquals(1.0, registry.find("gateway.status.repairs").tag("result", "written").counter().count());
    }

    @Test
    void aDuplicatesWriteSupersedesADroppedInitialStatusWithTheCorrectCount() {
        recorder = recorder(RecorderSettings.defaults(NAMESPACE, "gateway-stale")
                .withKubernetesDeadline(Duration.ofSeconds(1)));
        String fp = randomFingerprint();
        // drop exactly the creator's write (count 1), let the duplicate's through
        cluster.hook((request, caller) -> isStatusWriteByGateway(request, caller)
                && bodyOf(request).contains("\"occurrenceCount\":1}") ? unavailable() : null);

        Recorded created = recorder.record(signal(fp));
        Recorded dup = recorder.record(signal(fp));

        assertEquals(Recorded.Outcome.CREATED, created.outcome());
        assertEquals(Recorded.Outcome.DUPLICATE, dup.outcome());
        assertEquals(2, dup.occurrenceCount());
        RemediationRequest rr = get(created.rrName());
        assertEquals(2L, countOf(rr), "the duplicate's write stands for the creator's occurrence too");
        assertEquals(OverallPhase.PENDING, rr.getStatus().getOverallPhase(), "and sets the phase it would have set");
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> registry.find("gateway.status.repairs")
                .tag("result", "superseded").counter() != null);
        assertEquals(2L, countOf(get(created.rrName())), "the repair did not lower or add to it");
    }
}
