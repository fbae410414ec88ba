package ai.kubernaut.backoff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The pure delay function (ADR schedule, jitter bounds and spread, clamping, overflow) and validation. */
class BackoffPolicyTest {

    private static final int SAMPLES = 10_000;
    private static final BackoffPolicy ADR = BackoffPolicy.adr052();
    private static final BackoffPolicy ADR_NO_JITTER = BackoffPolicy.builder().maxAttempts(10).build();

    static Duration ms(long millis) {
        return Duration.ofMillis(millis);
    }

    static void assertWithin(Duration low, Duration high, Duration actual, String what) {
        assertTrue(actual.compareTo(low) >= 0 && actual.compareTo(high) <= 0,
                what + ": " + actual + " not within [" + low + ", " + high + "]");
    }

    @Test
    void adrPresetDescribesItselfAndLimitsAttempts() {
        assertEquals("BackoffPolicy[baseDelay=PT0.1S, maxDelay=PT1S, multiplier=2.0, jitter=+-0.1,"
                + " floorAtBase=false, maxAttempts=10]", ADR.toString());
        assertEquals(OptionalInt.of(10), ADR.maxAttempts());
        assertEquals(OptionalInt.empty(), BackoffPolicy.builder().build().maxAttempts(), "no limit by default");
    }

    @Test
    void adrNominalScheduleDoublesUpToTheCap() {
        long[] expected = {100, 200, 400, 800, 1000, 1000, 1000, 1000, 1000, 1000, 1000};
        for (int attempt = 1; attempt <= expected.length; attempt++) {
            assertEquals(ms(expected[attempt - 1]), ADR_NO_JITTER.delay(attempt, new SplittableRandom(attempt)));
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
        BackoffPolicy original = BackoffPolicy.builder().jitter(0.1).floorAtBase(true).build();
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
    void floorAtBaseBoundsFullJitterLikeTheOrchestratorsRequeue() {
        BackoffPolicy requeue = BackoffPolicy.builder().maxDelay(Duration.ofSeconds(5)).fullJitter(1.0)
                .floorAtBase(true).build();
        RandomGenerator random = new SplittableRandom(8);
        for (int i = 0; i < SAMPLES; i++) {
            assertWithin(ms(100), ms(100), requeue.delay(1, random), "attempt 1");
            assertWithin(ms(100), ms(1600), requeue.delay(5, random), "attempt 5");
            assertWithin(ms(100), ms(5000), requeue.delay(40, random), "attempt 40");
        }
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

    static Stream<Arguments> jitters() {
        return Stream.of(
                Arguments.of("none", BackoffPolicy.builder().build(), ms(400), ms(400), 400.0),
                Arguments.of("+-10 %", BackoffPolicy.builder().jitter(0.1).build(), ms(360), ms(440), 400.0),
                Arguments.of("full", BackoffPolicy.builder().fullJitter(1.0).build(), Duration.ZERO, ms(400), 200.0),
                Arguments.of("full 0.5", BackoffPolicy.builder().fullJitter(0.5).build(), ms(200), ms(400), 300.0));
    }

    /** Attempt 3 (nominal 400 ms); the test plan asks for 100 samples within bounds with > 10 distinct values. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jitters")
    void jitterSpreadStaysInBoundsWithManyDistinctValues(String name, BackoffPolicy policy, Duration low,
            Duration high, double expectedMeanMs) {
        RandomGenerator random = new SplittableRandom(2024);
        Set<Duration> distinctOfFirst100 = new HashSet<>();
        double sumMs = 0;
        Duration min = high;
        Duration max = low;
        for (int i = 0; i < SAMPLES; i++) {
            Duration d = policy.delay(3, random);
            assertWithin(low, high, d, name + " sample " + i);
            if (i < 100) {
                distinctOfFirst100.add(d);
            }
            sumMs += d.toNanos() / 1e6;
            min = d.compareTo(min) < 0 ? d : min;
            max = d.compareTo(max) > 0 ? d : max;
        }
        assertEquals(expectedMeanMs, sumMs / SAMPLES, expectedMeanMs * 0.02, name + " mean");
        if (low.equals(high)) {
            assertEquals(1, distinctOfFirst100.size());
        } else {
            assertTrue(distinctOfFirst100.size() > 10, name + " distinct values: " + distinctOfFirst100.size());
            long span = high.minus(low).toNanos(); // uniform: 10,000 samples come within 1 % of each end
            assertTrue(min.minus(low).toNanos() < span / 100, name + " min " + min);
            assertTrue(high.minus(max).toNanos() < span / 100, name + " max " + max);
        }
    }

    @Test
    void delayIsDeterministicGivenTheRandomSource() {
        for (BackoffPolicy policy : List.of(ADR, BackoffPolicy.builder().fullJitter(1.0).build())) {
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
    }

    @ParameterizedTest
    @ValueSource(ints = {31, 64, 1_000_000_000, Integer.MAX_VALUE})
    void hugeAttemptNumbersGiveTheMaxDelayWithoutOverflow(int attempt) {
        assertEquals(ms(1000), ADR_NO_JITTER.delay(attempt, new SplittableRandom(1)));
        RandomGenerator random = new SplittableRandom(1);
        BackoffPolicy full = BackoffPolicy.builder().fullJitter(1.0).build();
        for (int i = 0; i < 100; i++) {
            assertWithin(ms(900), ms(1000), ADR.delay(attempt, random), "+-10 % at attempt " + attempt);
            assertWithin(Duration.ZERO, ms(1000), full.delay(attempt, random), "full at attempt " + attempt);
        }
    }

    @Test
    void extremeSettingsStayInRange() {
        BackoffPolicy hugeMultiplier = BackoffPolicy.builder().multiplier(Double.MAX_VALUE).build();
        assertEquals(ms(100), hugeMultiplier.delay(1, new SplittableRandom(1)));
        assertEquals(ms(1000), hugeMultiplier.delay(2, new SplittableRandom(1)));
        assertEquals(ms(1000), hugeMultiplier.delay(Integer.MAX_VALUE, new SplittableRandom(1)));

        BackoffPolicy constant = BackoffPolicy.builder().multiplier(1.0).build();
        assertEquals(ms(100), constant.delay(Integer.MAX_VALUE, new SplittableRandom(1)));

        Duration longest = Duration.ofNanos(Long.MAX_VALUE);
        BackoffPolicy widest = BackoffPolicy.builder().baseDelay(Duration.ofDays(100)).maxDelay(longest).jitter(1.0)
                .build();
        RandomGenerator random = new SplittableRandom(1);
        for (int attempt : new int[] {1, 2, 10, 1000, Integer.MAX_VALUE}) {
            assertWithin(Duration.ZERO, longest, widest.delay(attempt, random), "attempt " + attempt);
        }
        assertEquals(longest, BackoffPolicy.builder().baseDelay(longest).maxDelay(longest).build()
                .delay(Integer.MAX_VALUE, random));
        assertEquals(Duration.ofNanos(1), BackoffPolicy.builder().baseDelay(Duration.ofNanos(1))
                .maxDelay(Duration.ofNanos(1)).jitter(1.0).build().delay(1, random));
    }

    static Stream<Arguments> invalidSettings() {
        String longest = "PT2562047H47M16.854775807S";
        return Stream.of(
                invalid("baseDelay zero", b -> b.baseDelay(Duration.ZERO),
                        "baseDelay must be positive and at most " + longest + " but was PT0S"),
                invalid("baseDelay negative", b -> b.baseDelay(ms(-100)),
                        "baseDelay must be positive and at most " + longest + " but was PT-0.1S"),
                invalid("baseDelay too long", b -> b.baseDelay(Duration.ofNanos(Long.MAX_VALUE).plusNanos(1)),
                        "baseDelay must be positive and at most " + longest + " but was PT2562047H47M16.854775808S"),
                invalid("maxDelay zero", b -> b.maxDelay(Duration.ZERO),
                        "maxDelay must be positive and at most " + longest + " but was PT0S"),
                invalid("maxDelay too long", b -> b.maxDelay(Duration.ofDays(365L * 300)),
                        "maxDelay must be positive and at most " + longest + " but was PT2628000H"),
                invalid("multiplier < 1", b -> b.multiplier(0.5),
                        "multiplier must be a finite number >= 1.0 but was 0.5"),
                invalid("multiplier NaN", b -> b.multiplier(Double.NaN),
                        "multiplier must be a finite number >= 1.0 but was NaN"),
                invalid("multiplier infinite", b -> b.multiplier(Double.POSITIVE_INFINITY),
                        "multiplier must be a finite number >= 1.0 but was Infinity"),
                invalid("jitter > 1", b -> b.jitter(1.5), "jitter must be within [0.0, 1.0] but was 1.5"),
                invalid("jitter < 0", b -> b.jitter(-0.1), "jitter must be within [0.0, 1.0] but was -0.1"),
                invalid("jitter NaN", b -> b.jitter(Double.NaN), "jitter must be within [0.0, 1.0] but was NaN"),
                invalid("fullJitter > 1", b -> b.fullJitter(2.0), "fullJitter must be within [0.0, 1.0] but was 2.0"),
                invalid("maxAttempts zero", b -> b.maxAttempts(0), "maxAttempts must be >= 1 but was 0"),
                invalid("maxAttempts negative", b -> b.maxAttempts(-5), "maxAttempts must be >= 1 but was -5"),
                invalid("base > max", b -> b.baseDelay(Duration.ofSeconds(2)).build(),
                        "baseDelay (PT2S) must not be greater than maxDelay (PT1S)"));
    }

    private static Arguments invalid(String name, Consumer<BackoffPolicy.Builder> change, String message) {
        return Arguments.of(name, change, message);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidSettings")
    void invalidSettingIsRejectedWithFieldAndValue(String name, Consumer<BackoffPolicy.Builder> change,
            String message) {
        BackoffPolicy.Builder b = BackoffPolicy.builder();
        assertEquals(message, assertThrows(IllegalArgumentException.class, () -> change.accept(b)).getMessage());
    }

    @Test
    void aRejectedValueLeavesTheBuilderUnchanged() {
        BackoffPolicy.Builder b = BackoffPolicy.builder().jitter(0.1).maxAttempts(10);
        assertThrows(IllegalArgumentException.class, () -> b.fullJitter(7.0));
        assertThrows(IllegalArgumentException.class, () -> b.maxAttempts(0));
        assertEquals(ADR.toString(), b.build().toString());
    }

    @Test
    void nullsAndAttemptsBelowOneAreRejected() {
        BackoffPolicy.Builder b = BackoffPolicy.builder();
        assertEquals("baseDelay must not be null",
                assertThrows(NullPointerException.class, () -> b.baseDelay(null)).getMessage());
        assertEquals("maxDelay must not be null",
                assertThrows(NullPointerException.class, () -> b.maxDelay(null)).getMessage());
        assertEquals("random must not be null",
                assertThrows(NullPointerException.class, () -> ADR.delay(1, null)).getMessage());
        SplittableRandom random = new SplittableRandom(0);
        assertEquals("attempt must be >= 1 (attempts are 1-based) but was 0",
                assertThrows(IllegalArgumentException.class, () -> ADR.delay(0, random)).getMessage());
        assertEquals("attempt must be >= 1 (attempts are 1-based) but was " + Integer.MIN_VALUE,
                assertThrows(IllegalArgumentException.class, () -> ADR.delay(Integer.MIN_VALUE, random))
                        .getMessage());
    }
}
