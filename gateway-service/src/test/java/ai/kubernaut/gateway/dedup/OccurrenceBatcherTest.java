package ai.kubernaut.gateway.dedup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.gateway.model.RemediationRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Group commit against a fake store with version-guarded writes. */
class OccurrenceBatcherTest {

    final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    static RemediationRequest rr() {
        RemediationRequest rr = new RemediationRequest();
        rr.getMetadata().setName("rr-1");
        return rr;
    }

    static Deadline seconds(long s) {
        return Deadline.after(Duration.ofSeconds(s), System::nanoTime, Duration.ofSeconds(5));
    }

    /** A store that counts occurrences and writes. */
    static final class Store implements OccurrenceBatcher.BatchWriter {
        long count = 1; // the creator's
        int writes;
        volatile boolean active = true;

        @Override
        public synchronized OccurrenceBatcher.Batch write(String rrName, RemediationRequest knownCopy,
                List<Instant> occurrences, Deadline deadline) {
            if (!active) {
                return new OccurrenceBatcher.Inactive(null);
            }
            writes++;
            long before = count;
            count += occurrences.size();
            Thread.yield();
            return new OccurrenceBatcher.Written(new DedupRules.Counted(before, count, Instant.EPOCH, Instant.EPOCH),
                    knownCopy);
        }
    }

    @Test
    void manyConcurrentCallersAreAllCountedWithFewerWritesAndDistinctPositions() throws Exception {
        Store store = new Store();
        OccurrenceBatcher batcher = new OccurrenceBatcher(store);
        int threads = 32;
        int each = 50;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<List<Long>>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            futures.add(pool.submit(() -> {
                start.await();
                List<Long> mine = new ArrayList<>();
                for (int i = 0; i < each; i++) {
                    var r = assertInstanceOf(OccurrenceBatcher.Result.Stored.class,
                            batcher.add(rr(), Instant.now(), seconds(30)));
                    mine.add(r.count());
                }
                return mine;
            }));
        }
        start.countDown();
        Set<Long> positions = new TreeSet<>();
        for (var f : futures) {
            positions.addAll(f.get(60, TimeUnit.SECONDS));
        }
        int n = threads * each;
        assertEquals(1 + n, store.count);
        assertEquals(LongStream.rangeClosed(2, n + 1).boxed().collect(Collectors.toCollection(TreeSet::new)),
                positions, "each caller got its own position after the creator's 1");
        assertTrue(store.writes < n, "writes " + store.writes + " < occurrences " + n);
        assertEquals(0, batcher.busyLanes(), "no lane left behind");
    }

    @Test
    void anInactiveRrAnswersNotActiveAndStoresNothing() {
        Store store = new Store();
        store.active = false;
        OccurrenceBatcher batcher = new OccurrenceBatcher(store);
        assertInstanceOf(OccurrenceBatcher.Result.NotActive.class, batcher.add(rr(), Instant.now(), seconds(5)));
        assertEquals(1, store.count);
    }

    @Test
    void aFailedWriteFailsEveryCallerOfItsBatchAndTheNextBatchStillRuns() throws Exception {
        CountDownLatch inWrite = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        List<Integer> batchSizes = new ArrayList<>();
        OccurrenceBatcher batcher = new OccurrenceBatcher((name, copy, seen, deadline) -> {
            synchronized (batchSizes) {
                batchSizes.add(seen.size());
            }
            if (calls.incrementAndGet() == 1) {
                inWrite.countDown();
                await(release);
                return new OccurrenceBatcher.Written(new DedupRules.Counted(1, 2, Instant.EPOCH, Instant.EPOCH), copy);
            }
            if (calls.get() == 2) {
                throw new RecordingFailure(RecordingFailure.Reason.API_ERROR, "boom", Duration.ofSeconds(5), null);
            }
            return new OccurrenceBatcher.Written(new DedupRules.Counted(2, 2 + seen.size(), Instant.EPOCH,
                    Instant.EPOCH), copy);
        });
        Future<OccurrenceBatcher.Result> leader = pool.submit(() -> batcher.add(rr(), Instant.now(), seconds(30)));
        inWrite.await();
        List<Future<OccurrenceBatcher.Result>> second = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            second.add(pool.submit(() -> batcher.add(rr(), Instant.now(), seconds(30))));
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> batcher.queued() == 3);
        release.countDown();
        assertInstanceOf(OccurrenceBatcher.Result.Stored.class, leader.get(10, TimeUnit.SECONDS));
        for (var f : second) {
            var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
            RecordingFailure rf = assertInstanceOf(RecordingFailure.class, e.getCause());
            assertEquals(RecordingFailure.Reason.API_ERROR, rf.reason());
            assertEquals(Duration.ofSeconds(5), rf.retryAfter());
        }
        assertEquals(List.of(1, 3), batchSizes, "the three waiting callers went in one write");
        var after = assertInstanceOf(OccurrenceBatcher.Result.Stored.class,
                batcher.add(rr(), Instant.now(), seconds(5)));
        assertEquals(3, after.count());
    }

    @Test
    void aCallerWhoseDeadlinePassesBeforeItsWriteLeavesWithoutBeingCounted() throws Exception {
        CountDownLatch inWrite = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<Integer> batchSizes = new ArrayList<>();
        OccurrenceBatcher batcher = new OccurrenceBatcher((name, copy, seen, deadline) -> {
            synchronized (batchSizes) {
                batchSizes.add(seen.size());
            }
            inWrite.countDown();
            await(release);
            return new OccurrenceBatcher.Written(new DedupRules.Counted(1, 1 + seen.size(), Instant.EPOCH,
                    Instant.EPOCH), copy);
        });
        Future<OccurrenceBatcher.Result> leader = pool.submit(() -> batcher.add(rr(), Instant.now(), seconds(30)));
        inWrite.await();
        RecordingFailure f = assertThrows(RecordingFailure.class,
                () -> batcher.add(rr(), Instant.now(), Deadline.after(Duration.ofMillis(50), System::nanoTime, Duration.ofSeconds(5))));
        assertEquals(RecordingFailure.Reason.KUBERNETES_DEADLINE, f.reason());
        release.countDown();
        assertInstanceOf(OccurrenceBatcher.Result.Stored.class, leader.get(10, TimeUnit.SECONDS));
        assertEquals(List.of(1), batchSizes, "the caller that gave up was never written");
        assertEquals(0, batcher.busyLanes());
    }

    @Test
    void aCallerWhoseOccurrenceIsInASlowWriteIsAnsweredAtItsOwnDeadline() throws Exception {
        CountDownLatch firstWrite = new CountDownLatch(1);
        CountDownLatch secondWrite = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        CountDownLatch releaseSecond = new CountDownLatch(1);
        AtomicInteger writes = new AtomicInteger();
        OccurrenceBatcher batcher = new OccurrenceBatcher((name, copy, seen, deadline) -> {
            if (writes.incrementAndGet() == 1) {
                firstWrite.countDown();
                await(releaseFirst);
            } else {
                secondWrite.countDown();
                await(releaseSecond);
            }
            return new OccurrenceBatcher.Written(new DedupRules.Counted(1, 1 + seen.size(), Instant.EPOCH,
                    Instant.EPOCH), copy);
        });
        // A writes alone; B (patient) and C (hurried) queue; when A's write ends B writes for both, slowly
        Future<OccurrenceBatcher.Result> a = pool.submit(() -> batcher.add(rr(), Instant.now(), seconds(30)));
        firstWrite.await();
        Future<OccurrenceBatcher.Result> b = pool.submit(() -> batcher.add(rr(), Instant.now(), seconds(30)));
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> batcher.queued() == 1);
        long t0 = System.nanoTime();
        Deadline hurried = Deadline.after(Duration.ofMillis(400), System::nanoTime, Duration.ofSeconds(5));
        java.util.concurrent.atomic.AtomicLong answeredAfterMs = new java.util.concurrent.atomic.AtomicLong();
        Future<RecordingFailure> c = pool.submit(() -> {
            RecordingFailure failure = assertThrows(RecordingFailure.class,
                    () -> batcher.add(rr(), Instant.now(), hurried));
            answeredAfterMs.set((System.nanoTime() - t0) / 1_000_000);
            return failure;
        });
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> batcher.queued() == 2);
        releaseFirst.countDown();
        secondWrite.await(); // B writes B and C, and hangs

        RecordingFailure f = c.get(10, TimeUnit.SECONDS);
        releaseSecond.countDown();

        assertEquals(RecordingFailure.Reason.KUBERNETES_DEADLINE, f.reason());
        assertEquals(Duration.ofSeconds(5), f.retryAfter());
        assertTrue(answeredAfterMs.get() >= 400 && answeredAfterMs.get() < 1400,
                "C answered at its 400 ms deadline (+1 s at most) while the write still hung: " + answeredAfterMs + " ms");
        assertInstanceOf(OccurrenceBatcher.Result.Stored.class, a.get(10, TimeUnit.SECONDS));
        assertInstanceOf(OccurrenceBatcher.Result.Stored.class, b.get(10, TimeUnit.SECONDS));
        assertEquals(2, writes.get());
    }

    static void await(CountDownLatch l) {
        try {
            if (!l.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("latch never released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
