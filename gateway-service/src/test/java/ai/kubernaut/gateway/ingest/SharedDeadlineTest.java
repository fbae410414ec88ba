package ai.kubernaut.gateway.ingest;

import static ai.kubernaut.gateway.ingest.testing.Payloads.alert;
import static ai.kubernaut.gateway.ingest.testing.Payloads.podAlert;
import static ai.kubernaut.gateway.ingest.testing.Payloads.webhook;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.gateway.ingest.testing.IngestTestCluster;
import ai.kubernaut.gateway.ingest.testing.InjectTestApiServer;
import ai.kubernaut.gateway.ingest.testing.SharedDeadlineTestProfile;
import ai.kubernaut.testserver.ApiServerControl;
import ai.kubernaut.testserver.Caller;
import ai.kubernaut.testserver.EmbeddedApiServer;
import ai.kubernaut.testserver.RequestRecord;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ValidatableResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One Kubernetes deadline per request, from its arrival, shared by the token review, the owner lookup and the real
 * recorder: with one of them held back by the API server, the others get only what is left, the answer leaves by
 * the deadline (+ 1 s at the client), and no call of the request reaches the API server after it. The only calls
 * allowed later are the documented after-answer ones: the Lease release, and the informer's watch.
 */
@QuarkusTest
@TestProfile(SharedDeadlineTestProfile.class)
class SharedDeadlineTest {

    private static final long DEADLINE_MS = SharedDeadlineTestProfile.DEADLINE_MS;
    /** A slow first call (review, owner lookup): it leaves the recorder 1 s of the deadline. */
    private static final long SLOW_FIRST_CALL_MS = DEADLINE_MS - 1000;
    /** The recorder's held create after a slow first call: it would end 1 s past the deadline. */
    private static final long SLOW_CREATE_MS = 2000;
    /** A call started just before the deadline reaches the server a little later; a late one would be seconds later. */
    private static final long ARRIVAL_SLACK_MS = 300;
    private static final AtomicInteger SENDERS = new AtomicInteger();

    @InjectTestApiServer
    EmbeddedApiServer server;

    private ApiServerControl control;

    @BeforeEach
    void warmUp() {
        control = new ApiServerControl(server.url());
        // a warm Gateway (first requests compile code paths: a notification, an owner lookup) whose view of RRs has
        // synced; the measured requests then time the deadline, not the JIT
        barePod("warm-up");
        await("a warm Gateway").atMost(Duration.ofSeconds(60)).until(() -> {
            int code = send(IngestTestCluster.SENDER_TOKEN, webhook(deploymentAlert("warm-up"),
                    podAlert("A", "demo", "warm-up"))).extract().statusCode();
            return code == 207;
        });
    }

    @AfterEach
    void clearFaults() {
        control.clearFaults();
    }

    @Test
    void aSlowTokenReviewLeavesTheRecorderOnlyTheRestOfTheDeadline() {
        hold("create", "tokenreviews", "", SLOW_FIRST_CALL_MS, 1);
        hold("create", "remediationrequests", "", SLOW_CREATE_MS, 1);
        Timed t = timed(freshSender(), webhook(deploymentAlert("slow-auth")));
        t.answer.statusCode(504).header("Retry-After", "5")
                .body("type", equalTo("https://kubernaut.ai/problems/kubernetes-deadline"))
                .body("detail", containsString("passed while creating RemediationRequest"));
        t.assertNoCallAfterTheDeadline();
    }

    @Test
    void aSlowOwnerLookupLeavesTheRecorderOnlyTheRestOfTheDeadline() {
        barePod("slow-owner-1");
        hold("get", "pods", "slow-owner-1", SLOW_FIRST_CALL_MS, 1);
        hold("create", "remediationrequests", "", SLOW_CREATE_MS, 1);
        Timed t = timed(IngestTestCluster.SENDER_TOKEN, webhook(podAlert("A", "demo", "slow-owner-1")));
        t.answer.statusCode(504)
                .body("detail", containsString("passed while creating RemediationRequest"));
        t.assertNoCallAfterTheDeadline();
    }

    @Test
    void anOwnerLookupHeldPastTheDeadlineIs504AtTheDeadlineAndNothingIsRecorded() {
        barePod("frozen-owner-1");
        hold("get", "pods", "frozen-owner-1", DEADLINE_MS + 2000, 1);
        Timed t = timed(IngestTestCluster.SENDER_TOKEN, webhook(podAlert("A", "demo", "frozen-owner-1")));
        t.answer.statusCode(504).body("detail", containsString("looking up the owner"));
        t.assertNoCallAfterTheDeadline();
        assertEquals(List.of(), t.calls(r -> (r.resource().equals("remediationrequests") || r.isLease())
                && r.verb().equals("create")), "the recorder never started");
    }

    @Test
    void aSlowRecorderIsAnswered504ByItsOwnDeadlineAndWritesNothingAfterIt() {
        hold("create", "remediationrequests", "", DEADLINE_MS + 2000, 1);
        Timed t = timed(IngestTestCluster.SENDER_TOKEN, webhook(deploymentAlert("slow-recorder")));
        t.answer.statusCode(504)
                .body("detail", containsString("passed while creating RemediationRequest"));
        t.assertNoCallAfterTheDeadline();
        assertEquals(List.of(), t.calls(RequestRecord::isStatusWrite), "no status written for a 504");
    }

    @Test
    void aNotificationWhoseWritesAreHeldPastTheDeadlineIs503ByTheDeadlineAndNothingStartsAfterIt() {
        hold("create", "remediationrequests", "", DEADLINE_MS + 2000, 3);
        Timed t = timed(IngestTestCluster.SENDER_TOKEN, webhook(deploymentAlert("held-1"), deploymentAlert("held-2"),
                deploymentAlert("held-3")));
        t.answer.statusCode(503).header("Retry-After", "5")
                .body("type", equalTo("https://kubernaut.ai/problems/alerts-not-recorded"))
                .body("summary.failed", equalTo(3))
                .body("results[0].error", containsString("passed while creating RemediationRequest"));
        t.assertNoCallAfterTheDeadline();
    }

    @Test
    void aTokenReviewHeldPastTheDeadlineIs503AtTheDeadlineAndNothingElseStarts() {
        hold("create", "tokenreviews", "", DEADLINE_MS + 1500, 1);
        Timed t = timed(freshSender(), webhook(deploymentAlert("frozen-auth")));
        t.answer.statusCode(503).header("Retry-After", "1")
                .body("type", equalTo("https://kubernaut.ai/problems/auth-unavailable"));
        // the held review answers after the deadline: no SubjectAccessReview may follow it
        await("the held TokenReview answered").atMost(Duration.ofSeconds(10))
                .until(() -> control.firedFaults().size() == 1 && !t.calls(r -> true).isEmpty());
        t.assertNoCallAfterTheDeadline();
        assertEquals(List.of(), t.calls(r -> !r.resource().equals("tokenreviews")), "only the TokenReview was made");
    }

    /** The API server carries out the Gateway's next {@code times} matching requests but answers each {@code ms} late. */
    private void hold(String verb, String resource, String namePrefix, long ms, int times) {
        control.delayAnswers(IngestTestCluster.GATEWAY_SERVICE, "", verb, resource, namePrefix, Duration.ofMillis(ms),
                times);
    }

    /** A Pod without owner in namespace demo (its owner lookup is one GET), unless it exists. */
    private void barePod(String name) {
        try (var admin = server.adminClient()) {
            admin.pods().inNamespace("demo").resource(new PodBuilder().withNewMetadata().withName(name)
                    .withNamespace("demo").endMetadata().build()).createOr(NonDeletingOperation::update);
        }
    }

    private static ObjectNode deploymentAlert(String deployment) {
        return alert("alertname", "KubeDeploymentReplicasMismatch", "severity", "warning", "namespace", "demo",
                "deployment", deployment);
    }

    /** A sender token no review has been cached for (same ServiceAccount, so the same RBAC). */
    private static String freshSender() {
        return Caller.serviceAccountToken(IngestTestCluster.NAMESPACE, "alertmanager", "am-" + SENDERS.incrementAndGet());
    }

    private static ValidatableResponse send(String token, Object body) {
        return given().header("Authorization", "Bearer " + token).contentType("application/json")
                .body(body.toString()).post("/api/v1/signals/prometheus").then();
    }

    private Timed timed(String token, Object body) {
        long mark = server.mark();
        long sentAtMicros = TimeUnit.MILLISECONDS.toMicros(System.currentTimeMillis());
        long start = System.nanoTime();
        ValidatableResponse answer = send(token, body);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(ms >= DEADLINE_MS, "answered at the deadline, not before (a call was held past it): " + ms + " ms");
        assertTrue(ms <= DEADLINE_MS + 1000, "answered within the deadline + 1 s of sending, took " + ms + " ms");
        return new Timed(answer, mark, sentAtMicros);
    }

    private final class Timed {
        final ValidatableResponse answer;
        final long mark;
        final long sentAtMicros;

        Timed(ValidatableResponse answer, long mark, long sentAtMicros) {
            this.answer = answer;
            this.mark = mark;
            this.sentAtMicros = sentAtMicros;
        }

        /** The Gateway's calls for this request (not its informer's list and watch). */
        List<RequestRecord> calls(java.util.function.Predicate<RequestRecord> which) {
            return server.requestsSince(mark, r -> r.caller().equals(IngestTestCluster.GATEWAY_SERVICE)
                    && !r.verb().equals("list") && !r.verb().equals("watch") && which.test(r));
        }

        /** Also for a while after the answer: work that went on would show up then, when its held call returns. */
        void assertNoCallAfterTheDeadline() {
            long limit = sentAtMicros + TimeUnit.MILLISECONDS.toMicros(DEADLINE_MS + ARRIVAL_SLACK_MS);
            await("no call of the request started after its deadline").during(Duration.ofMillis(1500))
                    .atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertEquals(List.of(), late(limit)));
        }

        private List<String> late(long limitMicros) {
            // the Lease is released after the answer by design (ADR-052-002): the only call allowed later
            return calls(r -> r.epochMicros() > limitMicros && !(r.isLease() && r.verb().equals("delete")))
                    .stream().map(r -> r.verb() + " " + r.resource() + " " + r.name() + " at +"
                            + (r.epochMicros() - sentAtMicros) / 1000 + " ms").toList();
        }
    }
}
