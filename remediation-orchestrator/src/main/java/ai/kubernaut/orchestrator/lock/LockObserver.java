package ai.kubernaut.orchestrator.lock;

import java.time.Duration;

/** What the lock manager reports for metrics; every method has a no-op default. */
public interface LockObserver {

    LockObserver NONE = new LockObserver() {
    };

    /** One Lease API round trip, by verb (get, create, update, delete). */
    default void apiCall(String verb) {
    }

    /** One {@code tryAcquire}. */
    default void attempt() {
    }

    /** A {@code tryAcquire} that succeeded, and how long it took. */
    default void acquired(Duration took, boolean takeover) {
    }

    /** A {@code tryAcquire} that did not get the lock, with a reason (see {@link LockAttempt.Reason}). */
    default void notAcquired(LockAttempt.Reason reason) {
    }

    /** A release, with how long the lock was held and whether our DELETE removed the Lease. */
    default void released(Duration held, boolean deleted) {
    }
}
