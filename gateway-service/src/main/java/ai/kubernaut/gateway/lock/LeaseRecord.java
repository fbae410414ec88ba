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
     * Expired when {@code renewTime + leaseDurationSeconds < now} (client-go's rule; at exactly the boundary it
     * still holds). A Lease with no holder protects nobody, and one with no time or no duration can never be
     * renewed by anyone, so both count as expired. The RO's copy applies the same rule (ADR-052).
     */
    public boolean expiredAt(Instant now) {
        if (holderIdentity == null || holderIdentity.isEmpty()) {
            return true;
        }
        Instant expires = expiresAt();
        return expires == null || expires.isBefore(now);
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
