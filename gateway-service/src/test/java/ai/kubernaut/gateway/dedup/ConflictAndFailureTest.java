package ai.kubernaut.gateway.dedup;

import static ai.kubernaut.gateway.dedup.TestSignals.NAMESPACE;
import static org.awaitility.Awaitility.await;
import static ai.kubernaut.gateway.dedup.TestSignals.countOf;
import static ai.kubernaut.gateway.dedup.TestSignals.randomFingerprint;
import static ai.kubernaut.gateway.dedup.TestSignals.rrsOf;
import static ai.kubernaut.gateway.dedup.TestSignals.setPhase;
import static ai.kubernaut.gateway.dedup.TestSignals.signal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.backoff.BackoffPolicy;
import ai.kubernaut.gateway.cluster.TestApiServerResource;
import ai.kubernaut.gateway.dedup.ConcurrentSignals.Answer;
import ai.kubernaut.gateway.lock.LockSettings;
import ai.kubernaut.gateway.model.RemediationRequest;
import ai.kubernaut.gateway.model.RemediationRequestStatus.OverallPhase;
import ai.kubernaut.testserver.Caller;
import ai.kubernaut.testserver.EmbeddedApiServer;
import ai.kubernaut.testserver.RequestRecord;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.function.Predicate;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The paths a quiet cluster never takes: stale status writes (409, as the strict test API server answers them
 * like a real one), RRs turning terminal under us, API faults, a Lease that stays held, and the deadline.
 */
@QuarkusTest
@QuarkusTestResource(value = TestApiServerResource.class, restrictToAnnotatedClass = false)
class ConflictAndFailureTest {

    final EmbeddedApiServer cluster = TestApiServerResource.server();
    /** Where this test's requests start in the server's log (a new test instance per test). */
    long mark = cluster.mark();

    List<RequestRecord> served(Predicate<RequestRecord> which) {
        return TestSignals.sentByGateway(cluster, mark, which);
    }

    @AfterEach
    void tearDown() {
        cluster.hook(null);
    }

    static boolean isRrStatusWriteByGateway(RecordedRequest r, Caller caller) {
        return !caller.isAdmin() && r.getPath().contains("/remediationrequests/")
                && r.getPath().split("\\?")[0].endsWith("/status") && !r.getMethod().equals("GET");
    }

    @Test
    void theHarnessRejectsAStaleStatusPutLikeARealServer() {
        String fp = randomFingerprint();
        try (var replicas = new TestSignals.Replicas(cluster, 1, s -> s)) {
            replicas.get(0).record(signal(fp));
        }
        var rrs = cluster.admin().resources(RemediationRequest.class).inNamespace(NAMESPACE);
        RemediationRequest stale = rrsOf(cluster, fp).get(0);
        setPhase(cluster, stale.getMetadata().getName(), OverallPhase.PROCESSING); // another writer moves it on
        stale.getStatus().getDeduplication().setOccurrenceCount(99L);
        KubernetesClientException e = assertThrows(KubernetesClientException.class,
                () -> rrs.resource(stale).updateStatus());
        assertEquals(409, e.getCode());
        assertEquals(1L, countOf(rrsOf(cluster, fp).get(0)));
    }

    @Test
    void concurrentWritersMakeStatusWritesConflictAndRetriesKeepTheCountExact() throws Exception {
        String fp = randomFingerprint();
        AtomicInteger writes = new AtomicInteger();
        AtomicInteger interfered = new AtomicInteger();
        // every other status write of the Gateway: the orchestrator writes the RR's status just before it
        cluster.hook((request, caller) -> {
            if (isRrStatusWriteByGateway(request, caller) && writes.incrementAndGet() % 2 == 0) {
                String path = request.getPath().split("\\?")[0];
                cluster.direct(HttpMethod.PATCH, path, "application/merge-patch+json",
                        "{\"status\":{\"observedGeneration\":" + interfered.incrementAndGet() + "}}");
            }
            return null;
        });
        try (var replicas = new TestSignals.Replicas(cluster, 3, s -> s)) {
            List<Answer> answers = ConcurrentSignals.run(60, 1, i -> replicas.get(i % 3), i -> signal(fp));
            RemediationRequest rr = ReplicaRaceTest.assertExact(cluster, fp, answers, 60);
            assertEquals((long) interfered.get(), rr.getStatus().getObservedGeneration(),
                    "the other writer's fields survived every Gateway write");
            long conflicts = served(s -> s.isStatusWrite() && s.code() == 409).size();
            assertTrue(conflicts >= 1, "conflicts happened: " + conflicts);
            assertEquals(conflicts, (long) replicas.counterSum("gateway.status.writes", "result", "conflict"));
        }
    }

    @Test
    void aTerminalRrIsSupersededByANewOneNamedAfterIt() {
        String fp = randomFingerprint();
        try (var replicas = new TestSignals.Replicas(cluster, 1, s -> s)) {
            Recorded first = replicas.get(0).record(signal(fp));
            setPhase(cluster, first.rrName(), OverallPhase.BLOCKED);
            assertEquals(Recorded.Outcome.DUPLICATE, replicas.get(0).record(signal(fp)).outcome(),
                    "Blocked is active");
            setPhase(cluster, first.rrName(), OverallPhase.COMPLETED);

            Recorded second = replicas.get(0).record(signal(fp));
            assertEquals(Recorded.Outcome.CREATED, second.outcome());
            assertEquals(DedupRules.rrName(fp, first.rrName()), second.rrName());
            assertEquals(1, second.occurrenceCount());
            RemediationRequest rr2 = cluster.admin().resources(RemediationRequest.class).inNamespace(NAMESPACE)
                    .withName(second.rrName()).get();
            assertEquals(first.rrName(), rr2.getMetadata().getAnnotations().get(DedupRules.SUPERSEDES_ANNOTATION));

            setPhase(cluster, second.rrName(), OverallPhase.FAILED);
            Recorded third = replicas.get(0).record(signal(fp));
            assertEquals(DedupRules.rrName(fp, second.rrName()), third.rrName(), "the chain goes on from its head");
            assertEquals(Recorded.Outcome.DUPLICATE, replicas.get(0).record(signal(fp)).outcome());
            assertEquals(3, rrsOf(cluster, fp).size());
        }
    }

    @Test
    void anRrThatTurnsTerminalBeforeTheDuplicateIsStoredMakesTheSignalNew() {
        String fp = randomFingerprint();
        try (var replicas = new TestSignals.Replicas(cluster, 1, s -> s)) {
            Recorded first = replicas.get(0).record(signal(fp));
            AtomicBoolean once = new AtomicBoolean();
            // between the Gateway's lookup (active) and its status write, the orchestrator completes the RR
            cluster.hook((request, caller) -> {
                if (isRrStatusWriteByGateway(request, caller) && request.getPath().contains(first.rrName())
                        && once.compareAndSet(false, true)) {
                    cluster.direct(HttpMethod.PATCH, request.getPath().split("\\?")[0], "application/merge-patch+json",
                            "{\"status\":{\"overallPhase\":\"Completed\"}}");
                }
                return null;
            });
            Recorded second = replicas.get(0).record(signal(fp));
            assertEquals(Recorded.Outcome.CREATED, second.outcome());
            assertEquals(DedupRules.rrName(fp, first.rrName()), second.rrName());
            RemediationRequest old = cluster.admin().resources(RemediationRequest.class).inNamespace(NAMESPACE)
                    .withName(first.rrName()).get();
            assertEquals(1L, countOf(old), "nothing was counted on the terminal RR");
        }
    }

    /**
     * The orchestrator finished the RR between its create and the creator's status write (it lost with 409): the
     * creator's occurrence is still counted on that RR, and its terminal phase is kept.
     */
    @Test
    void anRrThatTurnsTerminalBeforeItsInitialStatusLandsStillCountsItsCreator() {
        String fp = randomFingerprint();
        try (var replicas = new TestSignals.Replicas(cluster, 1, s -> s)) {
            AtomicBoolean once = new AtomicBoolean();
            cluster.hook((request, caller) -> {
                if (isRrStatusWriteByGateway(request, caller) && once.compareAndSet(false, true)) {
                    cluster.direct(HttpMethod.PATCH, request.getPath().split("\\?")[0], "application/merge-patch+json",
                            "{\"status\":{\"overallPhase\":\"Completed\"}}");
                }
                return null;
            });
            Recorded created = replicas.get(0).record(signal(fp));
            assertEquals(Recorded.Outcome.CREATED, created.outcome());
            assertTrue(once.get(), "the creator's first status write met the completed RR");
            RemediationRequest rr = cluster.admin().resources(RemediationRequest.class).inNamespace(NAMESPACE)
                    .withName(created.rrName()).get();
            assertEquals(1L, countOf(rr), "the creator's occurrence is on its RR");
            assertEquals(OverallPhase.COMPLETED, rr.getStatus().getOverallPhase(), "the terminal phase stands");
        }
    }

    @Test
    void aStatusWriteMeetingATypeNotServedIsRetriedNotTakenForADeletedRr() {
        // right after an API server restart a custom type answers 404 with no Status naming an object until its CRD
        // is served again; the creator's first status write took that for "RR deleted" and its occurrence was lost
        String fp = randomFingerprint();
        try (var replicas = new TestSignals.Replicas(cluster, 1, s -> s)) {
            AtomicInteger notServed = new AtomicInteger();
            cluster.hook((request, caller) -> isRrStatusWriteByGateway(request, caller)
                    && notServed.incrementAndGet() <= 2
                    ? new MockResponse().setResponseCode(404).setHeader("Content-Type", "text/plain")
                            .setBody("404 page not found\n")
                    : null);
            Recorded created = replicas.get(0).record(signal(fp));
            assertEquals(Recorded.Outcome.CREATED, created.outcome());
            assertTrue(notServed.get() >= 3, "the write was retried after the 404s: " + notServed.get());
            RemediationRequest rr = cluster.admin().resources(RemediationRequest.class).inNamespace(NAMESPACE)
                    .withName(created.rrName()).get();
            assertEquals(1L, countOf(rr), "the creator's occurrence is on its RR");
            Recorded duplicate = replicas.get(0).record(signal(fp));
            assertEquals(Recorded.Outcome.DUPLICATE, duplicate.outcome());
            assertEquals(2L, countOf(rrsOf(cluster, fp).get(0)));
        }
    }

    @Test
    void signalsAcrossAnApiServerRestartAreCountedOnceTheTypesAreServedAgain() {
        String fp = randomFingerprint();
        String fresh = randomFingerprint();
        try (var replicas = new TestSignals.Replicas(cluster, 2, s -> s)) {
            assertEquals(Recorded.Outcome.CREATED, replicas.get(0).record(signal(fp)).outcome());
            int broken = cluster.restart(Duration.ofSeconds(2), 3);
            assertTrue(broken >= 2, "each replica's RR watch was dropped: " + broken);
            // a sender retries a 5xx (Retry-After) until it is accepted; each accepted signal is counted once
            long accepted = 1 + recordUntilAccepted(replicas.get(1), fp) + recordUntilAccepted(replicas.get(0), fresh);
            await().atMost(Duration.ofSeconds(30)).until(() -> replicas.recorders.stream()
                    .allMatch(r -> r.ready() && r.waitingFor().isEmpty()));
            // the test's own LISTs may meet what is left of the 429 window too
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> rrsOf(cluster, fresh).size() == 1);
            assertEquals(2L, countOf(rrsOf(cluster, fp).get(0)));
            assertEquals(1, rrsOf(cluster, fresh).size());
            assertEquals(1L, countOf(rrsOf(cluster, fresh).get(0)));
            assertEquals(3, accepted);
        }
    }

    /** Records like a sender that retries 5xx answers: 1 once accepted (the failures may have counted too). */
    static long recordUntilAccepted(DeduplicatingSignalRecorder recorder, String fp) {
        return await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            try {
                recorder.record(signal(fp));
                return 1L;
            } catch (RecordingFailure e) {
                assertTrue(e.retryAfter() != null, "a transient failure says when to retry: " + e.getMessage());
                return 0L;
            }
        }, accepted -> accepted == 1L);
    }

    static boolean isRrCreateByGateway(RecordedRequest r, Caller caller) {
        return r.getMethod().equals("POST") && !caller.isAdmin()
                && r.getPath().split("\\?")[0].endsWith("/remediationrequests");
    }

    @Test
    void transientFaultsAreRetriedAndPersistentOnesAnswerApiUnavailableWithRetryAfter() {
        String fp = randomFingerprint();
        AtomicInteger failCreates = new AtomicInteger(2);
        cluster.hook((request, caller) -> isRrCreateByGateway(request, caller) && failCreates.getAndDecrement() > 0
                ? serverError(503) : null);
        try (var replicas = new TestSignals.Replicas(cluster, 1, s -> s)) {
            assertEquals(Recorded.Outcome.CREATED, replicas.get(0).record(signal(fp)).outcome());

            String other = randomFingerprint();
            mark = cluster.mark();
            cluster.hook((request, caller) -> isRrCreateByGateway(request, caller) ? serverError(500) : null);
            RecordingFailure f = assertThrows(RecordingFailure.class, () -> replicas.get(0).record(signal(other)));
            assertEquals(RecordingFailure.Reason.API_UNAVAILABLE, f.reason(), f.getMessage());
            assertEquals(Duration.ofSeconds(5), f.retryAfter());
            assertEquals(3, served(s -> s.verb().equals("create") && TestSignals.isRemediationRequest(s)).size(),
                    "bounded: api-max-attempts");
            assertEquals(List.of(), rrsOf(cluster, other));
        }
    }

    @Test
    void aForbiddenCreateIsAnApiErrorAndLeavesNoLeaseBehind() {
        String fp = randomFingerprint();
        cluster.hook((request, caller) -> request.getMethod().equals("POST")
                && request.getPath().endsWith("/remediationrequests") && !caller.isAdmin()
                ? EmbeddedApiServer.failure(403, "Forbidden", "injected by the test") : null);
        try (var replicas = new TestSignals.Replicas(cluster, 1, s -> s)) {
            RecordingFailure f = assertThrows(RecordingFailure.class, () -> replicas.get(0).record(signal(fp)));
            assertEquals(RecordingFailure.Reason.API_ERROR, f.reason());
            assertNull(f.retryAfter(), "retrying a 403 will not help");
            assertEquals(1, replicas.counter(0, "gateway.crd.creation.errors", "error_type", "forbidden"));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> cluster.admin().leases()
                    .inNamespace(NAMESPACE).withName(leaseName(fp)).get() == null); // released after the answer
            assertEquals(List.of(), rrsOf(cluster, fp));
        }
    }

    @Test
    void aTransientLeaseApiFaultIsNotContentionButApiUnavailable() {
        String fp = randomFingerprint();
        mark = cluster.mark();
        cluster.hook((request, caller) -> request.getMethod().equals("POST") && request.getPath().endsWith("/leases")
                ? serverError(500) : null);
        try (var replicas = new TestSignals.Replicas(cluster, 1, s -> s)) {
            RecordingFailure f = assertThrows(RecordingFailure.class, () -> replicas.get(0).record(signal(fp)));
            assertEquals(RecordingFailure.Reason.API_UNAVAILABLE, f.reason());
            assertEquals(Duration.ofSeconds(5), f.retryAfter());
            assertEquals(1, served(RequestRecord::isLease).size(), "not retried as contention");
            assertEquals(0, replicas.counter(0, "gateway.lock.contention"));
            assertEquals(1, replicas.counter(0, "gateway.lock.acquisition.failures", "reason", "api_error"));
        }
    }

    static io.fabric8.mockwebserver.http.MockResponse serverError(int code) {
        return EmbeddedApiServer.failure(code, "InternalError", "injected by the test");
    }

    static String leaseName(String fp) {
        return LockSettings.gateway("x", "x", Duration.ofSeconds(30)).leaseName(fp);
    }

    void holdLeaseForever(String fp) {
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        cluster.admin().leases().inNamespace(NAMESPACE).resource(new LeaseBuilder().withNewMetadata()
                .withName(leaseName(fp)).endMetadata().withNewSpec().withHolderIdentity("gateway-stuck/feed")
                .withAcquireTime(now).withRenewTime(now).withLeaseDurationSeconds(3600).endSpec().build()).create();
    }

    /** The ADR schedule's 10 attempts, with delays of a millisecond so the test is quick. */
    static BackoffPolicy fastTenAttempts() {
        return BackoffPolicy.builder().baseDelay(Duration.ofMillis(1)).maxDelay(Duration.ofMillis(5)).jitter(0.1)
                .maxAttempts(10).build();
    }

    @Test
    void aLeaseHeldThroughEveryAttemptIsALockTimeoutWithRetryAfter() {
        String fp = randomFingerprint();
        holdLeaseForever(fp);
        mark = cluster.mark();
        // the wait for the unseen holder's RR (2 s by default, LeaseLoserWaitTest's subject) shortened as the delays
        try (var replicas = new TestSignals.Replicas(cluster, 1, s -> s.withLockPolicy(fastTenAttempts())
                .withHolderWait(Duration.ofMillis(100)))) {
            RecordingFailure f = assertThrows(RecordingFailure.class, () -> replicas.get(0).record(signal(fp)));
            assertEquals(RecordingFailure.Reason.LOCK_TIMEOUT, f.reason());
            assertEquals(Duration.ofSeconds(5), f.retryAfter());
            assertTrue(f.getMessage().contains("after 10 attempts"), f.getMessage());
            assertEquals(10, served(s -> s.isLease() && s.method().equals("POST")).size());
            assertEquals(10, replicas.counter(0, "gateway.lock.contention"));
            assertEquals(1, replicas.counter(0, "gateway.lock.retry.timeout"));
            assertEquals(1, replicas.counter(0, "gateway.lock.acquisition.failures", "reason", "timeout"));
            assertEquals(List.of(), rrsOf(cluster, fp));
            assertEquals("gateway-stuck/feed", cluster.admin().leases().inNamespace(NAMESPACE)
                    .withName(leaseName(fp)).get().getSpec().getHolderIdentity(), "someone else's Lease untouched");
        } finally {
            cluster.admin().leases().inNamespace(NAMESPACE).withName(leaseName(fp)).delete();
        }
    }

    @Test
    void anRrThatAppearsWhileWaitingForTheLeaseMakesADuplicateWithoutTheLock() {
        String fp = randomFingerprint();
        holdLeaseForever(fp);
        AtomicInteger leasePosts = new AtomicInteger();
        // the holder (another replica) creates the RR while we are at our 3rd contended attempt
        String rrJson = cluster.admin().getKubernetesSerialization().asJson(RemediationRequestFactory.build(
                signal(fp), NAMESPACE, DedupRules.rrName(fp, null), null, "other-replica"));
        cluster.hook((request, caller) -> {
            if (request.getMethod().equals("POST") && request.getPath().endsWith("/leases")
                    && leasePosts.incrementAndGet() == 3) {
                cluster.direct(HttpMethod.POST, "/apis/kubernaut.ai/v1alpha1/namespaces/" + NAMESPACE
                        + "/remediationrequests", "application/json", rrJson);
            }
            return null;
        });
        // the view sees the RR when its watch event arrives: attempts spaced widely enough for that on a busy machine
        BackoffPolicy patient = BackoffPolicy.builder().baseDelay(Duration.ofMillis(100))
                .maxDelay(Duration.ofMillis(400)).maxAttempts(10).build();
        // the first attempt's wait for the unseen holder's RR (2 s by default) would end empty-handed: the RR comes at
        // the 3rd attempt; shortened, the attempts are spaced by the patient schedule alone
        try (var replicas = new TestSignals.Replicas(cluster, 1, s -> s.withLockPolicy(patient)
                .withHolderWait(Duration.ofMillis(100)))) {
            Recorded r = replicas.get(0).record(signal(fp));
            assertEquals(Recorded.Outcome.DUPLICATE, r.outcome());
            assertEquals(DedupRules.rrName(fp, null), r.rrName());
            assertEquals(2, r.occurrenceCount(), "the creator's 1 (its status not written yet) + ours");
            assertTrue(leasePosts.get() >= 3 && leasePosts.get() < 10,
                    "Lease attempts stop once the view shows the RR: " + leasePosts.get());
            assertEquals(0, replicas.counter(0, "gateway.lock.retry.timeout"));
        } finally {
            cluster.admin().leases().inNamespace(NAMESPACE).withName(leaseName(fp)).delete();
        }
    }

    @Test
    void theKubernetesDeadlineEndsAWaitForTheLeaseWith504() {
        String fp = randomFingerprint();
        holdLeaseForever(fp);
        try (var replicas = new TestSignals.Replicas(cluster, 1,
                s -> s.withKubernetesDeadline(Duration.ofMillis(700)))) {
            long t0 = System.nanoTime();
            RecordingFailure f = assertThrows(RecordingFailure.class, () -> replicas.get(0).record(signal(fp)));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(RecordingFailure.Reason.KUBERNETES_DEADLINE, f.reason());
            assertTrue(ms < 5_000, "bounded by the deadline, took " + ms + " ms");
            assertEquals(1, replicas.counter(0, "gateway.lock.acquisition.failures", "reason", "deadline"));
            assertEquals(List.of(), rrsOf(cluster, fp));
        } finally {
            cluster.admin().leases().inNamespace(NAMESPACE).withName(leaseName(fp)).delete();
        }
    }

    @Test
    void noListOfRemediationRequestsOnTheSignalPathOnlyTheInformersOwn() {
        String fp = randomFingerprint();
        try (var replicas = new TestSignals.Replicas(cluster, 2, s -> s)) {
            mark = cluster.mark();
            assertEquals(Recorded.Outcome.CREATED, replicas.get(0).record(signal(fp)).outcome());
            for (int i = 0; i < 6; i++) {
                assertEquals(Recorded.Outcome.DUPLICATE, replicas.get(i % 2).record(signal(fp)).outcome());
            }
            assertEquals(List.of(), served(s -> TestSignals.isRemediationRequest(s) && s.verb().equals("list")),
                    "no LIST per signal");
            assertEquals(7L, countOf(rrsOf(cluster, fp).get(0)));
        }
    }
}
