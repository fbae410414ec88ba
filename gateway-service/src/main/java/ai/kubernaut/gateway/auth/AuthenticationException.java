package ai.kubernaut.gateway.auth;

import java.time.Duration;

/** The request is not authenticated (401), not authorized (403), or the reviews could not be made (503). */
public class AuthenticationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public enum Kind {
        UNAUTHENTICATED, FORBIDDEN, UNAVAILABLE
    }

    private final Kind kind;
    private final Duration retryAfter;

    public AuthenticationException(Kind kind, String message, Duration retryAfter) {
        super(message);
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
