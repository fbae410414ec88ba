package ai.kubernaut.backoff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.backoff.RetryResult.Status;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The real {@link Sleeper#threadSleep()} honours {@link Thread#interrupt()}: a run that would sleep ten minutes
 * ends as soon as its thread is interrupted. Synchronised with a latch, not with sleeps.
 */
class RetrierRealSleepInterruptTest {

    private final ExecutorService executor = Executors.newSingleThreadExecutor();

    @AfterEach
    void stopExecutor() throws InterruptedException {
        executor.shutdownNow();
        assertTrue(executor.awaitTermination(10, TimeUnit.SECONDS));
    }

    @Test
    @Timeout(30)
    void interruptingTheThreadEndsALongRealSleep() throws Exception {
        BackoffPolicy tenMinutes = BackoffPolicy.builder().baseDelay(Duration.ofMinutes(10))
                .maxDelay(Duration.ofMinutes(10)).maxAttempts(2).build();
        CountDownLatch aboutToSleep = new CountDownLatch(1);
        Sleeper real = Sleeper.threadSleep();
        Thread[] worker = new Thread[1];
        boolean[] flagAfterRun = new boolean[1];
        long start = System.nanoTime();
        Future<RetryResult<String>> run = executor.submit(() -> {
            worker[0] = Thread.currentThread();
            RetryResult<String> r = Retrier.builder(tenMinutes)
                    .sleeper(d -> {
                        aboutToSleep.countDown();
                        real.sleep(d);
                    })
                    .build()
                    .run(attempt -> Outcome.retry("busy"));
            flagAfterRun[0] = Thread.currentThread().isInterrupted();
            return r;
        });
        assertTrue(aboutToSleep.await(10, TimeUnit.SECONDS));
        worker[0].interrupt(); // lands during the sleep or just before it: both must stop the run
        RetryResult<String> r = run.get(10, TimeUnit.SECONDS);
        assertEquals(new RetryResult<>(Status.INTERRUPTED, null, 1, "busy", null), r);
        assertTrue(flagAfterRun[0], "interrupt flag restored on the worker thread");
        assertTrue(System.nanoTime() - start < TimeUnit.MINUTES.toNanos(1), "ended long before the 10 min sleep");
    }
}
