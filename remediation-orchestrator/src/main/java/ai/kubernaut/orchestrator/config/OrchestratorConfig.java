package ai.kubernaut.orchestrator.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** The orchestrator's settings; every key and default is listed in remediation-orchestrator/README.md. */
@ConfigMapping(prefix = "orchestrator")
public interface OrchestratorConfig {

    /** This replica's name, the Lease holder prefix. Required; from POD_NAME (Downward API metadata.name). */
    Optional<String> podName();

    /** The controller namespace. Required; from POD_NAMESPACE (Downward API metadata.namespace). */
    Optional<String> namespace();

    /** Concurrent reconciles per replica (never two for the same RR). */
    @WithDefault("4")
    int workers();

    /** Periodic re-reconcile of every RR: a safety net behind the event-driven wake-ups. 0 disables it. */
    @WithDefault("5m")
    Duration resyncPeriod();

    Lock lock();

    Requeue requeue();

    PhaseTimeout phaseTimeout();

    Routing routing();

    Catalog catalog();

    Sharding sharding();

    Retention retention();

    /**
     * What the retention sweep keeps and deletes (ADR-052-002/-003, "Retention"): each replica sweeps the shards it
     * owns on its own thread; heads of chains outlive the rest.
     */
    interface Retention {
        /** A terminal RR is deleted (with its WFEs) after this long terminal; 0 keeps everything forever. */
        @WithDefault("24h")
        Duration retention();

        /** The newest RR of a fingerprint and the newest WFE of a target stay this long after they ended; 0 = forever. */
        @WithDefault("7d")
        Duration headRetention();

        /** Time between two sweeps of this replica's shards. */
        @WithDefault("5m")
        Duration interval();

        /** LIST page size (limit) of a sweep. */
        @WithDefault("500")
        int pageSize();

        /** Writes (deletes, terminal labels) of one sweep; what is left waits for the next sweep. */
        @WithDefault("1000")
        int maxDeletesPerSweep();

        /** Pace of those writes. */
        @WithDefault("20")
        double deletesPerSecond();

        /** Time between two sweeps of left-behind Leases ({@code ro-member-*}, {@code ro-lock-*}); 0 disables them. */
        @WithDefault("1m")
        Duration leaseInterval();

        /** A Lease expired for this many of its own durations is deleted (guarded by its resourceVersion). */
        @WithDefault("4")
        int expiredLeaseDurations();
    }

    /** Replicas divide the targets among the live members (ADR-052-003 addendum). */
    interface Sharding {
        /** A member Lease not renewed for this long drops its replica; its targets move to the others. */
        @WithDefault("15s")
        Duration memberLeaseDuration();

        /** How often each replica renews its member Lease (one UPDATE); well below the lease duration. */
        @WithDefault("5s")
        Duration renewInterval();

        /**
         * On shutdown: how long a replica keeps working after announcing it leaves, while the others list its shards
         * ahead; it leaves when they all have, or after this long (0: leave at once, the others list afterwards).
         */
        @WithDefault("5s")
        Duration handOverWait();
    }

    interface Lock {
        /** Target Lease duration (ADR-052: 30 s; under 10 s is too short, over 60 s too long). */
        @WithDefault("30s")
        Duration leaseDuration();
    }

    /** Requeue after lock contention, status conflicts and API errors: jittered exponential backoff. */
    interface Requeue {
        @WithDefault("100ms")
        Duration baseDelay();

        @WithDefault("5s")
        Duration maxDelay();

        @WithDefault("2.0")
        double multiplier();

        /** FULL jitter spreads replicas contending for one target; the delay is floored at base-delay. */
        @WithDefault("1.0")
        double jitter();
    }

    interface PhaseTimeout {
        @WithDefault("10m")
        Duration analyzing();

        @WithDefault("1h")
        Duration blocked();

        @WithDefault("1h")
        Duration executing();
    }

    interface Routing {
        /** RecentlyRemediated window when the catalog entry sets none; 0 disables the check. */
        @WithDefault("0s")
        Duration defaultCooldown();

        /**
         * A ResourceBusy RR woken by the end of one WFE on its target and still waiting (another RR took the
         * target) rewrites its block to name the new WFE only when the block is at least this old: a line of
         * RRs behind short workflows costs no status write and Event per turn. 0 rewrites every time.
         */
        @WithDefault("30s")
        Duration busyStatusRefresh();
    }

    interface Catalog {
        /** The workflow catalog ConfigMap in the controller namespace (key catalog.yaml). */
        @WithDefault("kubernaut-workflow-catalog")
        String configMap();
    }
}
