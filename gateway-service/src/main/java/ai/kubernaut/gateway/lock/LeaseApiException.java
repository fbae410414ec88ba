package ai.kubernaut.gateway.lock;

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

    /** Worth retrying later: no answer, 429 or 5xx. */
    public boolean transientFault() {
        return httpCode <= 0 || httpCode == 429 || httpCode >= 500;
    }
}
