package ai.kubernaut.gateway.dedup;

import java.time.Duration;
import java.util.Objects;

/**
 * A signal could not be recorded for sure: it may or may not have been counted (a write may have landed after its
 * answer was lost; see {@link SignalRecorder#record}). The reason decides the HTTP answer; every reason but
 * API_ERROR carries a Retry-After.
 */
public class RecordingFailure extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public enum Reason {
        /** The fingerprint's lock stayed contended through every attempt: HTTP 503 with Retry-After. */
        LOCK_TIMEOUT,
        /** The Kubernetes call deadline passed: HTTP 504 with Retry-After. */
        KUBERNETES_DEADLINE,
        /**
         * A transient fault of the API server (no answer, timeout, 429, 5xx) outlasted the bounded retries:
         * HTTP 503 with Retry-After.
         */
        API_UNAVAILABLE,
        /**
         * The API server answered with an error that retrying will not fix (401, 403, 422...; 409 and 404 are
         * protocol answers, never this): HTTP 500 without Retry-After.
         */
        API_ERROR
    }

    private final Reason reason;
    private final Duration retryAfter;

    public RecordingFailure(Reason reason, String message, Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.retryAfter = retryAfter;
    }

    public Reason reason() {
        return reason;
    }

    /** How long the caller should wait before retrying; null when retrying will not help. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
