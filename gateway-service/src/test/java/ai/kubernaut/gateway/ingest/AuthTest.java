package ai.kubernaut.gateway.ingest;

import static ai.kubernaut.gateway.ingest.BadRequestTest.problem;
import static ai.kubernaut.gateway.ingest.testing.Payloads.podAlert;
import static ai.kubernaut.gateway.ingest.testing.Payloads.webhook;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.kubernaut.gateway.ingest.testing.IngestTestCluster;
import ai.kubernaut.gateway.ingest.testing.IngestTestProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.specification.RequestSpecification;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** TokenReview + SubjectAccessReview against mock-server expectations (see {@link IngestTestCluster}). */
@QuarkusTest
@TestProfile(IngestTestProfile.class)
class AuthTest extends IngestTestBase {

    private static final String BODY = webhook(podAlert("KubePodCrashLooping", "demo", "auth-1")).toString();

    private static RequestSpecification as(String authorization) {
        RequestSpecification r = given().contentType("application/json");
        return authorization == null ? r : r.header("Authorization", authorization);
    }

    @Test
    void missingOrNonBearerCredentialsAre401WithoutAnyReview() {
        int reviews = IngestTestCluster.TOKEN_REVIEWS.get();
        problem(as(null).body(BODY).post(PROMETHEUS).then(), 401, PROMETHEUS)
                .header("WWW-Authenticate", "Bearer")
                .body("field", equalTo("Authorization"))
                .body("detail", containsString("missing Authorization header"));
        problem(as("Basic dXNlcjpwYXNz").body(BODY).post(PROMETHEUS).then(), 401, PROMETHEUS);
        problem(as("Bearer ").body(BODY).post(EVENTS).then(), 401, EVENTS);
        // authentication comes before the body is even read
        problem(as(null).body("{not json").post(PROMETHEUS).then(), 401, PROMETHEUS);
        assertEquals(reviews, IngestTestCluster.TOKEN_REVIEWS.get());
        assertNothingRecordedOrCreated();
    }

    @Test
    void invalidTokenIs401AndTheAnswerIsCached() {
        String token = "Bearer unknown-" + UUID.randomUUID();
        int reviews = IngestTestCluster.TOKEN_REVIEWS.get();
        problem(as(token).body(BODY).post(PROMETHEUS).then(), 401, PROMETHEUS)
                .body("detail", containsString("not valid"))
                .body("detail", org.hamcrest.Matchers.not(containsString("unknown-")));
        problem(as(token).body(BODY).post(PROMETHEUS).then(), 401, PROMETHEUS);
        assertEquals(reviews + 1, IngestTestCluster.TOKEN_REVIEWS.get(), "the second request uses the cached answer");
        assertNothingRecordedOrCreated();
    }

    @Test
    void userWithoutCreatePermissionIs403() {
        problem(as("Bearer " + IngestTestCluster.READER_TOKEN).body(BODY).post(PROMETHEUS).then(), 403, PROMETHEUS)
                .body("detail", containsString(IngestTestCluster.READER))
                .body("detail", containsString("signals.kubernaut.ai")); // gateway.auth.resource as deployed
        int reviews = IngestTestCluster.ACCESS_REVIEWS.get();
        problem(as("Bearer " + IngestTestCluster.READER_TOKEN).body(BODY).post(EVENTS).then(), 403, EVENTS);
        assertEquals(reviews, IngestTestCluster.ACCESS_REVIEWS.get(), "denials are cached too");
        assertNothingRecordedOrCreated();
    }

    @Test
    void authorizedSenderIsAcceptedAndReviewedOncePerCacheTtl() {
        as("Bearer " + IngestTestCluster.SENDER_TOKEN).body(BODY).post(PROMETHEUS).then().statusCode(201);
        int tokenReviews = IngestTestCluster.TOKEN_REVIEWS.get();
        int accessReviews = IngestTestCluster.ACCESS_REVIEWS.get();
        as("bearer " + IngestTestCluster.SENDER_TOKEN).body(BODY).post(PROMETHEUS).then().statusCode(202);
        assertEquals(tokenReviews, IngestTestCluster.TOKEN_REVIEWS.get());
        assertEquals(accessReviews, IngestTestCluster.ACCESS_REVIEWS.get());
        assertEquals(2, recorder.seen().size());
    }

    @Test
    void reviewOutageIs503AndNotCached() {
        int reviews = IngestTestCluster.TOKEN_REVIEWS.get();
        problem(as("Bearer " + IngestTestCluster.OUTAGE_TOKEN).body(BODY).post(PROMETHEUS).then(), 503, PROMETHEUS)
                .header("Retry-After", "1");
        problem(as("Bearer " + IngestTestCluster.OUTAGE_TOKEN).body(BODY).post(PROMETHEUS).then(), 503, PROMETHEUS);
        // each request asked again (fabric8 retries a 500 once per request)
        org.junit.jupiter.api.Assertions.assertTrue(IngestTestCluster.TOKEN_REVIEWS.get() >= reviews + 2);
        assertNothingRecordedOrCreated();
    }

    @Test
    void theSameTimestampedRequestAgainIs409UnlessItWasNotAcceptedTheFirstTime() {
        String now = java.time.Instant.now().toString();
        String body = webhook(podAlert("KubePodCrashLooping", "demo", "replay-1")).toString();
        RequestSpecification sender = as("Bearer " + IngestTestCluster.SENDER_TOKEN).header("X-Timestamp", now);
        sender.body(body).post(PROMETHEUS).then().statusCode(201);
        problem(as("Bearer " + IngestTestCluster.SENDER_TOKEN).header("X-Timestamp", now).body(body).post(PROMETHEUS)
                .then(), 409, PROMETHEUS)
                .body("type", equalTo("https://kubernaut.ai/problems/replayed-request"))
                .body("field", equalTo("X-Timestamp"))
                .body("detail", containsString("already accepted"));
        assertEquals(1, recorder.seen().size(), "the replay was not processed");
        // a new X-Timestamp is a new request
        as("Bearer " + IngestTestCluster.SENDER_TOKEN).header("X-Timestamp", java.time.Instant.now().plusMillis(1)
                .toString()).body(body).post(PROMETHEUS).then().statusCode(202);

        // a request answered 503 is forgotten: its retry with the same X-Timestamp is processed
        String other = webhook(podAlert("KubePodCrashLooping", "demo", "replay-2")).toString();
        recorder.failWith(ai.kubernaut.gateway.dedup.RecordingFailure.Reason.LOCK_TIMEOUT,
                java.time.Duration.ofSeconds(5), null);
        problem(as("Bearer " + IngestTestCluster.SENDER_TOKEN).header("X-Timestamp", now).body(other)
                .post(PROMETHEUS).then(), 503, PROMETHEUS);
        recorder.reset();
        as("Bearer " + IngestTestCluster.SENDER_TOKEN).header("X-Timestamp", now).body(other).post(PROMETHEUS).then()
                .statusCode(201);
    }
}
