package ai.kubernaut.gateway.auth;

import java.time.Duration;

/**
 * The request is not authenticated (401), not authorized (403), the reviews could not be made now (503: a
 * transient API fault or no answer in time), or the API server refused them (500: e.g. the Gateway's own RBAC).
 */
public class AuthenticationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public enum Kind {
        UNAUTHENTICATED, FORBIDDEN, UNAVAILABLE, FAILED
    }

    private final Kind kind;
    private final Duration retryAfter;

    public AuthenticationException(Kind kind, String message, Duration retryAfter) {
        // no stack trace: an answer to a request (a spray makes one per request), its message says all there is
        super(message, null, false, false);
        this.kind = kind;
        this.retryAfter = retryAfter;
    }

    public Kind kind() {
        return kind;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
