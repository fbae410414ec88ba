package ai.kubernaut.gateway.ingest;

/**
 * Every kind of error answer of the signal API: its HTTP status, the slug of its type URI
 * ({@code https://kubernaut.ai/problems/<slug>}) and its title. The single list of what clients can see.
 */
public enum ProblemType {
    BAD_REQUEST(400, "bad-request", "Bad request"),
    INVALID_SIGNAL(400, "invalid-signal", "Invalid signal"),
    MALFORMED_JSON(400, "malformed-json", "Malformed JSON"),
    REPLAY_WINDOW(400, "replay-window", "Request outside the replay window"),
    UNREADABLE_BODY(400, "unreadable-body", "Unreadable body"),
    UNAUTHORIZED(401, "unauthorized", "Unauthorized"),
    FORBIDDEN(403, "forbidden", "Forbidden"),
    NOT_FOUND(404, "not-found", "Not found"),
    METHOD_NOT_ALLOWED(405, "method-not-allowed", "Method not allowed"),
    NOT_ACCEPTABLE(406, "not-acceptable", "Not acceptable"),
    /** The same request (endpoint, X-Timestamp and body) was already accepted inside the replay window. */
    REPLAYED_REQUEST(409, "replayed-request", "Request already accepted"),
    PAYLOAD_TOO_LARGE(413, "payload-too-large", "Payload too large"),
    /** A notification with more alerts than {@code gateway.limits.max-alerts}. */
    TOO_MANY_ALERTS(413, "too-many-alerts", "Too many alerts in one notification"),
    UNSUPPORTED_MEDIA_TYPE(415, "unsupported-media-type", "Unsupported media type"),
    INTERNAL_ERROR(500, "internal-error", "Internal error"),
    KUBERNETES_ERROR(500, "kubernetes-error", "Kubernetes API error"),
    TOO_MANY_REQUESTS(503, "too-many-requests", "Too many requests in flight"),
    LOCK_TIMEOUT(503, "lock-timeout", "Lock contention, retry later"),
    KUBERNETES_UNAVAILABLE(503, "kubernetes-unavailable", "Kubernetes API unavailable"),
    /** A notification (several alerts) with at least one alert that failed in a way a retry can fix. */
    ALERTS_NOT_RECORDED(503, "alerts-not-recorded", "Alerts not recorded, send the notification again"),
    AUTH_UNAVAILABLE(503, "auth-unavailable", "Authentication unavailable"),
    KUBERNETES_DEADLINE(504, "kubernetes-deadline", "Kubernetes deadline exceeded");

    static final String TYPE_BASE = "https://kubernaut.ai/problems/";

    private final int status;
    private final String slug;
    private final String title;

    ProblemType(int status, String slug, String title) {
        this.status = status;
        this.slug = slug;
        this.title = title;
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

    public String uri() {
        return TYPE_BASE + slug;
    }

    /** 503 and 504 say "try again later": they always carry Retry-After. */
    public boolean retryable() {
        return status == 503 || status == 504;
    }

    public Problem problem(String detail, String instance, String field) {
        return new Problem(uri(), title, status, detail, instance, field);
    }
}
