package ai.kubernaut.backoff;

import static ai.kubernaut.backoff.BackoffPolicyTest.ms;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.backoff.RetryResult.Status;
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
    private static final BackoffPolicy ADR_NO_JITTER = BackoffPolicy.builder().maxAttempts(10).build();
    private static final BackoffPolicy NO_LIMIT = BackoffPolicy.builder().build();

    private final FakeTime time = new FakeTime();

    private Retrier.Builder retrier(BackoffPolicy policy) {
        return Retrier.builder(policy).sleeper(time).nanoClock(time).random(new SplittableRandom(1));
    }

    private static Duration sum(List<Duration> sleeps) {
        return sleeps.stream().reduce(Duration.ZERO, Duration::plus);
    }

    @AfterEach
    void clearInterruptFlag() {
        Thread.interrupted(); // never leak an interrupt into the next test
    }

    @Test
    void successAtFirstTrySleepsNothing() {
        RetryResult<String> r = retrier(ADR).build().run(attempt -> Outcome.success("lease"));
        assertEquals(new RetryResult<>(Status.SUCCEEDED, "lease", 1, null, null), r);
        assertTrue(time.sleeps.isEmpty());
        assertEquals(Duration.ZERO, time.sinceOrigin());
    }

    @Test
    void exactlyTenAttemptsThenExhaustedWithoutSleepingAfterTheLast() {
        List<Duration> attemptStarts = new ArrayList<>();
        RetryResult<String> r = retrier(ADR_NO_JITTER).build().run(attempt -> {
            attemptStarts.add(time.sinceOrigin());
            return Outcome.retry("lease held by pod-" + attempt);
        });
        assertEquals(new RetryResult<>(Status.ATTEMPTS_EXHAUSTED, null, 10, "lease held by pod-10", null), r);
        assertEquals(10, attemptStarts.size());
        assertEquals(List.of(ms(100), ms(200), ms(400), ms(800), ms(1000), ms(1000), ms(1000), ms(1000), ms(1000)),
                time.sleeps);
        // the ADR's nominal worst case: 6.5 s (the original's docs said ~7.5 s or ~2.5 s)
        assertEquals(ms(6_500), time.sinceOrigin());
        assertEquals(ms(6_500), attemptStarts.get(9)); // the run ended right after the 10th attempt
    }

    @Test
    void exhaustedAdrRunSleepsWithinTheJitterBounds() {
        for (long seed = 0; seed < 200; seed++) {
            FakeTime t = new FakeTime();
            RetryResult<Void> r = Retrier.builder(ADR).sleeper(t).nanoClock(t).random(new SplittableRandom(seed))
                    .build().run(attempt -> Outcome.retry("busy"));
            assertEquals(Status.ATTEMPTS_EXHAUSTED, r.status());
            assertEquals(9, t.sleeps.size());
            Duration total = sum(t.sleeps); // 6.5 s -10 % (5.85 s) to +10 % below the cap (6.65 s)
            assertTrue(total.compareTo(ms(5_850)) >= 0 && total.compareTo(ms(6_650)) <= 0, "total sleep " + total);
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

        // with the ADR's +-10 % jitter: 630-770 ms (the original's [base, max] clamp gave 700-770)
        for (long seed = 0; seed < 1_000; seed++) {
            FakeTime t = new FakeTime();
            Duration[] fourth = new Duration[1];
            RetryResult<Integer> r = Retrier.builder(ADR).sleeper(t).nanoClock(t).random(new SplittableRandom(seed))
                    .build().run(attempt -> {
                        if (attempt == 4) {
                            fourth[0] = t.sinceOrigin();
                            return Outcome.success(attempt);
                        }
                        return Outcome.retry("busy");
                    });
            assertEquals(4, r.value());
            assertEquals(4, r.attempts());
            assertTrue(fourth[0].compareTo(ms(630)) >= 0 && fourth[0].compareTo(ms(770)) <= 0,
                    "4th attempt at " + fourth[0]);
        }
    }

    @Test
    void successAfterRetriesReportsValueAttemptsAndTheLastReason() {
        RetryResult<String> r = retrier(ADR_NO_JITTER).build()
                .run(attempt -> attempt == 3 ? Outcome.success("won") : Outcome.retry("held by other-" + attempt));
        assertEquals(new RetryResult<>(Status.SUCCEEDED, "won", 3, "held by other-2", null), r);
        assertEquals(ms(300), time.sinceOrigin());
    }

    @Test
    void anExceptionNotSelectedPropagatesUnchangedWithoutRetry() {
        IllegalStateException boom = new IllegalStateException("boom");
        AtomicInteger calls = new AtomicInteger();
        Retrier retrier = retrier(ADR_NO_JITTER).retryOn(e -> e instanceof UncheckedIOException).build();
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> retrier.run(attempt -> {
            if (calls.incrementAndGet() < 3) {
                throw new UncheckedIOException(new IOException("connection reset"));
            }
            throw boom;
        }));
        assertSame(boom, thrown);
        assertEquals(3, calls.get());
        assertEquals(List.of(ms(100), ms(200)), time.sleeps); // no sleep after the failing attempt
    }

    @Test
    void retriedExceptionsAreReportedWhenAttemptsOrTimeRunOut() {
        Retrier retrier = retrier(BackoffPolicy.builder().maxAttempts(3).build())
                .retryOn(e -> e instanceof UncheckedIOException).build();
        UncheckedIOException last = new UncheckedIOException(new IOException("still down"));
        RetryResult<String> exhausted = retrier.run(attempt -> {
            throw attempt == 3 ? last : new UncheckedIOException(new IOException("down"));
        });
        assertEquals(new RetryResult<>(Status.ATTEMPTS_EXHAUSTED, null, 3,
                "java.io.UncheckedIOException: java.io.IOException: still down", last), exhausted);

        RetryResult<String> timedOut = retrier.run(ms(250), attempt -> {
            throw last;
        });
        assertEquals(Status.TIME_LIMIT_REACHED, timedOut.status());
        assertEquals(2, timedOut.attempts()); // 0, 100 ms; the next would start at 300 ms
        assertSame(last, timedOut.lastException());

        RetryResult<String> answered = retrier.run(attempt -> attempt == 1 ? Outcome.retry("held")
                : attempt == 2 ? Outcome.success("x") : Outcome.retry("never"));
        assertNull(answered.lastException());
        RetryResult<String> lastAttemptAnswered = retrier.run(attempt -> {
            if (attempt < 3) {
                throw last;
            }
            return Outcome.retry("held");
        });
        assertEquals(new RetryResult<>(Status.ATTEMPTS_EXHAUSTED, null, 3, "held", null), lastAttemptAnswered);
    }

    @Test
    void aNullOutcomeAndErrorsAreNotSwallowed() {
        Retrier retrier = retrier(ADR).retryOn(e -> e instanceof IllegalStateException).build();
        assertEquals("the attempt returned null",
                assertThrows(NullPointerException.class, () -> retrier.run(attempt -> null)).getMessage());
        Retrier retryAll = retrier(ADR).retryOn(e -> true).build();
        assertThrows(StackOverflowError.class, () -> retryAll.run(attempt -> {
            throw new StackOverflowError("simulated");
        }));
    }

    @Test
    void timeLimitStopsBeforeASleepThatWouldCrossIt() {
        List<Duration> starts = new ArrayList<>();
        RetryResult<String> r = retrier(ADR_NO_JITTER).build().run(Duration.ofSeconds(1), attempt -> {
            starts.add(time.sinceOrigin());
            return Outcome.retry("busy");
        });
        // attempts at 0, 100, 300, 700 ms; the next sleep (800 ms) would end at 1.5 s > 1 s
        assertEquals(new RetryResult<>(Status.TIME_LIMIT_REACHED, null, 4, "busy", null), r);
        assertEquals(List.of(Duration.ZERO, ms(100), ms(300), ms(700)), starts);
        assertEquals(ms(700), time.sinceOrigin());
    }

    @Test
    void noAttemptStartsAtTheTimeLimitAndTheLimitIsPerRun() {
        Retrier retrier = retrier(ADR_NO_JITTER).build();
        assertEquals(3, retrier.run(ms(700), attempt -> Outcome.retry("busy")).attempts()); // 4th: at 700 ms
        assertEquals(4, retrier.run(ms(700).plusNanos(1), attempt -> Outcome.retry("busy")).attempts());
        assertEquals(Status.ATTEMPTS_EXHAUSTED, retrier.run(Duration.ofDays(1), a -> Outcome.retry("busy")).status());
    }

    @Test
    void aZeroTimeLimitStillRunsTheFirstAttemptAndANegativeOneIsRejected() {
        Retrier retrier = retrier(ADR).build();
        assertEquals(new RetryResult<>(Status.TIME_LIMIT_REACHED, null, 1, "busy", null),
                retrier.run(Duration.ZERO, attempt -> Outcome.retry("busy")));
        assertEquals("x", retrier.run(Duration.ZERO, attempt -> Outcome.success("x")).value());
        assertEquals("timeLimit must not be negative but was PT-0.001S", assertThrows(IllegalArgumentException.class,
                () -> retrier.run(ms(-1), attempt -> Outcome.success("x"))).getMessage());
        assertTrue(time.sleeps.isEmpty());
    }

    @Test
    void jitteredSleepsNeverCrossTheTimeLimit() {
        Duration limit = ms(2_000);
        for (long seed = 0; seed < 500; seed++) {
            FakeTime t = new FakeTime();
            List<Duration> starts = new ArrayList<>();
            RetryResult<String> r = Retrier.builder(ADR).sleeper(t).nanoClock(t).random(new SplittableRandom(seed))
                    .build().run(limit, attempt -> {
                        starts.add(t.sinceOrigin());
                        return Outcome.retry("busy");
                    });
            assertEquals(Status.TIME_LIMIT_REACHED, r.status());
            assertTrue(t.sinceOrigin().compareTo(limit) < 0, "slept until " + t.sinceOrigin());
            assertTrue(starts.stream().allMatch(s -> s.compareTo(limit) < 0), "attempt starts " + starts);
            assertTrue(r.attempts() >= 4 && r.attempts() <= 5, "attempts " + r.attempts());
        }
    }

    @Test
    void slowAttemptsUseUpTheTimeLimit() {
        RetryResult<String> r = retrier(ADR_NO_JITTER).build().run(Duration.ofSeconds(1), attempt -> {
            time.advance(ms(400)); // each attempt takes 400 ms
            return Outcome.retry("busy");
        });
        // attempt 1: 0-400, sleep 100; attempt 2: 500-900; the 200 ms sleep would reach 1.1 s
        assertEquals(Status.TIME_LIMIT_REACHED, r.status());
        assertEquals(2, r.attempts());
        assertEquals(ms(900), time.sinceOrigin());
    }

    @Test
    void anOversleepPastTheTimeLimitStartsNoFurtherAttempt() {
        AtomicInteger calls = new AtomicInteger();
        RetryResult<String> r = Retrier.builder(ADR_NO_JITTER).nanoClock(time)
                .sleeper(d -> time.advance(Duration.ofSeconds(2))) // a sleeper that wakes far too late
                .build().run(Duration.ofSeconds(1), attempt -> {
                    calls.incrementAndGet();
                    return Outcome.retry("busy");
                });
        assertEquals(Status.TIME_LIMIT_REACHED, r.status());
        assertEquals(1, calls.get());
    }

    @Test
    void exhaustionTakesPrecedenceOverTheTimeLimit() {
        RetryResult<String> r = retrier(BackoffPolicy.builder().maxAttempts(2).build()).build().run(ms(150),
                attempt -> {
                    time.advance(ms(40));
                    return Outcome.retry("busy");
                });
        assertEquals(Status.ATTEMPTS_EXHAUSTED, r.status());
        assertEquals(2, r.attempts());
        assertEquals(ms(180), time.sinceOrigin()); // the 2nd attempt ran past the limit: it is not cancelled
    }

    @Test
    void aPolicyWithoutAttemptLimitNeedsATimeLimit() {
        Retrier retrier = retrier(NO_LIMIT).build();
        assertEquals("the policy has no attempt limit: give the run a time limit",
                assertThrows(IllegalStateException.class, () -> retrier.run(a -> Outcome.success("x"))).getMessage());
        RetryResult<String> r = retrier.run(Duration.ofMinutes(1), attempt -> Outcome.retry("busy"));
        // 0.1 + 0.2 + 0.4 + 0.8 s, then 1 s sleeps: attempt 63 starts at 59.5 s, the next would start at 60.5 s
        assertEquals(Status.TIME_LIMIT_REACHED, r.status());
        assertEquals(63, r.attempts());
        assertEquals(Duration.ofMillis(59_500), time.sinceOrigin());
    }

    @Test
    void interruptDuringSleepStopsAndRestoresTheFlag() {
        List<Duration> sleeps = new ArrayList<>();
        RetryResult<String> r = Retrier.builder(ADR_NO_JITTER).nanoClock(time).sleeper(d -> {
            if (sleeps.size() == 1) {
                throw new InterruptedException("shutdown");
            }
            sleeps.add(d);
            time.advance(d);
        }).build().run(attempt -> Outcome.retry("busy"));
        assertTrue(Thread.interrupted(), "interrupt flag restored"); // also clears it
        assertEquals(new RetryResult<>(Status.INTERRUPTED, null, 2, "busy", null), r);
    }

    @Test
    void interruptFlagSetByTheAttemptStopsBeforeSleeping() {
        RetryResult<String> r = retrier(ADR).build().run(attempt -> {
            Thread.currentThread().interrupt(); // e.g. code that caught an InterruptedException and re-set the flag
            return Outcome.retry("busy");
        });
        assertTrue(Thread.interrupted(), "interrupt flag kept");
        assertEquals(Status.INTERRUPTED, r.status());
        assertEquals(1, r.attempts());
        assertTrue(time.sleeps.isEmpty());
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
        assertEquals(Status.ATTEMPTS_EXHAUSTED, r.status());
        assertEquals(9, time.sleeps.size());
        assertFalse(sum(time.sleeps).compareTo(ms(5_850)) < 0 || sum(time.sleeps).compareTo(ms(6_650)) > 0);
    }

    @Test
    void threadSleeperThrowsWhenTheThreadIsInterrupted() {
        Thread.currentThread().interrupt();
        assertThrows(InterruptedException.class, () -> Sleeper.threadSleep().sleep(Duration.ofMinutes(10)));
        assertFalse(Thread.currentThread().isInterrupted(), "Thread.sleep clears the flag when it throws");
    }

    @Test
    void nullsAreRejected() {
        assertEquals("policy must not be null",
                assertThrows(NullPointerException.class, () -> Retrier.builder(null)).getMessage());
        Retrier.Builder b = Retrier.builder(ADR);
        assertEquals("sleeper must not be null",
                assertThrows(NullPointerException.class, () -> b.sleeper(null)).getMessage());
        assertEquals("nanoClock must not be null",
                assertThrows(NullPointerException.class, () -> b.nanoClock(null)).getMessage());
        assertEquals("random must not be null",
                assertThrows(NullPointerException.class, () -> b.random(null)).getMessage());
        assertEquals("retryOn must not be null",
                assertThrows(NullPointerException.class, () -> b.retryOn(null)).getMessage());
        assertEquals("call must not be null",
                assertThrows(NullPointerException.class, () -> b.build().run(null)).getMessage());
        assertEquals("reason must not be null",
                assertThrows(NullPointerException.class, () -> Outcome.retry(null)).getMessage());
    }
}
