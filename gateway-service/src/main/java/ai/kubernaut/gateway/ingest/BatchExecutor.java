package ai.kubernaut.gateway.ingest;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the alerts of multi-alert webhooks concurrently, at most {@code gateway.http.batch-concurrency} at a
 * time for the whole replica (the in-flight limit counts requests, this bounds the work inside them).
 */
@ApplicationScoped
class BatchExecutor {

    private final ExecutorService pool;

    @Inject
    BatchExecutor(HttpConfig config) {
        int threads = Math.max(1, config.batchConcurrency());
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor executor = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "gateway-batch-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        executor.allowCoreThreadTimeOut(true);
        this.pool = executor;
    }

    /** Runs every task and returns their results in order; tasks are expected to report their own failures. */
    <T> List<T> runAll(List<Callable<T>> tasks) {
        List<Future<T>> futures = new ArrayList<>(tasks.size());
        for (Callable<T> task : tasks) {
            futures.add(pool.submit(task));
        }
        List<T> results = new ArrayList<>(tasks.size());
        try {
            for (Future<T> f : futures) {
                results.add(f.get());
            }
        } catch (InterruptedException e) {
            futures.forEach(f -> f.cancel(true));
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while processing a batch", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("a batch task failed unexpectedly", e.getCause());
        }
        return results;
    }

    @PreDestroy
    void shutdown() {
        pool.shutdownNow();
    }
}
