package ai.kubernaut.gateway.lock;

import java.time.Instant;

/**
 * A Lease we hold: the object as we wrote it (our holder identity and its resourceVersion) and when.
 *
 * @param lease      the Lease as returned by our create or takeover update
 * @param acquiredAt our clock when we wrote it (its renewTime)
 * @param tookOver   true when we took over an expired Lease instead of creating one
 */
public record HeldLease(LeaseRecord lease, Instant acquiredAt, boolean tookOver) {
}
