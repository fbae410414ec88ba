package ai.kubernaut.gateway.ingest;

import static ai.kubernaut.gateway.ingest.testing.Payloads.podAlert;
import static ai.kubernaut.gateway.ingest.testing.Payloads.webhook;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.gateway.dedup.Recorded;
import ai.kubernaut.gateway.ingest.testing.AnswerDeadlineTestProfile;
import ai.kubernaut.gateway.ingest.testing.FakeSignalRecorder;
import ai.kubernaut.gateway.ingest.testing.IngestTestCluster;
import ai.kubernaut.testserver.ApiServerControl;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ValidatableResponse;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * No answer later than the Kubernetes deadline + 1 s, whatever call is in flight: a recorder that never answers,
 * an owner lookup the API server never answers; single signals answer 504 + Retry-After, a notification 503 +
 * Retry-After listing every alert, the unfinished ones failed (so that it is sent again).
 */
@QuarkusTest
@TestProfile(AnswerDeadlineTestProfile.class)
class AnswerDeadlineTest extends IngestTestBase {

    private static final long LIMIT_MS = AnswerDeadlineTestProfile.DEADLINE_MS + 1000;

    /** Released after each test, so that the abandoned work ends. */
    private final CountDownLatch never = new CountDownLatch(1);

    /**
     * The measured requests find the token reviewed and the code paths warm, as in a running Gateway (a cold
     * first request on a loaded machine can itself take longer than the 1 s deadline: asked again until accepted).
     */
    @BeforeEach
    void warmUp() {
        await("a warm Gateway").atMost(Duration.ofSeconds(60)).until(() -> {
            int code = postAlertmanager(webhook(podAlert("A", "demo", "warm-up"))).extract().statusCode();
            return code == 201 || code == 202;
        });
        recorder.reset();
    }

    @AfterEach
    void releaseHungWork() {
        never.countDown();
    }

    private Recorded hang(String rrName) {
        try {
            never.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new IllegalStateException("released after the test: " + rrName);
    }

    private static ValidatableResponse timed(Supplier<ValidatableResponse> request) {
        long start = System.nanoTime();
        ValidatableResponse answer = request.get();
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(ms >= AnswerDeadlineTestProfile.DEADLINE_MS, "answered by the bound, not earlier: " + ms + " ms");
        assertTrue(ms <= LIMIT_MS, "answered at most 1 s after the deadline, took " + ms + " ms");
        return answer;
    }

    @Test
    void aRecorderThatNeverAnswersIsAnswered504WithRetryAfterInTime() {
        recorder.respond(s -> hang(s.fingerprint()));
        timed(() -> postAlertmanager(webhook(podAlert("A", "demo", "hung-1"))))
                .statusCode(504)
                .contentType("application/problem+json")
                .header("Retry-After", "1")
                .body("type", equalTo("https://kubernaut.ai/problems/kubernetes-deadline"))
                .body("detail", containsString("may still be recorded"));
        assertTrue(recorder.seen().stream().anyMatch(s -> s.resource().name().equals("hung-1")),
                "the signal reached the recorder (which never answered)");
    }

    @Test
    void anOwnerLookupThatNeverAnswersIsAnswered504InTime() {
        cluster.pods().inNamespace("demo").resource(new PodBuilder().withNewMetadata().withName("frozen-1")
                .withNamespace("demo").endMetadata().build()).create();
        new ApiServerControl(server.url()).delayAnswers(IngestTestCluster.GATEWAY_SERVICE, "", "get", "pods",
                "frozen-1", Duration.ofSeconds(10), 1);
        timed(() -> postAlertmanager(webhook(podAlert("A", "demo", "frozen-1"))))
                .statusCode(504).header("Retry-After", "1");
    }

    @Test
    void aNotificationWithAnUnfinishedAlertIsAnswered503InTimeListingEveryAlert() {
        recorder.respond(s -> s.resource().name().startsWith("hung") ? hang(s.fingerprint())
                : FakeSignalRecorder.created(s));
        timed(() -> postAlertmanager(webhook(podAlert("A", "demo", "fast-1"), podAlert("A", "demo", "hung-2"),
                podAlert("A", "demo", "fast-2"))))
                .statusCode(503)
                .contentType("application/problem+json")
                .header("Retry-After", "1")
                .body("type", equalTo("https://kubernaut.ai/problems/alerts-not-recorded"))
                .body("results[0].status", equalTo("created"))
                .body("results[1].status", equalTo("failed"))
                .body("results[1].error", containsString("answer deadline"))
                .body("results[2].status", equalTo("created"))
                .body("summary.created", equalTo(2))
                .body("summary.failed", equalTo(1));
    }
}
