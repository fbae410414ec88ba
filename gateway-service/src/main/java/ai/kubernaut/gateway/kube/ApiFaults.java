package ai.kubernaut.gateway.kube;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.util.concurrent.TimeoutException;

/**
 * The one answer to "is this API server fault transient?", used wherever a Kubernetes call on the request path
 * can fail (recorder failures, owner resolution, token reviews): transient means retrying later can succeed, so
 * the caller is answered 503 with Retry-After; anything else is a bug or a misconfiguration (500).
 */
public final class ApiFaults {

    private ApiFaults() {
    }

    /**
     * True for no answer (fabric8 reports code 0 or -1: timeout, connection refused or reset), 429 and 5xx, also
     * when wrapped; false for every other HTTP answer (401, 403, 404, 409, 422...) and for non-API failures.
     */
    public static boolean isTransient(Throwable fault) {
        for (Throwable t = fault; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof KubernetesClientException k) {
                int code = k.getCode();
                if (code > 0) {
                    return code == 429 || code >= 500;
                }
                // no HTTP answer: fabric8 wraps the I/O failure; any I/O failure or timeout is transient
                return true;
            }
            if (t instanceof InterruptedIOException || t instanceof ConnectException
                    || t instanceof TimeoutException) {
                return true;
            }
        }
        return false;
    }
}
