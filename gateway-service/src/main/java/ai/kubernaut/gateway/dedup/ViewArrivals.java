package ai.kubernaut.gateway.dedup;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The requests waiting for an RR of a fingerprint to reach the view, and their wake-up when one does. A request that
 * lost the race for a fingerprint's Lease waits here for the holder's RR instead of polling the Lease: the RR reaches
 * the view with the watch's lag (milliseconds on the test server, hundreds of them on a real API server whose etcd
 * commits and watch cache fan out under load), and every poll meanwhile costs a Lease CREATE (409) and a GET.
 *
 * <p>Register first ({@link #expect}), then look at the view, then {@link Waiter#await}: an RR stored between the look
 * and the wait still wakes it. A fingerprint has an entry only while someone waits for it (at most one request per
 * replica goes to the Lease per fingerprint, the in-process exclusion queues the others), and each waiter leaves it
 * when closed, woken or not. Thread-safe: the informer's thread reports arrivals, request threads wait.
 */
final class ViewArrivals {

    private final Map<String, List<Waiter>> waiting = new HashMap<>();

    /** A wait for {@code fingerprint}'s next arrival, registered now; close it (try-with-resources). */
    Waiter expect(String fingerprint) {
        Waiter waiter = new Waiter(this, fingerprint);
        synchronized (this) {
            waiting.computeIfAbsent(fingerprint, fp -> new ArrayList<>(1)).add(waiter);
        }
        return waiter;
    }

    /** An RR of {@code fingerprint} was stored (added or changed): wakes whoever waits for one. */
    void arrived(String fingerprint) {
        List<Waiter> woken;
        synchronized (this) {
            if (waiting.isEmpty()) {
                return;
            }
            woken = waiting.remove(fingerprint);
        }
        if (woken != null) {
            woken.forEach(Waiter::wake);
        }
    }

    /** Waits registered right now. */
    synchronized int waiters() {
        return waiting.values().stream().mapToInt(List::size).sum();
    }

    /** Fingerprints with a waiter right now. */
    synchronized int fingerprints() {
        return waiting.size();
    }

    private synchronized void leave(Waiter waiter) {
        List<Waiter> mine = waiting.get(waiter.fingerprint);
        if (mine != null && mine.remove(waiter) && mine.isEmpty()) {
            waiting.remove(waiter.fingerprint);
        }
    }

    /** A wait that nothing ever wakes, for a view that cannot tell arrivals: it waits out its bound. */
    static Waiter unobserved(String fingerprint) {
        return new Waiter(null, fingerprint);
    }

    /** One request's wait for one fingerprint. Used by the thread that registered it. */
    static final class Waiter implements AutoCloseable {
        private final ViewArrivals owner;
        private final String fingerprint;
        private final CountDownLatch arrived = new CountDownLatch(1);

        private Waiter(ViewArrivals owner, String fingerprint) {
            this.owner = owner;
            this.fingerprint = fingerprint;
        }

        /**
         * Waits until an RR of the fingerprint arrives (since {@link ViewArrivals#expect}) or {@code max} passed.
         *
         * @return true when one arrived
         */
        boolean await(Duration max) throws InterruptedException {
            return arrived.await(Math.max(0, max.toNanos()), TimeUnit.NANOSECONDS);
        }

        private void wake() {
            arrived.countDown();
        }

        /** Leaves the registry (a woken waiter has left it already). Idempotent. */
        @Override
        public void close() {
            if (owner != null) {
                owner.leave(this);
            }
        }
    }
}
