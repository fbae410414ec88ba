package ai.kubernaut.orchestrator.lock;

import java.util.Optional;

/** The outcome of {@link LeaseLockManager#tryAcquire}: the held lock, or why not. */
public sealed interface LockAttempt {

    /** Why a lock was not acquired. All but {@link #API_ERROR} are contention: retry later with backoff. */
    enum Reason {
        /** Another reconcile in this process holds the key. */
        LOCAL,
        /** Another holder's Lease is unexpired. */
        HELD,
        /** A create or takeover update lost a race (409). */
        CONFLICT,
        /** The API call failed for another reason (unreachable, 403, 5xx). */
        API_ERROR;

        public boolean isContention() {
            return this != API_ERROR;
        }

        public String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    record Acquired(HeldLock lock) implements LockAttempt {
    }

    /**
     * @param holder the current holderIdentity when known
     * @param error  the API failure for {@link Reason#API_ERROR}
     */
    record NotAcquired(Reason reason, Optional<String> holder, Optional<RuntimeException> error)
            implements LockAttempt {
    }
}
