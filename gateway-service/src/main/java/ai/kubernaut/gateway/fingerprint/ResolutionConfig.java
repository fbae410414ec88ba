package ai.kubernaut.gateway.fingerprint;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Owner resolution (Pod/ReplicaSet/Job to their top-level controller). */
@ConfigMapping(prefix = "gateway.resolution")
public interface ResolutionConfig {

    /** Follow controller ownerReferences with live GETs; false hashes the resource as named in the signal. */
    @WithDefault("true")
    boolean ownersEnabled();

    /** How long a resolved or derived owner (or a 403 fallback) is remembered; a Pod that is gone is not. */
    @WithDefault("60s")
    Duration cacheTtl();

    /** Upper bound of remembered resolutions (least recently used evicted). */
    @WithDefault("10000")
    int cacheMaxEntries();

    /** Per-GET timeout (no retries); a lookup that times out answers the signal 503 + Retry-After. */
    @WithDefault("2s")
    Duration timeout();
}
