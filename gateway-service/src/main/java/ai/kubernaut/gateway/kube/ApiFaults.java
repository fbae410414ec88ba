package ai.kubernaut.gateway.kube;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.TimeoutException;

/**
 * The one answer to "is this Kubernetes API fault transient", used by every retry and every failure classification
 * of dedup and lock. Transient: no answer (timeout, connection refused or reset, I/O), 429, 5xx. Not faults at all:
 * 409 and 404, which callers handle as protocol answers before asking. Anything else (401, 403, 422...) retrying
 * will not fix.
 */
public final class ApiFaults {

    private ApiFaults() {
    }

    /** @param httpCode the HTTP status, or 0 / -1 when no answer came (how fabric8 reports it) */
    public static boolean isTransient(int httpCode) {
        return httpCode <= 0 || httpCode == 429 || httpCode >= 500;
    }

    public static boolean isTransient(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof KubernetesClientException k) {
                if (k.getCode() > 0) {
                    return isTransient(k.getCode());
                }
                // no code: fabric8 wraps the transport's failure; look at its cause, and count it transient anyway
                continue;
            }
            if (c instanceof IOException || c instanceof InterruptedIOException || c instanceof TimeoutException) {
                return true;
            }
        }
        return t instanceof KubernetesClientException;
    }
}
