package ai.kubernaut.gateway.dedup;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/** Fires calls from many threads at once (a latch opens them together) and collects every answer. */
final class ConcurrentSignals {

    /** An answer or the failure thrown instead. */
    record Answer(Recorded recorded, Throwable failure) {
    }

    private ConcurrentSignals() {
    }

    /**
     * @param threads    concurrent callers
     * @param perThread  calls each caller makes one after the other
     * @param recorderOf the recorder (replica) caller i talks to
     * @param signalOf   the signal caller i sends
     */
    static List<Answer> run(int threads, int perThread, IntFunction<SignalRecorder> recorderOf,
            IntFunction<ai.kubernaut.gateway.signal.Signal> signalOf) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<Answer>>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int caller = t;
                Callable<List<Answer>> task = () -> {
                    start.await();
                    List<Answer> mine = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        try {
                            mine.add(new Answer(recorderOf.apply(caller).record(signalOf.apply(caller)), null));
                        } catch (RuntimeException e) {
                            mine.add(new Answer(null, e));
                        }
                    }
                    return mine;
                };
                futures.add(pool.submit(task));
            }
            start.countDown();
            List<Answer> all = new ArrayList<>();
            for (Future<List<Answer>> f : futures) {
                all.addAll(f.get(120, TimeUnit.SECONDS));
            }
            return all;
        } finally {
            pool.shutdownNow();
        }
    }
}
