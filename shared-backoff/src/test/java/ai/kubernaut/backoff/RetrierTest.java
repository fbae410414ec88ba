package ai.kubernaut.backoff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The retry loop, driven by a fake clock and sleeper: nothing here really sleeps. */
class RetrierTest {

    private static final BackoffPolicy ADR = BackoffPolicy.adr052();
    private static final BackoffPolicy ADR_NO_JITTER = ADR.toBuilder().jitter(Jitter.NONE).build();

    private final FakeTime time = new FakeTime();

    private Retrier.Builder retrier(BackoffPolicy policy) {
        return Retrier.builder(policy).sleeper(time).nanoClock(time).random(new SplittableRandom(1));
    }

    private static Duration ms(long millis) {
        return Duration.ofMillis(millis);
    }

    @AfterEach
    void clearInterruptFlag() {
        Thread.interrupted(); // never leak an interrupt into the next test
    }

    @Test
    void successAtFirstTrySleepsNothing() {
        RetryResult<String> r = retrier(ADR).build().run(attempt -> Outcome.success("lease"));
        assertEquals(RetryStatus.SUCCEEDED, r.status());
        assertTrue(r.succeeded());
        assertEquals("lease", r.value().orElseThrow());
        assertEquals(1, r.attempts());
        assertEquals(Duration.ZERO, r.totalSleep());
        assertEquals(Duration.ZERO, r.elapsed());
        assertTrue(time.sleeps.isEmpty());
        assertTrue(r.failure().isEmpty());
        assertTrue(r.lastRetryReason().isEmpty());
    }

    @Test
    void exactlyTenAttemptsThenExhaustedWithoutSleepingAfterTheLast() {
        List<Duration> attemptStarts = new ArrayList<>();
        RetryResult<String> r = retrier(ADR_NO_JITTER).build().run(attempt -> {
            attemptStarts.add(time.sinceOrigin());
            return Outcome.retry("lease held by pod-" + attempt);
        });
        assertEquals(RetryStatus.EXHAUSTED, r.status());
        assertEquals(10, r.attempts());
        assertEquals(10, attemptStarts.size());
        assertEquals(List.of(ms(100), ms(200), ms(400), ms(800), ms(1000), ms(1000), ms(1000), ms(1000), ms(1000)),
                time.sleeps);
        assertEquals(ms(6_500), r.totalSleep());
        assertEquals(ADR.nominalWorstCaseSleep(), r.totalSleep());
        assertEquals(ms(6_500), r.elapsed());
        assertEquals(ms(6_500), attemptStarts.get(9)); // the run ended right after the 10th attempt
        assertEquals("lease held by pod-10", r.lastRetryReason().orElseThrow());
        assertTrue(r.value().isEmpty());
        assertTrue(r.failure().isEmpty());
    }

    @Test
    void exhaustedAdrRunSleepsWithinTheJitterBounds() {
        for (long seed = 0; seed < 200; seed++) {
            FakeTime t = new FakeTime();
            RetryResult<Void> r = Retrier.builder(ADR).sleeper(t).nanoClock(t).random(new SplittableRandom(seed))
                    .build().run(attempt -> Outcome.retry("busy"));
            assertEquals(RetryStatus.EXHAUSTED, r.status());
            assertEquals(9, t.sleeps.size());
            assertTrue(r.totalSleep().compareTo(ms(5_850)) >= 0 && r.totalSleep().compareTo(ms(6_650)) <= 0,
                    "total sleep " + r.totalSleep());
            assertEquals(t.sleeps.stream().reduce(Duration.ZERO, Duration::plus), r.totalSleep());
        }
    }

    @Test
    void fourthAttemptStartsAfterSevenHundredMillisecondsNominal() {
        List<Duration> starts = new ArrayList<>();
        retrier(ADR_NO_JITTER).build().run(attempt -> {
            starts.add(time.sinceOrigin());
            return attempt < 4 ? Outcome.retry("busy") : Outcome.success(attempt);
        });
        assertEquals(List.of(Duration.ZERO, ms(100), ms(300), ms(700)), starts);

        // with the ADR's +-10 % jitter: 700 ms +-10 % (630-770 ms; the original's [base, max] clamp gave 700-770)
        for (long seed = 0; seed < 1_000; seed++) {
            FakeTime t = new FakeTime();
            AtomicInteger calls = new AtomicInteger();
            Duration[] fourth = new Duration[1];
            RetryResult<Integer> r = Retrier.builder(ADR).sleeper(t).nanoClock(t).random(new SplittableRandom(seed))
                    .build().run(attempt -> {
                        calls.incrementAndGet();
                        if (attempt == 4) {
                            fourth[0] = t.sinceOrigin();
                            return Outcome.success(attempt);
                        }
                        return Outcome.retry("busy");
                    });
            assertEquals(4, r.attempts());
            assertEquals(4, calls.get());
            assertTrue(fourth[0].compareTo(ms(630)) >= 0 && fourth[0].compareTo(ms(770)) <= 0,
                    "4th attempt at " + fourth[0]);
            assertEquals(fourth[0], r.totalSleep());
        }
    }

    @Test
    void successAfterRetriesReportsValueAttemptsAndSleep() {
        RetryResult<String> r = retrier(ADR_NO_JITTER).build()
                .run(attempt -> attempt == 3 ? Outcome.success("won") : Outcome.retry("held by other-" + attempt));
        assertEquals(RetryStatus.SUCCEEDED, r.status());
        assertEquals("won", r.value().orElseThrow());
        assertEquals(3, r.attempts());
        assertEquals(ms(300), r.totalSleep());
        assertEquals("held by other-2", r.lastRetryReason().orElseThrow());
    }

    @Test
    void successWithNullValueIsStillSuccess() {
        RetryResult<Void> r = retrier(ADR).build().run(attempt -> Outcome.success(null));
        assertEquals(RetryStatus.SUCCEEDED, r.status());
        assertTrue(r.value().isEmpty());
    }

    @Test
    void failOutcomeStopsAtOnce() {
        IOException apiError = new IOException("500 from the API server");
        AtomicInteger calls = new AtomicInteger();
        RetryResult<String> r = retrier(ADR_NO_JITTER).build().run(attempt -> {
            calls.incrementAndGet();
            return attempt == 2 ? Outcome.fail(apiError) : Outcome.retry("busy");
        });
        assertEquals(RetryStatus.FAILED, r.status());
        assertSame(apiError, r.failure().orElseThrow());
        assertEquals(2, r.attempts());
        assertEquals(2, calls.get());
        assertEquals(List.of(ms(100)), time.sleeps); // no sleep after the failing attempt
    }

    @Test
    void thrownExceptionFailsAtOnceAndIsNotRetried() {
        IllegalStateException boom = new IllegalStateException("boom");
        AtomicInteger calls = new AtomicInteger();
        RetryResult<String> r = retrier(ADR).build().run(attempt -> {
            calls.incrementAndGet();
            throw boom;
        });
        assertEquals(RetryStatus.FAILED, r.status());
        assertSame(boom, r.failure().orElseThrow());
        assertEquals(1, r.attempts());
        assertEquals(1, calls.get());
        assertTrue(time.sleeps.isEmpty());
    }

    @Test
    void checkedExceptionsFailToo() {
        RetryResult<String> r = retrier(ADR).build().run(attempt -> {
            throw new IOException("disk");
        });
        assertEquals(RetryStatus.FAILED, r.status());
        assertInstanceOf(IOException.class, r.failure().orElseThrow());
    }

    @Test
    void retryOnClassifiesExceptions() {
        Retrier retrier = retrier(ADR_NO_JITTER).retryOn(e -> e instanceof UncheckedIOException).build();
        RetryResult<String> failed = retrier.run(attempt -> {
            if (attempt < 3) {
                throw new UncheckedIOException(new IOException("connection reset " + attempt));
            }
            throw new IllegalArgumentException("bad request");
        });
        assertEquals(RetryStatus.FAILED, failed.status());
        assertEquals(3, failed.attempts());
        assertInstanceOf(IllegalArgumentException.class, failed.failure().orElseThrow());
        assertEquals("java.io.UncheckedIOException: java.io.IOException: connection reset 2",
                failed.lastRetryReason().orElseThrow());

        UncheckedIOException last = new UncheckedIOException(new IOException("still down"));
        RetryResult<String> exhausted = retrier(ADR_NO_JITTER.toBuilder().maxAttempts(3).build())
                .retryOn(e -> e instanceof UncheckedIOException).build()
                .run(attempt -> {
                    throw attempt == 3 ? last : new UncheckedIOException(new IOException("down"));
                });
        assertEquals(RetryStatus.EXHAUSTED, exhausted.status());
        assertSame(last, exhausted.failure().orElseThrow());
        assertEquals(3, exhausted.attempts());
    }

    @Test
    void nullOutcomeFails() {
        RetryResult<String> r = retrier(ADR).build().run(attempt -> null);
        assertEquals(RetryStatus.FAILED, r.status());
        assertEquals("attempt 1 returned null instead of an Outcome", r.failure().orElseThrow().getMessage());
    }

    @Test
    void errorsAreNotSwallowed() {
        Retrier retrier = retrier(ADR).retryOn(e -> true).build();
        assertThrows(StackOverflowError.class, () -> retrier.run(attempt -> {
            throw new StackOverflowError("simulated");
        }));
    }

    @Test
    void deadlineStopsBeforeASleepThatWouldCrossIt() {
        BackoffPolicy policy = ADR_NO_JITTER.toBuilder().deadline(Duration.ofSeconds(1)).build();
        List<Duration> starts = new ArrayList<>();
        RetryResult<String> r = retrier(policy).build().run(attempt -> {
            starts.add(time.sinceOrigin());
            return Outcome.retry("busy");
        });
        // attempts at 0, 100, 300, 700 ms; the next sleep (800 ms) would end at 1.5 s > 1 s
        assertEquals(RetryStatus.DEADLINE_EXCEEDED, r.status());
        assertEquals(List.of(Duration.ZERO, ms(100), ms(300), ms(700)), starts);
        assertEquals(4, r.attempts());
        assertEquals(ms(700), r.totalSleep());
        assertEquals(ms(700), r.elapsed());
        assertEquals("busy", r.lastRetryReason().orElseThrow());
    }

    @Test
    void noAttemptStartsAtTheDeadline() {
        BackoffPolicy exactly = ADR_NO_JITTER.toBuilder().deadline(ms(700)).build();
        RetryResult<String> r = retrier(exactly).build().run(attempt -> Outcome.retry("busy"));
        assertEquals(RetryStatus.DEADLINE_EXCEEDED, r.status());
        assertEquals(3, r.attempts()); // the 4th would start at exactly 700 ms
        assertEquals(ms(300), r.totalSleep());

        FakeTime t = new FakeTime();
        BackoffPolicy justAfter = ADR_NO_JITTER.toBuilder().deadline(ms(700).plusNanos(1)).build();
        RetryResult<String> r2 = Retrier.builder(justAfter).sleeper(t).nanoClock(t).build()
                .run(attempt -> Outcome.retry("busy"));
        assertEquals(4, r2.attempts());
    }

    @Test
    void jitteredSleepsNeverCrossTheDeadline() {
        Duration deadline = ms(2_000);
        BackoffPolicy policy = ADR.toBuilder().deadline(deadline).build();
        for (long seed = 0; seed < 500; seed++) {
            FakeTime t = new FakeTime();
            List<Duration> starts = new ArrayList<>();
            RetryResult<String> r = Retrier.builder(policy).sleeper(t).nanoClock(t).random(new SplittableRandom(seed))
                    .build().run(attempt -> {
                        starts.add(t.sinceOrigin());
                        return Outcome.retry("busy");
                    });
            assertEquals(RetryStatus.DEADLINE_EXCEEDED, r.status());
            assertTrue(t.sinceOrigin().compareTo(deadline) < 0, "slept until " + t.sinceOrigin());
            assertTrue(starts.stream().allMatch(s -> s.compareTo(deadline) < 0), "attempt starts " + starts);
            assertTrue(r.attempts() >= 4 && r.attempts() <= 5, "attempts " + r.attempts());
        }
    }

    @Test
    void slowAttemptsUseUpTheDeadline() {
        BackoffPolicy policy = ADR_NO_JITTER.toBuilder().deadline(Duration.ofSeconds(1)).build();
        RetryResult<String> r = retrier(policy).build().run(attempt -> {
            time.advance(ms(400)); // each attempt takes 400 ms
            return Outcome.retry("busy");
        });
        // attempt 1: 0-400, sleep 100; attempt 2: 500-900; the 200 ms sleep would reach 1.1 s
        assertEquals(RetryStatus.DEADLINE_EXCEEDED, r.status());
        assertEquals(2, r.attempts());
        assertEquals(ms(100), r.totalSleep());
        assertEquals(ms(900), r.elapsed());
    }

    @Test
    void anOversleepPastTheDeadlineStartsNoFurtherAttempt() {
        BackoffPolicy policy = ADR_NO_JITTER.toBuilder().deadline(Duration.ofSeconds(1)).build();
        AtomicInteger calls = new AtomicInteger();
        RetryResult<String> r = Retrier.builder(policy).nanoClock(time)
                .sleeper(d -> time.advance(Duration.ofSeconds(2))) // a sleeper that wakes far too late
                .build().run(attempt -> {
                    calls.incrementAndGet();
                    return Outcome.retry("busy");
                });
        assertEquals(RetryStatus.DEADLINE_EXCEEDED, r.status());
        assertEquals(1, calls.get());
        assertEquals(ms(100), r.totalSleep()); // what was requested
        assertEquals(Duration.ofSeconds(2), r.elapsed()); // what really passed
    }

    @Test
    void exhaustionTakesPrecedenceOverTheDeadline() {
        BackoffPolicy policy = ADR_NO_JITTER.toBuilder().maxAttempts(2).deadline(ms(150)).build();
        RetryResult<String> r = retrier(policy).build().run(attempt -> {
            time.advance(ms(40));
            return Outcome.retry("busy");
        });
        assertEquals(RetryStatus.EXHAUSTED, r.status());
        assertEquals(2, r.attempts());
        assertEquals(ms(180), r.elapsed()); // the 2nd attempt itself ran past the deadline: it is not cancelled
    }

    @Test
    void interruptDuringSleepStopsAndRestoresTheFlag() {
        InterruptedException interruption = new InterruptedException("shutdown");
        List<Duration> sleeps = new ArrayList<>();
        RetryResult<String> r = Retrier.builder(ADR_NO_JITTER).nanoClock(time).sleeper(d -> {
            if (sleeps.size() == 1) {
                throw interruption;
            }
            sleeps.add(d);
            time.advance(d);
        }).build().run(attempt -> Outcome.retry("busy"));
        assertTrue(Thread.interrupted(), "interrupt flag restored"); // also clears it
        assertEquals(RetryStatus.INTERRUPTED, r.status());
        assertEquals(2, r.attempts());
        assertSame(interruption, r.failure().orElseThrow());
        assertEquals(ms(100), r.totalSleep()); // the interrupted sleep is not counted
    }

    @Test
    void interruptedExceptionFromTheAttemptStopsAndRestoresTheFlag() {
        Retrier retrier = retrier(ADR).retryOn(e -> true).build(); // even a retry-everything predicate
        RetryResult<String> r = retrier.run(attempt -> {
            throw new InterruptedException("cancelled");
        });
        assertTrue(Thread.interrupted(), "interrupt flag restored");
        assertEquals(RetryStatus.INTERRUPTED, r.status());
        assertEquals(1, r.attempts());
        assertInstanceOf(InterruptedException.class, r.failure().orElseThrow());
    }

    @Test
    void interruptFlagSetByTheAttemptStopsBeforeSleeping() {
        RetryResult<String> r = retrier(ADR).build().run(attempt -> {
            Thread.currentThread().interrupt(); // e.g. code that caught an InterruptedException and re-set the flag
            return Outcome.retry("busy");
        });
        assertTrue(Thread.interrupted(), "interrupt flag kept");
        assertEquals(RetryStatus.INTERRUPTED, r.status());
        assertEquals(1, r.attempts());
        assertTrue(time.sleeps.isEmpty());
    }

    @Test
    void listenerSeesEveryRetryBeforeItsSleep() {
        List<String> events = new ArrayList<>();
        RetryResult<String> r = retrier(ADR_NO_JITTER.toBuilder().maxAttempts(4).build())
                .onRetry((attempt, reason, delay) -> events.add(attempt + ":" + reason + ":" + delay.toMillis()
                        + ":slept " + time.sleeps.size()))
                .build().run(attempt -> Outcome.retry("held by pod-" + attempt));
        assertEquals(List.of("1:held by pod-1:100:slept 0", "2:held by pod-2:200:slept 1", "3:held by pod-3:400:slept 2"),
                events); // nothing after the 4th (last) attempt
        assertEquals(ms(700), r.totalSleep());
    }

    @Test
    void listenerExceptionsPropagate() {
        Retrier retrier = retrier(ADR).onRetry((attempt, reason, delay) -> {
            throw new IllegalStateException("metrics down");
        }).build();
        assertEquals("metrics down",
                assertThrows(IllegalStateException.class, () -> retrier.run(a -> Outcome.retry("busy"))).getMessage());
    }

    @Test
    void decorrelatedJitterChainsTheDelaysActuallySlept() {
        BackoffPolicy policy = ADR.toBuilder().jitter(Jitter.DECORRELATED).build();
        for (long seed = 0; seed < 500; seed++) {
            FakeTime t = new FakeTime();
            RetryResult<String> r = Retrier.builder(policy).sleeper(t).nanoClock(t).random(new SplittableRandom(seed))
                    .build().run(attempt -> Outcome.retry("busy"));
            Duration previous = Duration.ZERO;
            for (Duration sleep : t.sleeps) {
                Duration upper = ms(100).multipliedBy(3);
                if (previous.compareTo(ms(100)) > 0) {
                    upper = previous.multipliedBy(3);
                }
                upper = upper.compareTo(ms(1000)) > 0 ? ms(1000) : upper;
                assertTrue(sleep.compareTo(ms(100)) >= 0 && sleep.compareTo(upper) <= 0,
                        "seed " + seed + ": " + sleep + " after " + previous);
                previous = sleep;
            }
            assertTrue(r.totalSleep().compareTo(policy.maxTotalSleep()) <= 0);
        }
    }

    @Test
    void theSameSeedGivesTheSameRun() {
        List<List<Duration>> runs = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            FakeTime t = new FakeTime();
            Retrier.builder(ADR).sleeper(t).nanoClock(t).random(new SplittableRandom(99)).build()
                    .run(attempt -> Outcome.retry("busy"));
            runs.add(t.sleeps);
        }
        assertEquals(runs.get(0), runs.get(1));
        assertTrue(runs.get(0).stream().distinct().count() >= 5, "jittered sleeps differ: " + runs.get(0));
    }

    @Test
    void defaultRandomnessIsUsedWhenNoneIsInjected() {
        RetryResult<String> r = Retrier.builder(ADR).sleeper(time).nanoClock(time).build()
                .run(attempt -> Outcome.retry("busy"));
        assertEquals(RetryStatus.EXHAUSTED, r.status());
        assertEquals(9, time.sleeps.size());
        assertFalse(r.totalSleep().compareTo(ms(5_850)) < 0 || r.totalSleep().compareTo(ms(6_650)) > 0);
    }

    @Test
    void resultDescribesItselfForLogs() {
        RetryResult<String> r = retrier(ADR_NO_JITTER.toBuilder().maxAttempts(3).build()).build()
                .run(attempt -> Outcome.retry("held by pod-" + attempt));
        assertEquals("RetryResult[status=EXHAUSTED, attempts=3, totalSleep=PT0.3S, elapsed=PT0.3S,"
                + " lastRetryReason=held by pod-3]", r.toString());
    }

    @Test
    void threadSleeperThrowsWhenTheThreadIsInterrupted() {
        Thread.currentThread().interrupt();
        assertThrows(InterruptedException.class, () -> Sleeper.threadSleep().sleep(Duration.ofMinutes(10)));
        assertFalse(Thread.currentThread().isInterrupted(), "Thread.sleep clears the flag when it throws");
    }

    @Test
    void builderRejectsNulls() {
        assertEquals("policy must not be null",
                assertThrows(NullPointerException.class, () -> Retrier.of(null)).getMessage());
        Retrier.Builder b = Retrier.builder(ADR);
        assertEquals("sleeper must not be null",
                assertThrows(NullPointerException.class, () -> b.sleeper(null)).getMessage());
        assertEquals("nanoClock must not be null",
                assertThrows(NullPointerException.class, () -> b.nanoClock(null)).getMessage());
        assertEquals("random must not be null",
                assertThrows(NullPointerException.class, () -> b.random(null)).getMessage());
        assertEquals("retryOn must not be null",
                assertThrows(NullPointerException.class, () -> b.retryOn(null)).getMessage());
        assertEquals("onRetry must not be null",
                assertThrows(NullPointerException.class, () -> b.onRetry(null)).getMessage());
        assertEquals("call must not be null",
                assertThrows(NullPointerException.class, () -> Retrier.of(ADR).run(null)).getMessage());
        assertEquals("reason must not be null",
                assertThrows(NullPointerException.class, () -> Outcome.retry(null)).getMessage());
        assertEquals("failure must not be null",
                assertThrows(NullPointerException.class, () -> Outcome.fail(null)).getMessage());
        assertSame(ADR, Retrier.of(ADR).policy());
    }
}
