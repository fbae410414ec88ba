package ai.kubernaut.gateway.ingest;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.runtime.configuration.MemorySize;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Batch work is bounded and shared: a notification's alerts take turns with other notifications' (so a small one is
 * not queued behind all of a big one), admission is bounded (503 + Retry-After, nothing run), and the shutdown drain
 * still finishes a notification whose alerts are running.
 */
class BatchFairnessTest {

    private final List<SignalExecutor> executors = new ArrayList<>();
    private final Semaphore gate = new Semaphore(0);

    @AfterEach
    void stop() {
        gate.release(10_000); // let every blocked task end, then stop the pools
        executors.forEach(e -> e.drain(null));
    }

    private SignalExecutor executor(int threads, int perNotification, int maxQueued) {
        SignalExecutor executor = new SignalExecutor(new HttpConfig() {
            public MemorySize maxBodySize() {
                return new MemorySize(BigInteger.valueOf(100 * 1024));
            }

            public int maxInFlight() {
                return 4;
            }

            public Duration retryAfter() {
                return Duration.ofSeconds(2);
            }

            public Duration answerMargin() {
                return Duration.ofMillis(200);
            }

            public int batchConcurrency() {
                return threads;
            }

            public int batchConcurrencyPerNotification() {
                return perNotification;
            }

            public int batchMaxQueued() {
                return maxQueued;
            }
        });
        executors.add(executor);
        return executor;
    }

    /** Tasks that each wait for one permit of the gate, counting how many finished. */
    private List<Callable<String>> gated(int n, AtomicInteger done) {
        List<Callable<String>> tasks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            tasks.add(() -> {
                gate.acquire();
                done.incrementAndGet();
                return "ok";
            });
        }
        return tasks;
    }

    private static long far() {
        return System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    }

    @Test
    void aSmallNotificationRunsBetweenTheAlertsOfABigOneNotAfterAllOfThem() throws Exception {
        SignalExecutor executor = executor(2, 2, 1000);
        AtomicInteger bigDone = new AtomicInteger();
        CompletableFuture<List<String>> big = CompletableFuture.supplyAsync(
                () -> executor.runAll(gated(200, bigDone), far(), () -> "late"));
        await("the big notification holds both threads").atMost(Duration.ofSeconds(10))
                .until(() -> gate.hasQueuedThreads() && gate.getQueueLength() == 2);
        AtomicInteger smallDone = new AtomicInteger();
        List<Callable<String>> small = List.of(() -> "a" + smallDone.incrementAndGet(),
                () -> "b" + smallDone.incrementAndGet());
        CompletableFuture<List<String>> answer = CompletableFuture.supplyAsync(
                () -> executor.runAll(small, far(), () -> "late"));
        await("the small notification admitted").atMost(Duration.ofSeconds(10))
                .until(() -> executor.queuedAlerts() == 202);
        gate.release(2); // the two running big alerts end: the small notification's turn comes next
        assertEquals(List.of("a1", "b2"), sorted(answer.get(10, TimeUnit.SECONDS)));
        assertTrue(bigDone.get() <= 2, "the small notification waited for " + bigDone.get()
                + " big alerts, not for all 200");
        assertTrue(!big.isDone(), "the big notification is still in progress");
        gate.release(200);
        assertEquals(200, big.get(30, TimeUnit.SECONDS).stream().filter("ok"::equals).count());
        assertEquals(0, executor.queuedAlerts());
    }

    private static List<String> sorted(List<String> l) {
        return l.stream().sorted().toList();
    }

    @Test
    void aNotificationThatDoesNotFitIsAnswered503BeforeAnyOfItsAlertsRuns() throws Exception {
        SignalExecutor executor = executor(1, 1, 10);
        AtomicInteger firstDone = new AtomicInteger();
        CompletableFuture<List<String>> first = CompletableFuture.supplyAsync(
                () -> executor.runAll(gated(8, firstDone), far(), () -> "late"));
        await().atMost(Duration.ofSeconds(10)).until(() -> executor.queuedAlerts() == 8);
        AtomicInteger ran = new AtomicInteger();
        List<Callable<String>> three = List.of(() -> "x" + ran.incrementAndGet(), () -> "y" + ran.incrementAndGet(),
                () -> "z" + ran.incrementAndGet());
        ProblemException full = assertThrows(ProblemException.class, () -> executor.runAll(three, far(), () -> "late"));
        assertEquals(503, full.status());
        assertEquals(Duration.ofSeconds(2), full.retryAfter());
        assertTrue(full.getMessage().contains("gateway.http.batch-max-queued"), full.getMessage());
        assertEquals(0, ran.get(), "nothing of the refused notification ran");
        assertEquals(8, executor.queuedAlerts());
        // two more fit exactly
        CompletableFuture<List<String>> two = CompletableFuture.supplyAsync(
                () -> executor.runAll(three.subList(0, 2), far(), () -> "late"));
        await().atMost(Duration.ofSeconds(10)).until(() -> executor.queuedAlerts() == 10);
        gate.release(8);
        assertEquals(8, first.get(10, TimeUnit.SECONDS).size());
        assertEquals(2, two.get(10, TimeUnit.SECONDS).size());
        assertEquals(0, executor.queuedAlerts());
        // one larger than the bound runs when nothing else waits
        assertEquals(15, executor.runAll(java.util.Collections.nCopies(15, () -> "ok"), far(), () -> "late").size());
    }

    @Test
    void alertsNotStartedByTheAnswerDeadlineAreAnsweredLateAndDropped() {
        SignalExecutor executor = executor(1, 1, 100);
        AtomicInteger done = new AtomicInteger();
        List<String> results = executor.runAll(gated(5, done), System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300),
                () -> "late");
        assertEquals(List.of("late", "late", "late", "late", "late"), results);
        gate.release(1); // the one that had started finishes; the others are skipped
        await().atMost(Duration.ofSeconds(10)).until(() -> executor.queuedAlerts() == 0);
        assertEquals(1, done.get(), "only the alert running at the deadline went on");
    }

    @Test
    void theShutdownDrainFinishesTheAlertsOfARunningNotification() throws Exception {
        SignalExecutor executor = executor(1, 1, 100);
        AtomicInteger done = new AtomicInteger();
        CompletableFuture<List<String>> answer = CompletableFuture.supplyAsync(
                () -> executor.runAll(gated(5, done), far(), () -> "late"));
        await().atMost(Duration.ofSeconds(10)).until(gate::hasQueuedThreads);
        CompletableFuture<Void> drained = CompletableFuture.runAsync(() -> executor.drain(null));
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !drained.isDone());
        gate.release(5);
        drained.get(SignalExecutor.DRAIN_WAIT.toMillis() + 5_000, TimeUnit.MILLISECONDS);
        assertEquals(5, done.get(), "every alert ran, those queued behind the running one included");
        assertEquals(List.of("ok", "ok", "ok", "ok", "ok"), answer.get(5, TimeUnit.SECONDS));
    }
}
