package ai.kubernaut.backoff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The pure delay functions: ADR schedule, jitter bounds and spread, clamping, overflow, totals. */
class BackoffPolicyDelayTest {

    private static final int SAMPLES = 10_000;
    private static final BackoffPolicy ADR = BackoffPolicy.adr052();

    private static Duration ms(long millis) {
        return Duration.ofMillis(millis);
    }

    private static void assertWithin(Duration low, Duration high, Duration actual, String what) {
        assertTrue(actual.compareTo(low) >= 0 && actual.compareTo(high) <= 0,
                what + ": " + actual + " not within [" + low + ", " + high + "]");
    }

    @Test
    void adrPresetHasTheAdrValues() {
        assertEquals(ms(100), ADR.baseDelay());
        assertEquals(ms(1000), ADR.maxDelay());
        assertEquals(2.0, ADR.multiplier());
        assertEquals(Jitter.SYMMETRIC, ADR.jitter());
        assertEquals(0.1, ADR.jitterFactor());
        assertEquals(10, ADR.maxAttempts());
        assertTrue(ADR.deadline().isEmpty());
        assertEquals(false, ADR.floorAtBase());
    }

    @Test
    void adrNominalScheduleDoublesUpToTheCap() {
        long[] expected = {100, 200, 400, 800, 1000, 1000, 1000, 1000, 1000, 1000, 1000};
        for (int attempt = 1; attempt <= expected.length; attempt++) {
            assertEquals(ms(expected[attempt - 1]), ADR.nominalDelay(attempt), "attempt " + attempt);
        }
        BackoffPolicy noJitter = ADR.toBuilder().jitter(Jitter.NONE).build();
        for (int attempt = 1; attempt <= expected.length; attempt++) {
            assertEquals(ms(expected[attempt - 1]), noJitter.delay(attempt, new SplittableRandom(attempt)));
        }
    }

    @Test
    void adrJitteredScheduleStaysWithinTenPercentAndTheCap() {
        long[] nominal = {100, 200, 400, 800, 1000, 1000, 1000, 1000, 1000};
        RandomGenerator random = new SplittableRandom(42);
        for (int round = 0; round < 1_000; round++) {
            for (int attempt = 1; attempt <= nominal.length; attempt++) {
                long n = nominal[attempt - 1];
                Duration low = Duration.ofNanos(n * 900_000L);
                Duration high = Duration.ofNanos(Math.min(1_000_000_000L, n * 1_100_000L));
                assertWithin(low, high, ADR.delay(attempt, random), "attempt " + attempt);
            }
        }
    }

    @Test
    void defaultClampKeepsTheLowerHalfOfTheFirstDelayJitter() {
        RandomGenerator random = new SplittableRandom(7);
        Duration min = Duration.ofDays(1);
        Duration max = Duration.ZERO;
        for (int i = 0; i < SAMPLES; i++) {
            Duration d = ADR.delay(1, random);
            assertWithin(ms(90), ms(110), d, "first ADR delay");
            min = d.compareTo(min) < 0 ? d : min;
            max = d.compareTo(max) > 0 ? d : max;
        }
        // really 90-110 ms, not the original's 100-110 ms
        assertTrue(min.compareTo(ms(91)) < 0, "smallest first delay " + min);
        assertTrue(max.compareTo(ms(109)) > 0, "largest first delay " + max);
    }

    @Test
    void floorAtBaseReproducesTheOriginalClamp() {
        BackoffPolicy original = ADR.toBuilder().floorAtBase(true).build();
        RandomGenerator random = new SplittableRandom(7);
        int atBase = 0;
        for (int i = 0; i < SAMPLES; i++) {
            Duration d = original.delay(1, random);
            assertWithin(ms(100), ms(110), d, "first delay clamped into [base, max]");
            atBase += d.equals(ms(100)) ? 1 : 0;
        }
        // the lower half of the jitter collapses onto the base delay
        assertTrue(atBase > SAMPLES * 4 / 10 && atBase < SAMPLES * 6 / 10, "samples at base: " + atBase);
    }

    @Test
    void maxDelayIsAHardCapAtTheTopOfTheSchedule() {
        RandomGenerator random = new SplittableRandom(3);
        int atCap = 0;
        for (int i = 0; i < SAMPLES; i++) {
            Duration d = ADR.delay(6, random);
            assertWithin(ms(900), ms(1000), d, "capped delay");
            atCap += d.equals(ms(1000)) ? 1 : 0;
        }
        assertTrue(atCap > SAMPLES * 4 / 10 && atCap < SAMPLES * 6 / 10, "samples at the cap: " + atCap);
    }

    @ParameterizedTest
    @EnumSource(Jitter.class)
    void jitterSpreadStaysInBoundsWithManyDistinctValues(Jitter jitter) {
        BackoffPolicy policy = ADR.toBuilder().jitter(jitter).build(); // conventional factor per strategy
        int attempt = 3;                                               // nominal 400 ms, previous nominal 200 ms
        Duration low;
        Duration high;
        double expectedMeanMs;
        switch (jitter) {
            case NONE:
                low = ms(400);
                high = ms(400);
                expectedMeanMs = 400;
                break;
            case SYMMETRIC: // +-10 %
                low = ms(360);
                high = ms(440);
                expectedMeanMs = 400;
                break;
            case FULL: // uniform [0, 400]
                low = Duration.ZERO;
                high = ms(400);
                expectedMeanMs = 200;
                break;
            default: // DECORRELATED: uniform [base, 3 * previous] = [100, 600]
                low = ms(100);
                high = ms(600);
                expectedMeanMs = 350;
                break;
        }
        RandomGenerator random = new SplittableRandom(2024);
        Set<Duration> distinct = new HashSet<>();
        double sumMs = 0;
        Duration min = high;
        Duration max = low;
        for (int i = 0; i < SAMPLES; i++) {
            Duration d = policy.delay(attempt, random);
            assertWithin(low, high, d, jitter + " sample " + i);
            distinct.add(d);
            sumMs += d.toNanos() / 1e6;
            min = d.compareTo(min) < 0 ? d : min;
            max = d.compareTo(max) > 0 ? d : max;
        }
        assertEquals(expectedMeanMs, sumMs / SAMPLES, expectedMeanMs * 0.02, jitter + " mean");
        if (jitter == Jitter.NONE) {
            assertEquals(1, distinct.size());
        } else {
            assertTrue(distinct.size() > 10, jitter + " distinct values: " + distinct.size());
            // the samples cover the range (uniform: 10,000 samples come within 1 % of each end)
            long span = high.minus(low).toNanos();
            assertTrue(min.minus(low).toNanos() < span / 100, jitter + " min " + min);
            assertTrue(high.minus(max).toNanos() < span / 100, jitter + " max " + max);
        }
    }

    @Test
    void fullJitterFactorScalesTheRandomPart() {
        BackoffPolicy equalJitter = ADR.toBuilder().jitter(Jitter.FULL, 0.5).build();
        RandomGenerator random = new SplittableRandom(5);
        for (int i = 0; i < SAMPLES; i++) {
            assertWithin(ms(200), ms(400), equalJitter.delay(3, random), "equal jitter");
        }
    }

    @Test
    void decorrelatedJitterUsesThePreviousDelay() {
        BackoffPolicy policy = ADR.toBuilder().jitter(Jitter.DECORRELATED).build();
        RandomGenerator random = new SplittableRandom(11);
        for (int i = 0; i < SAMPLES; i++) {
            assertWithin(ms(100), ms(300), policy.delay(1, Duration.ZERO, random), "no previous delay");
            assertWithin(ms(100), ms(300), policy.delay(5, ms(20), random), "previous below base counts as base");
            assertWithin(ms(100), ms(750), policy.delay(5, ms(250), random), "3 x previous");
            assertWithin(ms(100), ms(1000), policy.delay(5, ms(900), random), "capped at max");
            assertWithin(ms(100), ms(1000), policy.delay(5, Duration.ofDays(365 * 1000), random), "huge previous");
        }
    }

    @Test
    void onlyDecorrelatedDependsOnThePreviousDelay() {
        for (Jitter jitter : List.of(Jitter.NONE, Jitter.SYMMETRIC, Jitter.FULL)) {
            BackoffPolicy policy = ADR.toBuilder().jitter(jitter).build();
            assertEquals(policy.delay(4, new SplittableRandom(9)),
                    policy.delay(4, ms(123), new SplittableRandom(9)), jitter.name());
        }
        BackoffPolicy decorrelated = ADR.toBuilder().jitter(Jitter.DECORRELATED).build();
        assertNotEquals(decorrelated.delay(4, ms(100), new SplittableRandom(9)),
                decorrelated.delay(4, ms(900), new SplittableRandom(9)));
    }

    @ParameterizedTest
    @EnumSource(Jitter.class)
    void delayIsDeterministicGivenTheRandomSource(Jitter jitter) {
        BackoffPolicy policy = ADR.toBuilder().jitter(jitter).build();
        List<Duration> first = new ArrayList<>();
        List<Duration> second = new ArrayList<>();
        RandomGenerator a = new SplittableRandom(77);
        RandomGenerator b = new SplittableRandom(77);
        for (int attempt = 1; attempt <= 50; attempt++) {
            first.add(policy.delay(attempt, a));
            second.add(policy.delay(attempt, b));
        }
        assertEquals(first, second);
    }

    @ParameterizedTest
    @ValueSource(ints = {31, 64, 1_000_000_000, Integer.MAX_VALUE})
    void hugeAttemptNumbersGiveTheMaxDelayWithoutOverflow(int attempt) {
        assertEquals(ms(1000), ADR.nominalDelay(attempt));
        assertEquals(ms(1000), ADR.toBuilder().jitter(Jitter.NONE).build().delay(attempt, new SplittableRandom(1)));
        RandomGenerator random = new SplittableRandom(1);
        for (Jitter jitter : Jitter.values()) {
            BackoffPolicy policy = ADR.toBuilder().jitter(jitter).build();
            for (int i = 0; i < 100; i++) {
                Duration d = policy.delay(attempt, random);
                Duration low = jitter == Jitter.SYMMETRIC ? ms(900) : jitter == Jitter.FULL ? Duration.ZERO : ms(100);
                assertWithin(low, ms(1000), d, jitter + " at attempt " + attempt);
            }
        }
    }

    @Test
    void extremeSettingsStayInRange() {
        BackoffPolicy hugeMultiplier = ADR.toBuilder().multiplier(Double.MAX_VALUE).jitter(Jitter.NONE).build();
        assertEquals(ms(100), hugeMultiplier.delay(1, new SplittableRandom(1)));
        assertEquals(ms(1000), hugeMultiplier.delay(2, new SplittableRandom(1)));
        assertEquals(ms(1000), hugeMultiplier.delay(Integer.MAX_VALUE, new SplittableRandom(1)));

        BackoffPolicy constant = ADR.toBuilder().multiplier(1.0).jitter(Jitter.NONE).build();
        assertEquals(ms(100), constant.delay(Integer.MAX_VALUE, new SplittableRandom(1)));

        BackoffPolicy longest = BackoffPolicy.builder().baseDelay(Duration.ofDays(100))
                .maxDelay(BackoffPolicy.MAX_DURATION).jitter(Jitter.SYMMETRIC, 1.0).build();
        RandomGenerator random = new SplittableRandom(1);
        for (int attempt : new int[] {1, 2, 10, 1000, Integer.MAX_VALUE}) {
            assertWithin(Duration.ZERO, BackoffPolicy.MAX_DURATION, longest.delay(attempt, random),
                    "attempt " + attempt);
        }
        assertEquals(BackoffPolicy.MAX_DURATION, longest.nominalDelay(Integer.MAX_VALUE));
    }

    @Test
    void adrNominalWorstCaseSleepIsSixAndAHalfSeconds() {
        // sleeps after attempts 1..9 only: 100 + 200 + 400 + 800 + 5 x 1000 ms
        assertEquals(ms(6_500), ADR.nominalWorstCaseSleep());
        assertEquals(ms(6_650), ADR.maxTotalSleep()); // 110 + 220 + 440 + 880 + 5 x 1000 ms
        assertEquals(ms(6_500), ADR.toBuilder().jitter(Jitter.FULL).build().maxTotalSleep());
        // DECORRELATED: 300 + 900 + 7 x 1000 ms
        assertEquals(ms(8_200), ADR.toBuilder().jitter(Jitter.DECORRELATED).build().maxTotalSleep());
    }

    @Test
    void worstCaseTotalsHandleEdgeAttemptCounts() {
        assertEquals(Duration.ZERO, ADR.toBuilder().maxAttempts(1).build().nominalWorstCaseSleep());
        assertEquals(ms(100), ADR.toBuilder().maxAttempts(2).build().nominalWorstCaseSleep());
        assertEquals(ms(1_500), ADR.toBuilder().maxAttempts(5).build().nominalWorstCaseSleep());
        // 1.5 s for attempts 1..4, then 1 s after each of attempts 5 .. MAX_VALUE - 1
        BackoffPolicy forever = ADR.toBuilder().maxAttempts(Integer.MAX_VALUE).build();
        assertEquals(ms(1_500).plusSeconds(Integer.MAX_VALUE - 5L), forever.nominalWorstCaseSleep());
        BackoffPolicy saturating = forever.toBuilder().maxDelay(Duration.ofDays(1000)).build();
        assertEquals(BackoffPolicy.MAX_DURATION, saturating.nominalWorstCaseSleep());
        assertEquals(BackoffPolicy.MAX_DURATION, saturating.maxTotalSleep());
    }

    @Test
    void jitterShorthandPicksTheConventionalFactor() {
        assertEquals(0.0, ADR.toBuilder().jitter(Jitter.NONE).build().jitterFactor());
        assertEquals(0.1, ADR.toBuilder().jitter(Jitter.FULL, 0.3).jitter(Jitter.SYMMETRIC).build().jitterFactor());
        assertEquals(1.0, ADR.toBuilder().jitter(Jitter.FULL).build().jitterFactor());
        assertEquals(1.0, ADR.toBuilder().jitter(Jitter.DECORRELATED).build().jitterFactor());
        BackoffPolicy p = ADR.toBuilder().jitter(Jitter.FULL).jitterFactor(0.25).build();
        assertEquals(Jitter.FULL, p.jitter());
        assertEquals(0.25, p.jitterFactor());
    }

    @Test
    void toBuilderRoundTripsAndPoliciesAreValues() {
        BackoffPolicy p = BackoffPolicy.builder().baseDelay(ms(50)).maxDelay(Duration.ofSeconds(2)).multiplier(3.0)
                .jitter(Jitter.FULL, 0.7).maxAttempts(8).deadline(Duration.ofSeconds(5)).floorAtBase(true).build();
        assertEquals(p, p.toBuilder().build());
        assertEquals(p.hashCode(), p.toBuilder().build().hashCode());
        assertEquals(Duration.ofSeconds(5), p.deadline().orElseThrow());
        assertTrue(p.toBuilder().noDeadline().build().deadline().isEmpty());
        assertNotEquals(p, p.toBuilder().maxAttempts(9).build());
        assertEquals(BackoffPolicy.adr052(), BackoffPolicy.builder().build());
        assertEquals("BackoffPolicy[baseDelay=PT0.05S, maxDelay=PT2S, multiplier=3.0, jitter=FULL, jitterFactor=0.7,"
                + " maxAttempts=8, deadline=PT5S, floorAtBase=true]", p.toString());
    }
}
