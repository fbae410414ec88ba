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

    /**
     * Retry-After sent with a 503 from the in-flight limit, and with every 503 or 504 whose cause names no value
     * of its own (e.g. the answer deadline below).
     */
    @WithDefault("1s")
    Duration retryAfter();

    /**
     * Every signal request is answered at the latest {@code gateway.dedup.kubernetes-deadline} plus this margin
     * after it reached the Gateway, whatever Kubernetes call is still in flight: unfinished signals are answered
     * 504 (the work goes on, so they may still be counted). Keep it well under 1 s.
     */
    @WithDefault("500ms")
    Duration answerMargin();

    /** Alerts of multi-alert webhooks processed at the same time, across all requests of this replica. */
    @WithDefault("8")
    int batchConcurrency();

    /**
     * Alerts of one notification processed at the same time: a big notification takes at most this many of the
     * {@code batch-concurrency} threads, and its alerts take turns with those of other notifications.
     */
    @WithDefault("4")
    int batchConcurrencyPerNotification();

    /**
     * Alerts of notifications admitted and not yet finished on this replica (running and waiting); a notification
     * that does not fit is answered 503 with Retry-After before any of its alerts runs. One larger than this is
     * admitted only when no other alert is waiting. Keep it at least the largest notification accepted.
     */
    @WithDefault("2000")
    int batchMaxQueued();
}
