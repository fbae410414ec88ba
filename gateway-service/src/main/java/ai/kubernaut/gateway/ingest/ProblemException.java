package ai.kubernaut.gateway.ingest;

import java.time.Duration;

/** Ends a request with an RFC 7807 answer. */
public class ProblemException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String slug;
    private final String title;
    private final String field;
    private final Duration retryAfter;

    public ProblemException(int status, String slug, String title, String detail, String field, Duration retryAfter) {
        super(detail);
        this.status = status;
        this.slug = slug;
        this.title = title;
        this.field = field;
        this.retryAfter = retryAfter;
    }

    public int status() {
        return status;
    }

    public String slug() {
        return slug;
    }

    public String title() {
        return title;
    }

    public String field() {
        return field;
    }

    public Duration retryAfter() {
        return retryAfter;
    }

    static ProblemException payloadTooLarge(long limit) {
        return new ProblemException(413, "payload-too-large", "Payload too large",
                "request body exceeds the limit of " + limit + " bytes (gateway.http.max-body-size)", "body", null);
    }

    static ProblemException malformedJson(String detail) {
        return new ProblemException(400, "malformed-json", "Malformed JSON", detail, "body", null);
    }
}
