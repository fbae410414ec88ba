package ai.kubernaut.gateway.ingest;

import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
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
 */
@ApplicationScoped
class SignalExecutor {

    private static final Logger LOG = Logger.getLogger(SignalExecutor.class);
    /** How long signals still running at shutdown may take (the HTTP drain before it waited for their answers). */
    static final Duration DRAIN_WAIT = Duration.ofSeconds(5);

    private final ThreadPoolExecutor singles;
    private final ThreadPoolExecutor batches;

    @Inject
    SignalExecutor(HttpConfig config) {
        this.singles = pool("gateway-signal-", 2 * Math.max(1, config.maxInFlight()), new SynchronousQueue<>());
        this.batches = pool("gateway-batch-", Math.max(1, config.batchConcurrency()), new LinkedBlockingQueue<>());
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

    /** Runs every task and returns their results in order; those not finished by {@code answerBy} are {@code late}. */
    <T> List<T> runAll(List<Callable<T>> tasks, long answerBy, Supplier<T> late) {
        List<Future<T>> futures = new ArrayList<>(tasks.size());
        for (Callable<T> task : tasks) {
            futures.add(batches.submit(task));
        }
        List<T> results = new ArrayList<>(tasks.size());
        for (Future<T> f : futures) {
            results.add(await(f, answerBy, late));
        }
        return results;
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
