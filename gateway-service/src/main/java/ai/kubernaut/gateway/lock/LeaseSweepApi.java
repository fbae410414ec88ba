package ai.kubernaut.gateway.lock;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What the Lease sweep needs besides the lock protocol's four calls: a paged LIST of the namespace's Leases and a
 * DELETE guarded by uid and resourceVersion. Narrow, like {@link LeaseApi}, so the sweep is unit-tested against a
 * fake with a fake clock. Other failures are runtime exceptions: the sweep stops, the next one starts over.
 */
public interface LeaseSweepApi {

    /**
     * A Lease as listed.
     *
     * @param renewed renewTime, else acquireTime, else its creation
     */
    record Listed(String name, String uid, String resourceVersion, String holderIdentity, Instant renewed,
            Integer leaseDurationSeconds) {
    }

    /** One page and the token of the next ({@code null} after the last). */
    record Page(List<Listed> items, String continueToken) {
    }

    /** What a DELETE with preconditions did. */
    enum Deletion {
        DELETED,
        /** Already gone (404). */
        GONE,
        /** Renewed, taken over or recreated since it was listed (409 on a precondition): it stays. */
        CHANGED
    }

    Page list(int limit, String continueToken, Duration timeout);

    Deletion delete(String name, String uid, String resourceVersion, Duration timeout);
}
