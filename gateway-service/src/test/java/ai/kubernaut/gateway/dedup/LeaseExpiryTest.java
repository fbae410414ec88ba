package ai.kubernaut.gateway.dedup;

import static ai.kubernaut.gateway.dedup.TestSignals.NAMESPACE;
import static ai.kubernaut.gateway.dedup.TestSignals.countOf;
import static ai.kubernaut.gateway.dedup.TestSignals.randomFingerprint;
import static ai.kubernaut.gateway.dedup.TestSignals.rrsOf;
import static ai.kubernaut.gateway.dedup.TestSignals.signal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.gateway.cluster.TestApiServerResource;
import ai.kubernaut.testserver.EmbeddedApiServer;
import ai.kubernaut.testserver.RequestRecord;
import ai.kubernaut.gateway.lock.LockSettings;
import ai.kubernaut.gateway.model.RemediationRequest;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** Leases that expire: a dead holder's is taken over; a paused holder that wakes up cannot create a second RR. */
@QuarkusTest
@QuarkusTestResource(value = TestApiServerResource.class, restrictToAnnotatedClass = false)
class LeaseExpiryTest {

    final EmbeddedApiServer cluster = TestApiServerResource.server();
    /** Where this test's requests start in the server's log (a new test instance per test). */
    long mark = cluster.mark();

    static String leaseName(String fp) {
        return LockSettings.gateway("x", "x", Duration.ofSeconds(30)).leaseName(fp);
    }

    @Test
    void theExpiredLeaseOfADeadHolderIsTakenOver() throws Exception {
        String fp = randomFingerprint();
        ZonedDateTime longAgo = ZonedDateTime.now(ZoneOffset.UTC).minusMinutes(2);
        cluster.admin().leases().inNamespace(NAMESPACE).resource(new LeaseBuilder().withNewMetadata()
                .withName(leaseName(fp)).endMetadata().withNewSpec().withHolderIdentity("gateway-dead/0123")
                .withAcquireTime(longAgo).withRenewTime(longAgo).withLeaseDurationSeconds(30).endSpec().build())
                .create();
        mark = cluster.mark();
        try (var replicas = new TestSignals.Replicas(cluster, 1, s -> s)) {
            Recorded r = replicas.get(0).record(signal(fp));
            assertEquals(Recorded.Outcome.CREATED, r.outcome());
            assertEquals(1, replicas.counter(0, "gateway.lock.takeovers"));
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                    cluster.admin().leases().inNamespace(NAMESPACE).withName(leaseName(fp)).get() == null);
            List<String> calls = TestSignals.sentByGateway(cluster, mark, RequestRecord::isLease).stream()
                    .map(c -> c.method() + " " + c.code()).toList();
            assertEquals(List.of("POST 409", "GET 200", "PUT 200", "DELETE 200"), calls);
        }
    }

    /** Pauses the first RR create of a replica inside its HTTP client, as a GC pause or SIGSTOP would. */
    static final class PauseFirstCreate implements Interceptor {
        final CountDownLatch paused = new CountDownLatch(1);
        final CountDownLatch resume = new CountDownLatch(1);
        final AtomicBoolean done = new AtomicBoolean();

        /** Two replicas with 1 s Leases; gateway-0's first RR create pauses in {@code pause}. */
        static TestSignals.Replicas twoReplicasFirstPaused(EmbeddedApiServer cluster, PauseFirstCreate pause) {
            return new TestSignals.Replicas(cluster, 2, s -> s.withLeaseDuration(Duration.ofSeconds(1)), i -> b -> {
                if (i == 0) {
                    b.addOrReplaceInterceptor("pause", pause);
                }
            });
        }

        @Override
        public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
            if (request.method().equals("POST") && request.uri().getPath().endsWith("/remediationrequests")
                    && done.compareAndSet(false, true)) {
                paused.countDown();
                try {
                    if (!resume.await(60, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("never resumed");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    @Test
    void aHolderPausedPastExpiryCannotCreateASecondRrWhenItWakes() throws Exception {
        String fp = randomFingerprint();
        PauseFirstCreate pause = new PauseFirstCreate();
        mark = cluster.mark();
        try (var replicas = PauseFirstCreate.twoReplicasFirstPaused(cluster, pause)) {
            // gateway-0 takes the Lease, finds no RR, and freezes right before its create
            CompletableFuture<Recorded> sleeper = CompletableFuture.supplyAsync(() -> replicas.get(0).record(signal(fp)));
            assertTrue(pause.paused.await(30, TimeUnit.SECONDS));
            assertEquals(1, replicas.counter(0, "gateway.lock.acquisition.attempts"));

            // gateway-1 waits out the 1 s Lease, takes it over and creates the RR
            Recorded other = replicas.get(1).record(signal(fp));
            assertEquals(Recorded.Outcome.CREATED, other.outcome());
            assertEquals(1, replicas.counter(1, "gateway.lock.takeovers"));
            assertTrue(replicas.counter(1, "gateway.lock.contention") >= 1);

            // gateway-0 wakes up and sends its create: the same fenced name, 409, counted as a duplicate instead
            pause.resume.countDown();
            Recorded woke = sleeper.get(30, TimeUnit.SECONDS);
            assertEquals(Recorded.Outcome.DUPLICATE, woke.outcome());
            assertEquals(other.rrName(), woke.rrName());
            assertEquals(2, woke.occurrenceCount());
            assertEquals(1, replicas.counter(0, "gateway.crd.creation.errors", "error_type", "already_exists"));

            List<RemediationRequest> rrs = rrsOf(cluster, fp);
            assertEquals(1, rrs.size(), "still exactly one RR");
            assertEquals(2L, countOf(rrs.get(0)));

            // and gateway-0 never deleted the Lease gateway-1 took from it: its release is the same one DELETE,
            // whose resourceVersion precondition names the version gateway-1's takeover replaced (409), or the
            // Lease is already gone (404) if gateway-1 released first
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                    TestSignals.sentByGateway(cluster, mark, c -> c.isLease() && c.method().equals("DELETE")).size() == 2);
            List<RequestRecord> deletes = TestSignals.sentByGateway(cluster, mark, c -> c.isLease() && c.method().equals("DELETE"));
            assertEquals(List.of("gateway-1"), deletes.stream().filter(c -> c.code() == 200).map(RequestRecord::pod).toList());
            RequestRecord late = deletes.stream().filter(c -> c.pod().equals("gateway-0")).findFirst().orElseThrow();
            assertTrue(late.code() == 409 || late.code() == 404, "gateway-0's release answered " + late.code());
            assertTrue(TestSignals.sentByGateway(cluster, mark, c -> c.isLease() && c.method().equals("GET")
                    && c.pod().equals("gateway-0")).isEmpty(), "no GET before a release");
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                    cluster.admin().leases().inNamespace(NAMESPACE).withName(leaseName(fp)).get() == null);
        }
    }
}
