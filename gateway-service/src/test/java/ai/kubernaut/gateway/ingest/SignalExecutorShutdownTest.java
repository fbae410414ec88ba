package ai.kubernaut.gateway.ingest;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.runtime.configuration.MemorySize;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A stopping replica finishes what it accepted: at shutdown the signals still being processed (those of requests
 * answered late included) run to their end, uninterrupted, before the recorder releases its Leases; the old
 * {@code shutdownNow()} interrupted them mid-write.
 */
class SignalExecutorShutdownTest {

    static final HttpConfig CONFIG = new HttpConfig() {
        public MemorySize maxBodySize() {
            return new MemorySize(java.math.BigInteger.valueOf(100 * 1024));
        }

        public int maxInFlight() {
            return 2;
        }

        public Duration retryAfter() {
            return Duration.ofSeconds(1);
        }

        public Duration answerMargin() {
            return Duration.ofMillis(200);
        }

        public int batchConcurrency() {
            return 2;
        }

        public int batchConcurrencyPerNotification() {
            return 1;
        }

        public int batchMaxQueued() {
            return 10;
        }
    };

    @Test
    void signalsStillRunningAtShutdownFinishUninterruptedBeforeDrainReturns() throws Exception {
        SignalExecutor executor = new SignalExecutor(CONFIG);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        AtomicBoolean finished = new AtomicBoolean();
        CompletableFuture<String> answer = CompletableFuture.supplyAsync(() -> executor.run(() -> {
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                interrupted.set(true);
                return "interrupted";
            }
            finished.set(true);
            return "done";
        }, System.nanoTime() + Duration.ofSeconds(30).toNanos(), () -> "late"));
        assertTrue(started.await(5, TimeUnit.SECONDS));

        CompletableFuture<Void> drained = CompletableFuture.runAsync(() -> executor.drain(null));
        // drain keeps waiting while the signal runs (the old shutdownNow() returned at once, interrupting it)
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !drained.isDone());
        release.countDown();
        drained.get(SignalExecutor.DRAIN_WAIT.toMillis() + 5_000, TimeUnit.MILLISECONDS);
        assertTrue(finished.get(), "the running signal finished");
        assertEquals("done", answer.get(5, TimeUnit.SECONDS));
        assertFalse(interrupted.get(), "the running signal was interrupted");
    }
}
