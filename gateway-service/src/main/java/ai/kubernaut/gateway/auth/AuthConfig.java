package ai.kubernaut.gateway.auth;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** Who may send signals, and how fresh a request must be. */
@ConfigMapping(prefix = "gateway.auth")
public interface AuthConfig {

    enum Mode {
        /** Bearer token checked with a TokenReview, then a SubjectAccessReview. */
        TOKENREVIEW,
        /** No authentication: local runs and benchmarks only (logged loudly at start-up). */
        NONE
    }

    @WithDefault("tokenreview")
    Mode mode();

    /** API group of the resource the caller must be allowed to {@code create}. */
    @WithDefault("kubernaut.ai")
    String resourceGroup();

    /**
     * Resource (plural) the caller must be allowed to {@code create}. {@code signals} exists only in RBAC: a
     * sender granted it can reach the Gateway but cannot create RemediationRequests behind its back.
     */
    @WithDefault("signals")
    String resource();

    /**
     * Namespace of the SubjectAccessReview: the controller namespace ({@code POD_NAMESPACE}, wired in
     * application.properties). Unset means a cluster-wide check.
     */
    Optional<String> namespace();

    /**
     * How long an allowed answer is reused for the same token. A sender that keeps sending has it re-reviewed in
     * the background once it is half this old, so its requests never wait on a review.
     */
    @WithDefault("30s")
    Duration cacheTtl();

    /**
     * How long a refusal (invalid token: 401; authenticated but not allowed: 403) is reused for the same token:
     * short, so that a token or RoleBinding created just now works soon, long enough that a sender retrying with a
     * bad token costs one review per this time.
     */
    @WithDefault("5s")
    Duration negativeCacheTtl();

    /**
     * Upper bound of cached review answers, allowed and refused together (keyed by SHA-256 of the token; Caffeine's
     * frequency-based eviction keeps the tokens that are used often over one-off ones).
     */
    @WithDefault("1000")
    int cacheMaxEntries();

    /**
     * Reviews of tokens with no cached answer running at once on this replica; a request with such a token when
     * all are taken is answered 503 {@code auth-unavailable} with Retry-After at once (no queue).
     */
    @WithDefault("4")
    int reviewConcurrency();

    /**
     * Reviews of tokens with no cached answer started per second on this replica (a token bucket, burst of the same
     * size); 0 = no limit. Beyond it a request with such a token is answered 503 {@code auth-unavailable} with
     * Retry-After at once. Bounds the TokenReviews a spray of random tokens sends to the API server.
     */
    @WithDefault("20")
    int reviewRate();

    /** Background re-reviews of allowed tokens running at once (their own capacity, never taken by unknown ones). */
    @WithDefault("2")
    int refreshConcurrency();

    /** Timeout of one TokenReview or SubjectAccessReview call (one retry on a server error). */
    @WithDefault("5s")
    Duration reviewTimeout();

    /** Accepted distance between {@code X-Timestamp} (or an event's newest timestamp) and now, either way. */
    @WithDefault("5m")
    Duration replayWindow();

    /**
     * Requests with {@code X-Timestamp} remembered (as a hash) until their timestamp leaves the replay window, so
     * that the same request again is refused; beyond this bound the least valuable entries are dropped.
     */
    @WithDefault("50000")
    int replayMemoryMaxEntries();

    /**
     * Whether a Kubernetes event without {@code X-Timestamp} must have its newest timestamp inside the replay
     * window. Alertmanager bodies are never checked this way (see the README).
     */
    @WithDefault("true")
    boolean checkEventTimestamps();
}
