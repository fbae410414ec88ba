package ai.kubernaut.gateway.lock;

import java.time.Instant;

/** The result of one attempt to take a key's Lease. */
public sealed interface LeaseAttempt permits LeaseAttempt.Acquired, LeaseAttempt.Contended {

    /** We hold the Lease now. */
    record Acquired(HeldLease lease) implements LeaseAttempt {
    }

    /**
     * Someone else holds it (or it changed under us). Not an error: retry later.
     *
     * @param holder    the current holder, null when unknown (e.g. deleted between our create and our read)
     * @param expiresAt when the holder's Lease expires, null when unknown
     */
    record Contended(String holder, Instant expiresAt) implements LeaseAttempt {
        public String describe() {
            return holder == null ? "lease changed under us" : "lease held by " + holder + " until " + expiresAt;
        }
    }
}
