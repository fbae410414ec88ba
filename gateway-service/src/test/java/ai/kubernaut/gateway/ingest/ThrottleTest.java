package ai.kubernaut.gateway.ingest;

import static ai.kubernaut.gateway.ingest.BadRequestTest.problem;
import static ai.kubernaut.gateway.ingest.testing.Payloads.podAlert;
import static ai.kubernaut.gateway.ingest.testing.Payloads.webhook;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.gateway.dedup.Recorded;
import ai.kubernaut.gateway.ingest.testing.FakeSignalRecorder;
import ai.kubernaut.gateway.ingest.testing.IngestTestCluster;
import ai.kubernaut.gateway.ingest.testing.IngestTestProfile;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The in-flight limit: requests beyond it are answered 503 + Retry-After at once, and never reach the recorder. */
@QuarkusTest
@TestProfile(IngestTestProfile.class)
class ThrottleTest extends IngestTestBase {

    @TestHTTPResource("/")
    URI base;

    @Inject
    SignalRequestGate gate;

    @Test
    void requestsBeyondTheInFlightLimitAre503() throws Exception {
        int limit = IngestTestProfile.MAX_IN_FLIGHT;
        CountDownLatch inside = new CountDownLatch(limit);
        CountDownLatch release = new CountDownLatch(1);
        recorder.respond(s -> {
            inside.countDown();
            try {
                if (!release.await(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("never released");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new Recorded(Recorded.Outcome.CREATED, FakeSignalRecorder.rrName(s.fingerprint()),
                    IngestTestCluster.NAMESPACE, 1, s.receivedTime(), s.receivedTime());
        });
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
        try {
            for (int i = 0; i < limit; i++) {
                String body = webhook(podAlert("KubePodCrashLooping", "demo", "held-" + i)).toString();
                held.add(client.sendAsync(HttpRequest.newBuilder(base.resolve(PROMETHEUS))
                        .header("Authorization", "Bearer " + IngestTestCluster.SENDER_TOKEN)
                        .header("Content-Type", "application/json")
                        .timeout(Duration.ofSeconds(60))
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()));
            }
            assertTrue(inside.await(30, TimeUnit.SECONDS), "all held requests reach the recorder");
            assertEquals(limit, gate.inFlight());

            problem(sender().body(webhook(podAlert("KubePodCrashLooping", "demo", "extra")).toString())
                    .post(PROMETHEUS).then(), 503, PROMETHEUS)
                    .header("Retry-After", "1")
                    .body("type", equalTo("https://kubernaut.ai/problems/too-many-requests"))
                    .body("detail", containsString("gateway.http.max-in-flight"));
            assertEquals(limit, recorder.seen().size(), "the throttled request never reached the recorder");
        } finally {
            release.countDown();
        }
        for (CompletableFuture<HttpResponse<String>> f : held) {
            assertEquals(201, f.get(30, TimeUnit.SECONDS).statusCode());
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> gate.inFlight() == 0);
        recorder.reset();
        sender().body(webhook(podAlert("KubePodCrashLooping", "demo", "after")).toString()).post(PROMETHEUS).then()
                .statusCode(201);
    }

    @Test
    void asManyClientsAsTheLimitSendingBackToBackAreNeverThrottled() throws Exception {
        int clients = IngestTestProfile.MAX_IN_FLIGHT;
        int perClient = 25;
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(clients);
        List<java.util.concurrent.Future<List<Integer>>> results = new ArrayList<>();
        try {
            for (int c = 0; c < clients; c++) {
                int id = c;
                results.add(pool.submit(() -> {
                    List<Integer> codes = new ArrayList<>();
                    for (int i = 0; i < perClient; i++) {
                        String body = webhook(podAlert("KubePodCrashLooping", "demo", "storm-" + id)).toString();
                        codes.add(client.send(HttpRequest.newBuilder(base.resolve(PROMETHEUS))
                                .header("Authorization", "Bearer " + IngestTestCluster.SENDER_TOKEN)
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                                HttpResponse.BodyHandlers.ofString()).statusCode());
                    }
                    return codes;
                }));
            }
            for (java.util.concurrent.Future<List<Integer>> f : results) {
                List<Integer> codes = f.get(60, TimeUnit.SECONDS);
                assertEquals(201, codes.get(0));
                assertTrue(codes.subList(1, perClient).stream().allMatch(code -> code == 202), codes.toString());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(clients * perClient, recorder.seen().size());
    }
}
