package ai.kubernaut.orchestrator.controller;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.backoff.BackoffPolicy;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WorkQueueTest {

    final WorkQueue<String> queue = new WorkQueue<>(BackoffPolicy.builder().baseDelay(Duration.ofMillis(100))
            .maxDelay(Duration.ofSeconds(2)).multiplier(2.0).build(), "test");

    @AfterEach
    void stop() {
        queue.shutdown();
    }

    @Test
    void aKeyIsQueuedOnceHoweverOftenItIsAdded() throws Exception {
        queue.add("a");
        queue.add("b");
        queue.add("a");
        assertEquals(2, queue.length());
        assertEquals("a", queue.take());
        assertEquals("b", queue.take());
        assertEquals(0, queue.length());
    }

    @Test
    void aKeyBeingProcessedIsNotHandedOutAgainUntilDone() throws Exception {
        queue.add("a");
        assertEquals("a", queue.take());
        queue.add("a");
        assertEquals(0, queue.length(), "re-added while processing: waits for done()");
        CompletableFuture<String> second = CompletableFuture.supplyAsync(() -> {
            try {
                return queue.take();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(!second.isDone());
        queue.done("a");
        assertEquals("a", second.get(5, TimeUnit.SECONDS));
    }

    @Test
    void delayedAddKeepsTheEarliestDueTime() throws Exception {
        queue.addAfter("a", Duration.ofHours(1));
        queue.addAfter("a", Duration.ofMillis(50));
        queue.addAfter("a", Duration.ofHours(2));
        long start = System.nanoTime();
        assertEquals("a", queue.take());
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(30).toNanos());
        queue.done("a");
        assertEquals(0, queue.length());
    }

    @Test
    void rateLimitedDelaysGrowWithConsecutiveFailuresUntilForgotten() {
        assertEquals(Duration.ofMillis(100), queue.addRateLimited("a"));
        assertEquals(Duration.ofMillis(200), queue.addRateLimited("a"));
        assertEquals(Duration.ofMillis(400), queue.addRateLimited("a"));
        assertEquals(3, queue.failures("a"));
        queue.forget("a");
        assertEquals(0, queue.failures("a"));
        assertEquals(Duration.ofMillis(100), queue.addRateLimited("a"));
        await().atMost(Duration.ofSeconds(5)).until(() -> queue.length() == 1);
    }

    @Test
    void shutdownReleasesWaitingWorkers() throws Exception {
        CompletableFuture<String> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return queue.take();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        queue.shutdown();
        assertNull(waiting.get(5, TimeUnit.SECONDS));
        queue.add("a");
        assertEquals(0, queue.length());
    }
}
