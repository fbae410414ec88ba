package ai.kubernaut.gateway.health;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Readiness check of the API server. */
@ConfigMapping(prefix = "gateway.health")
public interface HealthConfig {

    /** Longest a readiness probe waits for the API server. */
    @WithDefault("2s")
    Duration apiServerTimeout();

    /** How long one API server check answers readiness probes (probes stay cheap under load). */
    @WithDefault("5s")
    Duration apiServerCacheTtl();
}
