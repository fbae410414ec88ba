package ai.kubernaut.gateway.dedup;

import static ai.kubernaut.gateway.dedup.TestSignals.NAMESPACE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.gateway.cluster.TestApiServerResource;
import ai.kubernaut.testserver.EmbeddedApiServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Readiness {@code remediation-request-view}: DOWN until the informer behind the dedup view has listed the RRs
 * once (the recorder cannot decide before), UP from then on.
 */
@QuarkusTest
@QuarkusTestResource(value = TestApiServerResource.class, restrictToAnnotatedClass = false)
class ViewReadinessCheckTest {

    static final String POD = "gateway-unsynced";

    final EmbeddedApiServer cluster = TestApiServerResource.server();

    @Inject
    @Readiness
    ViewReadinessCheck wired;

    @AfterEach
    void tearDown() {
        cluster.hook(null);
    }

    @Test
    void downBeforeTheViewsFirstSyncAndUpAfter() {
        AtomicBoolean listsFail = new AtomicBoolean(true);
        AtomicInteger refusedLists = new AtomicInteger();
        // the API server refuses this replica's LIST of RRs (as when it is unreachable or RBAC lacks list)
        cluster.hook((request, caller) -> {
            String path = request.getPath();
            if (listsFail.get() && caller != null && POD.equals(caller.pod()) && "GET".equals(request.getMethod())
                    && path.split("\\?")[0].endsWith("/remediationrequests") && !path.contains("watch=true")) {
                refusedLists.incrementAndGet();
                return EmbeddedApiServer.failure(503, "ServiceUnavailable", "held back by the test");
            }
            return null;
        });
        try (var client = TestApiServerResource.gatewayClient(POD, b -> { });
                var recorder = TestSignals.recorder(RecorderSettings.defaults(NAMESPACE, POD), client,
                        new SimpleMeterRegistry())) {
            ViewReadinessCheck check = new ViewReadinessCheck(recorder);

            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> refusedLists.get() >= 1);
            HealthCheckResponse before = check.call();
            assertEquals("remediation-request-view", before.getName());
            assertEquals(HealthCheckResponse.Status.DOWN, before.getStatus(), "no first LIST yet: not ready");

            listsFail.set(false); // the informer retries its LIST and syncs
            Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> check.call().getStatus() == HealthCheckResponse.Status.UP);
            assertTrue(refusedLists.get() >= 1);
        }
    }

    @Test
    void startedBeforeItsTypeIsServedTheReplicaWaitsNotReadyAndSaysWhy() {
        AtomicBoolean served = new AtomicBoolean(false);
        AtomicInteger notServed = new AtomicInteger();
        AtomicInteger initializing = new AtomicInteger();
        // a fresh install: the CRD is not served yet (plain 404), then its watch cache initializes (429)
        cluster.hook((request, caller) -> {
            String path = request.getPath();
            if (caller == null || !POD.equals(caller.pod()) || !path.contains("/remediationrequests")) {
                return null;
            }
            if (!served.get()) {
                notServed.incrementAndGet();
                return new MockResponse().setResponseCode(404).setHeader("Content-Type", "text/plain")
                        .setBody("404 page not found\n");
            }
            return "GET".equals(request.getMethod()) && initializing.incrementAndGet() <= 2
                    ? EmbeddedApiServer.failure(429, "TooManyRequests", "storage is (re)initializing") : null;
        });
        try (var client = TestApiServerResource.gatewayClient(POD, b -> { });
                var recorder = TestSignals.recorder(RecorderSettings.defaults(NAMESPACE, POD), client,
                        new SimpleMeterRegistry())) {
            ViewReadinessCheck check = new ViewReadinessCheck(recorder);
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> notServed.get() >= 3);
            HealthCheckResponse waiting = check.call();
            assertEquals(HealthCheckResponse.Status.DOWN, waiting.getStatus());
            String why = String.valueOf(waiting.getData().orElseThrow().get("waitingFor"));
            assertTrue(why.contains("type not served"), why);

            served.set(true);
            Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> check.call().getStatus() == HealthCheckResponse.Status.UP);
            assertTrue(initializing.get() >= 2, "the 429s were waited out: " + initializing.get());
            assertTrue(check.call().getData().map(d -> !d.containsKey("waitingFor")).orElse(true));
            Recorded recorded = recorder.record(TestSignals.signal(TestSignals.randomFingerprint()));
            assertEquals(Recorded.Outcome.CREATED, recorded.outcome());
        }
    }

    @Test
    void theApplicationRegistersTheCheckOnItsRecorder() {
        // the bean the health endpoint reads: UP once the application's own view synced
        Awaitility.await().atMost(Duration.ofSeconds(20))
                .until(() -> wired.call().getStatus() == HealthCheckResponse.Status.UP);
        assertEquals("remediation-request-view", wired.call().getName());
    }
}
