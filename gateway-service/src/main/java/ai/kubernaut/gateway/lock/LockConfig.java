package ai.kubernaut.gateway.lock;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** {@code gateway.lock.*}: the fingerprint Lease (ADR-052). Documented in the module README. */
@ConfigMapping(prefix = "gateway.lock")
public interface LockConfig {

    /**
     * Take a Lease around the create of a new RR. {@code false} only for comparison runs: the in-process
     * exclusion and the fenced RR name still prevent a second RR, at the price of 409s on concurrent creates.
     */
    @WithDefault("true")
    boolean enabled();

    /** Lease validity; another replica takes the Lease over after it (no renewal). */
    @WithDefault("30s")
    Duration leaseDuration();

    /** Retry-After answered with 503 when the Lease stayed contended through every attempt. */
    @WithDefault("5s")
    Duration retryAfter();

    /** Longest wait for another request of this replica that is creating the same fingerprint's RR. */
    @WithDefault("10s")
    Duration localWait();

    /**
     * A request that finds the Lease held by a live holder (or released between its CREATE and its GET) waits up to this long for the holder's RR to reach its
     * view (woken at once when it does) before it tries the Lease again, instead of polling the Lease while the RR is
     * on its way; once per holder, at least the backoff step, at most the holder's remaining Lease and the deadline.
     * What a holder that fails without creating costs the others at most.
     */
    @WithDefault("2s")
    Duration holderWait();

    Sweep sweep();

    /** Deleting {@code gw-lock-*} Leases left behind by a crashed replica or a failed release. */
    interface Sweep {
        /** Time between two sweeps of a replica (every replica sweeps; the first after a random part); 0 disables. */
        @WithDefault("1m")
        Duration interval();

        /** A Lease expired for this many of its own durations is deleted (guarded by its resourceVersion). */
        @WithDefault("4")
        int expiredDurations();

        /** LIST page size (limit). */
        @WithDefault("500")
        int pageSize();

        /** Pace of the DELETEs. */
        @WithDefault("10")
        double deletesPerSecond();

        /** DELETEs of one sweep; the rest waits for the next. */
        @WithDefault("500")
        int maxDeletesPerSweep();
    }
}
