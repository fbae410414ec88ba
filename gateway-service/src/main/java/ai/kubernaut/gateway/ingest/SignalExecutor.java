package ai.kubernaut.gateway.ingest;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Runs the processing of signals off the request thread so that the answer never waits longer than the request's
 * answer deadline, whatever Kubernetes call is in flight: past it the request is answered with the caller's
 * {@code late} outcome (504) while the work goes on and finishes by itself (it is never interrupted: a write may
 * be on its way). Two pools: single signals (up to twice {@code gateway.http.max-in-flight} running, the excess
 * being work of requests already answered late; beyond that 503), and the alerts of multi-alert webhooks, at most
 * {@code gateway.http.batch-concurrency} at a time for the whole replica (queued alerts that have not started by
 * the deadline are dropped, answered late like the others).
 *
 * <p>Batch work is bounded and shared fairly: a notification is admitted only if its alerts fit under
 * {@code gateway.http.batch-max-queued} (else 503 + Retry-After, nothing run), and it never has more than
 * {@code gateway.http.batch-concurrency-per-notification} alerts in the pool's FIFO queue or running: each of its
 * runners processes one alert, then goes back to the tail of the queue. So the alerts of notifications take turns,
 * and a small notification that arrives during a big one waits for about one alert of each other notification, not
 * for the whole big one.
 */
@ApplicationScoped
class SignalExecutor {

    private static final Logger LOG = Logger.getLogger(SignalExecutor.class);
    /** How long signals still running at shutdown may take (the HTTP drain before it waited for their answers). */
    static final Duration DRAIN_WAIT = Duration.ofSeconds(5);

    private final ThreadPoolExecutor singles;
    private final ThreadPoolExecutor batches;
    private final int perNotification;
    private final int maxQueued;
    private final Duration retryAfter;
    /** Alerts of admitted notifications not finished yet (running or waiting). */
    private final AtomicInteger queued = new AtomicInteger();
    private final MeterRegistry meters;

    SignalExecutor(HttpConfig config) {
        this(config, new SimpleMeterRegistry());
    }

    @Inject
    SignalExecutor(HttpConfig config, MeterRegistry meters) {
        this.singles = pool("gateway-signal-", 2 * Math.max(1, config.maxInFlight()), new SynchronousQueue<>());
        // unbounded type, bounded in use: at most per-notification runners of each admitted notification
        this.batches = pool("gateway-batch-", Math.max(1, config.batchConcurrency()), new LinkedBlockingQueue<>());
        this.perNotification = Math.max(1, config.batchConcurrencyPerNotification());
        this.maxQueued = Math.max(1, config.batchMaxQueued());
        this.retryAfter = config.retryAfter();
        this.meters = meters;
        meters.gauge("gateway.batch.alerts.queued", queued);
        meters.counter("gateway.signals.rejected", "reason", "batch_queue_full");
    }

    /** Alerts of notifications admitted and not finished (for tests and the gauge). */
    int queuedAlerts() {
        return queued.get();
    }

    private static ThreadPoolExecutor pool(String name, int threads, BlockingQueue<Runnable> queue) {
        AtomicInteger n = new AtomicInteger();
        boolean handOff = queue instanceof SynchronousQueue;
        ThreadPoolExecutor executor = new ThreadPoolExecutor(handOff ? 0 : threads, threads, 60, TimeUnit.SECONDS,
                queue, r -> {
                    Thread t = new Thread(r, name + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        executor.allowCoreThreadTimeOut(true);
        return executor;
    }

    /**
     * @param answerBy {@link System#nanoTime()} by which the result is needed
     * @param late     the result when the task has not finished by then
     * @throws ProblemException 503 when every single-signal thread is taken
     */
    <T> T run(Callable<T> task, long answerBy, Supplier<T> late) {
        Future<T> future;
        try {
            future = singles.submit(task);
        } catch (RejectedExecutionException e) {
            throw new ProblemException(ProblemType.TOO_MANY_REQUESTS, "the Gateway is still busy with the signals "
                    + "of earlier requests (the Kubernetes API is slow); retry later", null);
        }
        return await(future, answerBy, late);
    }

    /**
     * Runs every task and returns their results in order; those not finished by {@code answerBy} are {@code late}.
     *
     * @throws ProblemException 503 when the tasks do not fit under {@code gateway.http.batch-max-queued} (none ran)
     */
    <T> List<T> runAll(List<Callable<T>> tasks, long answerBy, Supplier<T> late) {
        admit(tasks.size());
        Notification<T> notification = new Notification<>(tasks);
        for (int i = Math.min(perNotification, tasks.size()); i > 0; i--) {
            dispatch(notification);
        }
        List<T> results = new ArrayList<>(tasks.size());
        for (Future<T> f : notification.results) {
            results.add(await(f, answerBy, late));
        }
        return results;
    }

    private void admit(int alerts) {
        while (true) {
            int now = queued.get();
            // one larger than the bound alone would never fit: it runs when nothing else waits
            if (now > 0 && now + alerts > maxQueued) {
                meters.counter("gateway.signals.rejected", "reason", "batch_queue_full").increment();
                throw new ProblemException(ProblemType.TOO_MANY_REQUESTS, "this replica already has " + now
                        + " alerts of other notifications to process; " + alerts + " more do not fit under "
                        + maxQueued + " (gateway.http.batch-max-queued): none was processed, retry later", null,
                        retryAfter);
            }
            if (queued.compareAndSet(now, now + alerts)) {
                return;
            }
        }
    }

    /** To the tail of the batch queue; when the pool is shutting down, on this thread (drain finishes it). */
    private boolean dispatch(Notification<?> notification) {
        try {
            batches.execute(notification);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    /**
     * The alerts of one notification; each run takes the next alert not yet taken, processes it unless its answer
     * was already given up ({@link #await} cancels it), then queues itself again behind the other notifications'.
     */
    private final class Notification<T> implements Runnable {
        private final List<Callable<T>> tasks;
        private final List<CompletableFuture<T>> results;
        private final AtomicInteger next = new AtomicInteger();

        Notification(List<Callable<T>> tasks) {
            this.tasks = tasks;
            this.results = new ArrayList<>(tasks.size());
            for (int i = 0; i < tasks.size(); i++) {
                results.add(new CompletableFuture<>());
            }
        }

        @Override
        public void run() {
            do {
                int i = next.getAndIncrement();
                if (i >= tasks.size()) {
                    return;
                }
                CompletableFuture<T> result = results.get(i);
                if (result.isDone()) { // given up at the answer deadline before it started
                    queued.decrementAndGet();
                    continue;
                }
                T value = null;
                Throwable failure = null;
                try {
                    value = tasks.get(i).call();
                } catch (Exception | Error e) {
                    failure = e;
                }
                queued.decrementAndGet(); // before the answer: whoever sees it done sees the room it left
                if (failure != null) {
                    result.completeExceptionally(failure);
                } else {
                    result.complete(value);
                }
            } while (next.get() < tasks.size() && !dispatch(this));
        }
    }

    private static <T> T await(Future<T> future, long answerBy, Supplier<T> late) {
        try {
            return future.get(Math.max(0, answerBy - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            future.cancel(false); // drops it only if it has not started
            return late.get();
        } catch (InterruptedException e) {
            future.cancel(false);
            Thread.currentThread().interrupt();
            return late.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("signal processing failed unexpectedly", e.getCause());
        }
    }

    /**
     * At shutdown, after the HTTP server has answered its in-flight requests (Quarkus' graceful shutdown runs
     * first) and before the recorder releases its Leases: let signals still running finish, those of requests
     * answered late included. Never interrupted (a write may be on its way); bounded, so the replica exits well
     * inside its grace period, and what is left then stops with the JVM like any lost answer.
     */
    void drain(@Observes ShutdownEvent event) {
        singles.shutdown();
        batches.shutdown();
        long until = System.nanoTime() + DRAIN_WAIT.toNanos();
        try {
            for (ThreadPoolExecutor pool : List.of(singles, batches)) {
                pool.awaitTermination(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int left = singles.getActiveCount() + batches.getActiveCount();
        if (left > 0) {
            LOG.warnf("%d signal(s) still being processed %s after shutdown began; stopping anyway", left, DRAIN_WAIT);
        }
    }
}
