package ai.kubernaut.orchestrator.controller;

import ai.kubernaut.backoff.BackoffPolicy;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A keyed work queue in the manner of client-go's workqueue: a key is queued at most once however often it
 * is added, is handed to at most one worker at a time (an add while it is processed queues it again for after
 * {@link #done}), can be added after a delay (the earliest pending delay per key wins), and can be added
 * rate-limited: after a jittered exponential delay from the shared {@link BackoffPolicy}, growing with the
 * key's consecutive failures until {@link #forget}.
 */
public final class WorkQueue<K> implements AutoCloseable {

    private record Delayed(long dueNanos, ScheduledFuture<?> future) {
    }

    private final Object lock = new Object();
    private final ArrayDeque<K> queue = new ArrayDeque<>();
    private final Set<K> dirty = new HashSet<>();
    private final Set<K> processing = new HashSet<>();
    private final Map<K, Delayed> delayed = new HashMap<>();
    private final Map<K, Integer> failures = new ConcurrentHashMap<>();
    private final BackoffPolicy backoff;
    private final ScheduledExecutorService timer;
    private boolean shuttingDown;

    public WorkQueue(BackoffPolicy backoff, String name) {
        this.backoff = Objects.requireNonNull(backoff, "backoff");
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name + "-delays");
            t.setDaemon(true);
            return t;
        });
    }

    /** Queues the key unless it is already queued; a key being processed is queued again after done(). */
    public void add(K key) {
        synchronized (lock) {
            if (shuttingDown || !dirty.add(key)) {
                return;
            }
            if (!processing.contains(key)) {
                queue.addLast(key);
                lock.notify();
            }
        }
    }

    /** Adds the key after {@code delay}; when the key already waits for an earlier time, that one stands. */
    public void addAfter(K key, Duration delay) {
        if (delay.isNegative() || delay.isZero()) {
            add(key);
            return;
        }
        long due = System.nanoTime() + delay.toNanos();
        synchronized (lock) {
            if (shuttingDown) {
                return;
            }
            Delayed existing = delayed.get(key);
            if (existing != null && existing.dueNanos() - due <= 0) {
                return;
            }
            if (existing != null) {
                existing.future().cancel(false);
            }
            Delayed[] self = new Delayed[1];
            ScheduledFuture<?> future = timer.schedule(() -> {
                synchronized (lock) {
                    if (delayed.get(key) == self[0]) {
                        delayed.remove(key);
                    }
                }
                add(key);
            }, delay.toNanos(), TimeUnit.NANOSECONDS);
            self[0] = new Delayed(due, future);
            delayed.put(key, self[0]);
        }
    }

    /** Adds the key after the backoff delay for its next consecutive failure; returns that delay. */
    public Duration addRateLimited(K key) {
        int attempt = failures.merge(key, 1, Integer::sum);
        Duration delay = backoff.delay(attempt, ThreadLocalRandom.current());
        addAfter(key, delay);
        return delay;
    }

    /** Resets the key's failure count (after a successful reconcile). */
    public void forget(K key) {
        failures.remove(key);
    }

    public int failures(K key) {
        return failures.getOrDefault(key, 0);
    }

    /** Blocks until a key is available and marks it processing; null once the queue shuts down. */
    public K take() throws InterruptedException {
        synchronized (lock) {
            while (queue.isEmpty() && !shuttingDown) {
                lock.wait();
            }
            if (queue.isEmpty()) {
                return null;
            }
            K key = queue.pollFirst();
            dirty.remove(key);
            processing.add(key);
            return key;
        }
    }

    /** Marks the key processed; queues it again if it was added meanwhile. */
    public void done(K key) {
        synchronized (lock) {
            processing.remove(key);
            if (dirty.contains(key) && !shuttingDown) {
                queue.addLast(key);
                lock.notify();
            }
        }
    }

    public int length() {
        synchronized (lock) {
            return queue.size();
        }
    }

    /** Stops handing out keys (take() returns null) and drops pending delays. */
    public void shutdown() {
        synchronized (lock) {
            shuttingDown = true;
            delayed.values().forEach(d -> d.future().cancel(false));
            delayed.clear();
            queue.clear();
            lock.notifyAll();
        }
        timer.shutdownNow();
    }

    @Override
    public void close() {
        shutdown();
    }
}
