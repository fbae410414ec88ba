package ai.kubernaut.gateway.lock;

import ai.kubernaut.gateway.kube.ApiFaults;

/**
 * A Lease call failed for another reason than a conflict (RBAC, validation, server fault, timeout). Never
 * treated as contention.
 */
public class LeaseApiException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int httpCode;

    public LeaseApiException(String message, int httpCode, Throwable cause) {
        super(message, cause);
        this.httpCode = httpCode;
    }

    /** The HTTP status; 0 or -1 when no answer came (connection error, timeout). */
    public int httpCode() {
        return httpCode;
    }

    /** Worth retrying later: see {@link ApiFaults}. */
    public boolean transientFault() {
        return ApiFaults.isTransient(httpCode);
    }
}
