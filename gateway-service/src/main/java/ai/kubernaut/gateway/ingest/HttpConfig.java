package ai.kubernaut.gateway.ingest;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Limits of the signal HTTP API. */
@ConfigMapping(prefix = "gateway.http")
public interface HttpConfig {

    /** Largest accepted request body; checked from Content-Length before reading and while reading. */
    @WithDefault("100K")
    MemorySize maxBodySize();

    /** Signal requests handled at once; the next one is answered 503 with Retry-After. */
    @WithDefault("100")
    int maxInFlight();

    /** Retry-After sent with a 503 from the in-flight limit. */
    @WithDefault("1s")
    Duration retryAfter();

    /** Alerts of multi-alert webhooks processed at the same time, across all requests of this replica. */
    @WithDefault("8")
    int batchConcurrency();
}
