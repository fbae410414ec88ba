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

    /** How long a review answer (allowed, denied or invalid token) is reused for the same token. */
    @WithDefault("30s")
    Duration cacheTtl();

    /** Upper bound of cached review answers (keyed by SHA-256 of the token, least recently used evicted). */
    @WithDefault("1000")
    int cacheMaxEntries();

    /** Timeout of one TokenReview or SubjectAccessReview call (one retry on a server error). */
    @WithDefault("5s")
    Duration reviewTimeout();

    /** Accepted distance between {@code X-Timestamp} (or an event's newest timestamp) and now, either way. */
    @WithDefault("5m")
    Duration replayWindow();

    /**
     * Whether a Kubernetes event without {@code X-Timestamp} must have its newest timestamp inside the replay
     * window. Alertmanager bodies are never checked this way (see the README).
     */
    @WithDefault("true")
    boolean checkEventTimestamps();
}
