package ai.kubernaut.gateway.kube;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.gateway.dedup.RecordingFailure;
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
        for (int code : new int[] {400, 401, 403, 404, 409, 422}) {
            assertFalse(ApiFaults.isTransient(new KubernetesClientException("x", code, null)), "HTTP " + code);
        }
        assertFalse(ApiFaults.isTransient(new IllegalStateException("a bug")));
        assertTrue(ApiFaults.isTransient(new IOException("connection reset")), "any I/O failure: no answer");
        assertFalse(ApiFaults.isTransient(null));
    }

    @Test
    void theCauseDecidesForWrappedFaults() {
        assertTrue(ApiFaults.isTransient(new RecordingFailure(RecordingFailure.Reason.API_ERROR, "x", null,
                new KubernetesClientException("x", 503, null))));
        assertFalse(ApiFaults.isTransient(new RecordingFailure(RecordingFailure.Reason.API_ERROR, "x", null,
                new KubernetesClientException("x", 403, null))));
    }
}
