package ai.kubernaut.e2e.load;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * Fires {@code requests} requests from {@code clients} concurrent clients, released together by one gate,
 * each client taking the next request index until none is left. The request for an index is built and
 * sent by the caller's function (choosing the replica, the payload...).
 */
public final class Storm {

    private Storm() {
    }

    public static LoadResult run(int clients, int requests, IntFunction<Outcome> request) {
        return run(clients, requests, request, null);
    }

    /** As {@link #run(int, int, IntFunction)}, calling {@code progress} (if given) after each answer. */
    public static LoadResult run(int clients, int requests, IntFunction<Outcome> request, Runnable progress) {
        Outcome[] outcomes = new Outcome[requests];
        AtomicInteger next = new AtomicInteger();
        CountDownLatch gate = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            Thread t = new Thread(() -> {
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = next.getAndIncrement(); i < requests; i = next.getAndIncrement()) {
                    outcomes[i] = request.apply(i);
                    if (progress != null) {
                        progress.run();
                    }
                }
            }, "storm-client-" + c);
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
        long start = System.nanoTime();
        gate.countDown();
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("storm interrupted", e);
            }
        }
        long wall = System.nanoTime() - start;
        return new LoadResult(Arrays.stream(outcomes).filter(o -> o != null).toList(), wall);
    }
}
