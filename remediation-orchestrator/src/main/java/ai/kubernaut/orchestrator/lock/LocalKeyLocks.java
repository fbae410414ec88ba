package ai.kubernaut.orchestrator.lock;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * One holder per key inside this process, the others wait (bounded). Entries exist only while a key is held or
 * waited for, so the map stays as small as the work in flight. Not re-entrant.
 */
public final class LocalKeyLocks {

    private static final class Entry {
        final Semaphore permit = new Semaphore(1, true);
        int users;
    }

    private final ConcurrentMap<String, Entry> entries = new ConcurrentHashMap<>();

    /** Holds the key after waiting at most {@code maxWait}; false when the wait ran out. */
    public boolean enter(String key, Duration maxWait) throws InterruptedException {
        Entry entry = entries.compute(key, (k, e) -> {
            Entry current = e == null ? new Entry() : e;
            current.users++;
            return current;
        });
        boolean entered = false;
        try {
            entered = entry.permit.tryAcquire(Math.max(0, maxWait.toNanos()), TimeUnit.NANOSECONDS);
            return entered;
        } finally {
            if (!entered) {
                leave(key);
            }
        }
    }

    /** Gives the key to the next waiter, if any. */
    public void exit(String key) {
        Entry entry = entries.get(key);
        if (entry == null) {
            throw new IllegalStateException("key not held in this process: " + key);
        }
        entry.permit.release();
        leave(key);
    }

    private void leave(String key) {
        entries.computeIfPresent(key, (k, e) -> --e.users == 0 ? null : e);
    }
}
