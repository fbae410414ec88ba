package ai.kubernaut.gateway.lock;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * What the lock protocol reads from and writes to a {@code coordination.k8s.io/v1} Lease, independent of any
 * client library (like client-go's {@code LeaderElectionRecord}).
 *
 * @param name                 Lease name
 * @param holderIdentity       {@code <pod>/<token>}; null when nobody holds it
 * @param acquireTime          when the current holder acquired it
 * @param renewTime            last renewal (= acquisition: this lock never renews)
 * @param leaseDurationSeconds validity after renewTime
 * @param leaseTransitions     how many times the holder changed by takeover
 * @param resourceVersion      the version read; null on objects not yet written
 */
public record LeaseRecord(String name, String holderIdentity, Instant acquireTime, Instant renewTime,
        Integer leaseDurationSeconds, Integer leaseTransitions, String resourceVersion) {

    public LeaseRecord {
        Objects.requireNonNull(name, "name");
    }

    /**
     * Expired when {@code renewTime + leaseDurationSeconds < now} (client-go's rule). A Lease with no time or
     * no duration can never be renewed by anyone, so it counts as expired.
     */
    public boolean expiredAt(Instant now) {
        Instant last = renewTime != null ? renewTime : acquireTime;
        if (last == null || leaseDurationSeconds == null) {
            return true;
        }
        return expiresAt().isBefore(now);
    }

    /** When it expires; null when it has no time (see {@link #expiredAt(Instant)}). */
    public Instant expiresAt() {
        Instant last = renewTime != null ? renewTime : acquireTime;
        if (last == null || leaseDurationSeconds == null) {
            return null;
        }
        return last.plus(Duration.ofSeconds(leaseDurationSeconds));
    }
}
