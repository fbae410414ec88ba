package ai.kubernaut.orchestrator.lock;

import java.time.Instant;

/**
 * One acquisition of a key's Lease. Release it exactly once ({@link LeaseLockManager#release}); it is not
 * re-entrant: every acquisition has its own holder token.
 *
 * @param key             what is locked (the target string)
 * @param leaseName       the Lease object's name
 * @param holderIdentity  {@code <pod name>/<per-acquisition token>}
 * @param resourceVersion the Lease's resourceVersion after our create or takeover
 * @param acquiredAt      when we got it (our clock)
 */
public record HeldLock(String key, String leaseName, String holderIdentity, String resourceVersion,
        Instant acquiredAt) {
}
