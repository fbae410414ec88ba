package ai.kubernaut.orchestrator.retention;

import java.time.Duration;
import java.util.Objects;

/**
 * What the retention sweep of one replica keeps, how fast it deletes, and when Leases count as left behind.
 *
 * @param retention             a terminal RR (with its WFEs) is deleted once it has been terminal this long; zero keeps
 *                              every RR and WFE forever
 * @param headRetention         the newest RR of a fingerprint and the newest WFE of a target (the chain heads the fenced
 *                              names rest on) are kept this long after they ended; zero keeps heads forever
 * @param interval              time between two sweeps of this replica's shards
 * @param pageSize              LIST page size ({@code limit})
 * @param maxDeletesPerSweep    writes (deletes and terminal labels) of one sweep; the rest waits for the next
 * @param deletesPerSecond      pace of those writes
 * @param leaseInterval         time between two sweeps of left-behind Leases; zero disables them
 * @param expiredLeaseDurations a Lease is deleted once it has been expired for this many of its own durations
 */
public record RetentionSettings(Duration retention, Duration headRetention, Duration interval, int pageSize,
        int maxDeletesPerSweep, double deletesPerSecond, Duration leaseInterval, int expiredLeaseDurations) {

    public RetentionSettings {
        Objects.requireNonNull(retention, "retention");
        Objects.requireNonNull(headRetention, "headRetention");
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(leaseInterval, "leaseInterval");
        if (retention.isNegative() || headRetention.isNegative() || leaseInterval.isNegative()) {
            throw new IllegalArgumentException("retention, head-retention and lease-interval must not be negative");
        }
        if (!retention.isZero() && !headRetention.isZero() && headRetention.compareTo(retention) < 0) {
            throw new IllegalArgumentException("head-retention (" + headRetention + ") must not be shorter than "
                    + "retention (" + retention + "): the chain heads outlive the rest of their chain");
        }
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("retention interval must be positive but was " + interval);
        }
        if (pageSize < 1 || maxDeletesPerSweep < 1 || !(deletesPerSecond > 0) || expiredLeaseDurations < 1) {
            throw new IllegalArgumentException("page-size, max-deletes-per-sweep, deletes-per-second and "
                    + "expired-lease-durations must be positive");
        }
    }

    /** The defaults of {@code orchestrator.retention.*} (remediation-orchestrator/README.md). */
    public static RetentionSettings defaults() {
        return new RetentionSettings(Duration.ofHours(24), Duration.ofDays(7), Duration.ofMinutes(5), 500, 1000, 20,
                Duration.ofMinutes(1), 4);
    }

    /** Whether RRs and WFEs are ever deleted. */
    public boolean deletesHistory() {
        return !retention.isZero();
    }

    /** Whether heads are ever deleted. */
    public boolean deletesHeads() {
        return deletesHistory() && !headRetention.isZero();
    }

    public RetentionSettings withRetention(Duration otherRetention, Duration otherHeadRetention) {
        return new RetentionSettings(otherRetention, otherHeadRetention, interval, pageSize, maxDeletesPerSweep,
                deletesPerSecond, leaseInterval, expiredLeaseDurations);
    }

    public RetentionSettings withPace(int otherMaxDeletesPerSweep, double otherDeletesPerSecond) {
        return new RetentionSettings(retention, headRetention, interval, pageSize, otherMaxDeletesPerSweep,
                otherDeletesPerSecond, leaseInterval, expiredLeaseDurations);
    }

    public RetentionSettings withIntervals(Duration otherInterval, Duration otherLeaseInterval) {
        return new RetentionSettings(retention, headRetention, otherInterval, pageSize, maxDeletesPerSweep,
                deletesPerSecond, otherLeaseInterval, expiredLeaseDurations);
    }

    public RetentionSettings withPageSize(int otherPageSize) {
        return new RetentionSettings(retention, headRetention, interval, otherPageSize, maxDeletesPerSweep,
                deletesPerSecond, leaseInterval, expiredLeaseDurations);
    }
}
