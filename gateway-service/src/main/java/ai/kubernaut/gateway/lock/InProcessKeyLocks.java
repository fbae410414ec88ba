package ai.kubernaut.gateway.lock;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Mutual exclusion per key inside one process: the part of the lock the original lacked (two requests for
 * the same fingerprint on one replica both "held" its re-entrant Lease). Slots exist only while someone
 * holds or waits for a key, so the map does not grow with the number of fingerprints ever seen.
 */
final class InProcessKeyLocks {

    enum Entry {
        /** The key was free. */
        FREE,
        /** Another thread of this process held the key; we waited for it. */
        WAITED,
        /** Still held by another thread when the wait ended; nothing is held. */
        TIMED_OUT
    }

    private static final class Slot {
        // fair: waiters enter in arrival order, none starves under a storm
        final Semaphore permit = new Semaphore(1, true);
        volatile int users; // holders + waiters; only changed inside ConcurrentHashMap.compute for this key
    }

    private final ConcurrentHashMap<String, Slot> slots = new ConcurrentHashMap<>();

    Entry enter(String key, Duration maxWait) throws InterruptedException {
        Slot slot = slots.compute(key, (k, s) -> {
            Slot t = s == null ? new Slot() : s;
            t.users++;
            return t;
        });
        boolean entered = false;
        try {
            if (slot.permit.tryAcquire()) {
                entered = true;
                return Entry.FREE;
            }
            if (slot.permit.tryAcquire(Math.max(0, maxWait.toNanos()), TimeUnit.NANOSECONDS)) {
                entered = true;
                return Entry.WAITED;
            }
            return Entry.TIMED_OUT;
        } finally {
            if (!entered) {
                leave(key, slot);
            }
        }
    }

    void exit(String key) {
        Slot slot = slots.get(key);
        if (slot == null) {
            throw new IllegalStateException("exit without enter for key " + key);
        }
        slot.permit.release();
        leave(key, slot);
    }

    /** Keys held or waited for right now (for tests and diagnostics). */
    int activeKeys() {
        return slots.size();
    }

    /** Holders + waiters of a key right now (for tests and diagnostics). */
    int usersOf(String key) {
        Slot s = slots.get(key);
        return s == null ? 0 : s.users;
    }

    private void leave(String key, Slot slot) {
        slots.compute(key, (k, s) -> {
            if (s != slot) {
                throw new IllegalStateException("slot replaced while in use for key " + key);
            }
            return --s.users == 0 ? null : s;
        });
    }
}
