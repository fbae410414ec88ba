package ai.kubernaut.gateway.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.gateway.dedup.RecordingFailure;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.Test;

class ApiFaultsTest {

    @Test
    void noAnswerTooManyRequestsAndServerErrorsAreTransient() {
        assertTrue(ApiFaults.isTransient(new KubernetesClientException("timeout", new SocketTimeoutException())));
        assertTrue(ApiFaults.isTransient(new KubernetesClientException("refused", -1, null)));
        for (int code : new int[] {429, 500, 502, 503, 504}) {
            assertTrue(ApiFaults.isTransient(new KubernetesClientException("x", code, null)), "HTTP " + code);
        }
        assertTrue(ApiFaults.isTransient(new SocketTimeoutException("read timed out")));
    }

    @Test
    void answersThatRetryingWillNotChangeAreNot() {
        for (int code : new int[] {400, 401, 403, 409, 422}) {
            assertFalse(ApiFaults.isTransient(new KubernetesClientException("x", code, null)), "HTTP " + code);
        }
        assertFalse(ApiFaults.isTransient(new IllegalStateException("a bug")));
        assertTrue(ApiFaults.isTransient(new IOException("connection reset")), "any I/O failure: no answer");
        assertFalse(ApiFaults.isTransient(null));
    }

    static KubernetesClientException notFound(Status status) {
        return new KubernetesClientException(status);
    }

    static Status objectNotFound(String name) {
        return new StatusBuilder().withCode(404).withReason("NotFound")
                .withMessage("remediationrequests.kubernaut.ai \"" + name + "\" not found")
                .withNewDetails().withName(name).withGroup("kubernaut.ai").withKind("remediationrequests").endDetails()
                .build();
    }

    @Test
    void onlyA404NamingTheObjectSaysItIsGone() {
        KubernetesClientException gone = notFound(objectNotFound("rr-1"));
        assertTrue(ApiFaults.isObjectNotFound(gone, "rr-1"));
        assertFalse(ApiFaults.isObjectNotFound(gone, "rr-2"), "a 404 about another object says nothing of this one");
        assertFalse(ApiFaults.isTransient(gone));

        // a type not served (before its CRD is established, right after an API server restart): no Status body
        // (fabric8 makes one with the code and the text) or one without an object's name
        KubernetesClientException typeNotServed = notFound(new StatusBuilder().withCode(404)
                .withMessage("404 page not found").build());
        assertFalse(ApiFaults.isObjectNotFound(typeNotServed, "rr-1"));
        assertTrue(ApiFaults.isTransient(typeNotServed));
        assertTrue(ApiFaults.describe(typeNotServed).contains("type not served"), ApiFaults.describe(typeNotServed));
        KubernetesClientException noName = notFound(new StatusBuilder().withCode(404).withReason("NotFound")
                .withNewDetails().withGroup("kubernaut.ai").withKind("remediationrequests").endDetails().build());
        assertFalse(ApiFaults.isObjectNotFound(noName, "rr-1"));
        assertTrue(ApiFaults.isTransient(noName));
        assertTrue(ApiFaults.isTransient(new KubernetesClientException("x", 404, null)), "no Status at all");
    }

    @Test
    void retryAfterComesFromTheStatusDetails() {
        KubernetesClientException initializing = new KubernetesClientException(new StatusBuilder().withCode(429)
                .withReason("TooManyRequests").withMessage("storage is (re)initializing")
                .withNewDetails().withRetryAfterSeconds(3).endDetails().build());
        assertEquals(java.util.Optional.of(java.time.Duration.ofSeconds(3)),
                ApiFaults.retryAfter(new RuntimeException("watch failed", initializing)));
        assertEquals(java.util.Optional.empty(), ApiFaults.retryAfter(new KubernetesClientException("x", 503, null)));
        assertEquals("HTTP 429 storage is (re)initializing", ApiFaults.describe(initializing));
    }

    @Test
    void theCauseDecidesForWrappedFaults() {
        assertTrue(ApiFaults.isTransient(new RecordingFailure(RecordingFailure.Reason.API_ERROR, "x", null,
                new KubernetesClientException("x", 503, null))));
        assertFalse(ApiFaults.isTransient(new RecordingFailure(RecordingFailure.Reason.API_ERROR, "x", null,
                new KubernetesClientException("x", 403, null))));
    }
}
