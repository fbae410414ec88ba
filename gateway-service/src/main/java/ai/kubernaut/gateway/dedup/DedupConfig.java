package ai.kubernaut.gateway.dedup;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** {@code gateway.dedup.*}: deciding and counting on RemediationRequests. Documented in the module README. */
@ConfigMapping(prefix = "gateway.dedup")
public interface DedupConfig {

    /** Budget of all Kubernetes calls for one signal; past it the signal fails with 504. */
    @WithDefault("15s")
    Duration kubernetesDeadline();

    /** Attempts per Kubernetes call on transient faults (no answer, 429, 5xx). */
    @WithDefault("3")
    int apiMaxAttempts();

    /** Retry-After of every 503/504 caused by the API server (unavailable, deadline passed). */
    @WithDefault("5s")
    Duration apiRetryAfter();
}
