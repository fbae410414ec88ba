package ai.kubernaut.gateway.ingest;

import java.time.Duration;

/** Ends a request with an RFC 7807 answer of the given type (rendered by {@link Problems}). */
public class ProblemException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final ProblemType type;
    private final String field;
    private final Duration retryAfter;

    /**
     * @param field      offending field or header, or null
     * @param retryAfter for 503/504; null means the configured default ({@code gateway.http.retry-after})
     */
    public ProblemException(ProblemType type, String detail, String field, Duration retryAfter) {
        // no stack trace: an answer, not a fault (a flood of bad requests makes one per request)
        super(detail, null, false, false);
        this.type = type;
        this.field = field;
        this.retryAfter = retryAfter;
    }

    public ProblemException(ProblemType type, String detail, String field) {
        this(type, detail, field, null);
    }

    public ProblemType type() {
        return type;
    }

    public int status() {
        return type.status();
    }

    public String field() {
        return field;
    }

    public Duration retryAfter() {
        return retryAfter;
    }

    static ProblemException payloadTooLarge(long limit) {
        return new ProblemException(ProblemType.PAYLOAD_TOO_LARGE,
                "request body exceeds the limit of " + limit + " bytes (gateway.http.max-body-size)", "body");
    }

    static ProblemException malformedJson(String detail) {
        return new ProblemException(ProblemType.MALFORMED_JSON, detail, "body");
    }

    static ProblemException notFound(String path) {
        return new ProblemException(ProblemType.NOT_FOUND, "no endpoint at " + path
                + " (POST /api/v1/signals/prometheus or /api/v1/signals/kubernetes-event)", null);
    }
}
