package ai.kubernaut.backoff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every invalid setting fails fast with a message naming the field and the value. */
class BackoffPolicyValidationTest {

    static Stream<Arguments> invalidSettings() {
        Duration tooLong = BackoffPolicy.MAX_DURATION.plusNanos(1);
        return Stream.of(
                invalid("baseDelay zero", b -> b.baseDelay(Duration.ZERO), "baseDelay must be positive but was PT0S"),
                invalid("baseDelay negative", b -> b.baseDelay(Duration.ofMillis(-100)),
                        "baseDelay must be positive but was PT-0.1S"),
                invalid("baseDelay too long", b -> b.baseDelay(tooLong),
                        "baseDelay must be at most PT2562047H47M16.854775807S (Long.MAX_VALUE ns) but was "
                                + "PT2562047H47M16.854775808S"),
                invalid("maxDelay zero", b -> b.maxDelay(Duration.ZERO), "maxDelay must be positive but was PT0S"),
                invalid("maxDelay negative", b -> b.maxDelay(Duration.ofSeconds(-1)),
                        "maxDelay must be positive but was PT-1S"),
                invalid("maxDelay too long", b -> b.maxDelay(Duration.ofDays(365L * 300)),
                        "maxDelay must be at most PT2562047H47M16.854775807S (Long.MAX_VALUE ns) but was PT2628000H"),
                invalid("multiplier < 1", b -> b.multiplier(0.5),
                        "multiplier must be a finite number >= 1.0 but was 0.5"),
                invalid("multiplier zero", b -> b.multiplier(0.0),
                        "multiplier must be a finite number >= 1.0 but was 0.0"),
                invalid("multiplier negative", b -> b.multiplier(-2.0),
                        "multiplier must be a finite number >= 1.0 but was -2.0"),
                invalid("multiplier NaN", b -> b.multiplier(Double.NaN),
                        "multiplier must be a finite number >= 1.0 but was NaN"),
                invalid("multiplier infinite", b -> b.multiplier(Double.POSITIVE_INFINITY),
                        "multiplier must be a finite number >= 1.0 but was Infinity"),
                invalid("jitterFactor > 1", b -> b.jitterFactor(1.5),
                        "jitterFactor must be within [0.0, 1.0] but was 1.5"),
                invalid("jitterFactor < 0", b -> b.jitterFactor(-0.1),
                        "jitterFactor must be within [0.0, 1.0] but was -0.1"),
                invalid("jitterFactor NaN", b -> b.jitterFactor(Double.NaN),
                        "jitterFactor must be within [0.0, 1.0] but was NaN"),
                invalid("jitter with factor > 1", b -> b.jitter(Jitter.FULL, 2.0),
                        "jitterFactor must be within [0.0, 1.0] but was 2.0"),
                invalid("maxAttempts zero", b -> b.maxAttempts(0), "maxAttempts must be >= 1 but was 0"),
                invalid("maxAttempts negative", b -> b.maxAttempts(-5), "maxAttempts must be >= 1 but was -5"),
                invalid("deadline zero", b -> b.deadline(Duration.ZERO), "deadline must be positive but was PT0S"),
                invalid("deadline negative", b -> b.deadline(Duration.ofSeconds(-3)),
                        "deadline must be positive but was PT-3S"),
                invalid("deadline too long", b -> b.deadline(tooLong),
                        "deadline must be at most PT2562047H47M16.854775807S (Long.MAX_VALUE ns) but was "
                                + "PT2562047H47M16.854775808S"),
                invalid("base > max", b -> b.baseDelay(Duration.ofSeconds(2)).maxDelay(Duration.ofSeconds(1)).build(),
                        "baseDelay (PT2S) must not be greater than maxDelay (PT1S)"));
    }

    private static Arguments invalid(String name, Consumer<BackoffPolicy.Builder> change, String message) {
        return Arguments.of(name, change, message);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidSettings")
    void invalidSettingIsRejectedWithFieldAndValue(String name, Consumer<BackoffPolicy.Builder> change,
            String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> change.accept(BackoffPolicy.builder()));
        assertEquals(message, e.getMessage());
    }

    @Test
    void nullsAreRejectedWithTheFieldName() {
        BackoffPolicy.Builder b = BackoffPolicy.builder();
        assertEquals("baseDelay must not be null",
                assertThrows(NullPointerException.class, () -> b.baseDelay(null)).getMessage());
        assertEquals("maxDelay must not be null",
                assertThrows(NullPointerException.class, () -> b.maxDelay(null)).getMessage());
        assertEquals("deadline must not be null",
                assertThrows(NullPointerException.class, () -> b.deadline(null)).getMessage());
        assertEquals("jitter must not be null",
                assertThrows(NullPointerException.class, () -> b.jitter(null)).getMessage());
        assertEquals("jitter must not be null",
                assertThrows(NullPointerException.class, () -> b.jitter(null, 0.5)).getMessage());
    }

    @Test
    void aRejectedValueLeavesTheBuilderUnchanged() {
        BackoffPolicy.Builder b = BackoffPolicy.builder();
        assertThrows(IllegalArgumentException.class, () -> b.jitter(Jitter.FULL, 7.0));
        assertThrows(IllegalArgumentException.class, () -> b.maxAttempts(0));
        assertEquals(BackoffPolicy.adr052(), b.build());
    }

    @Test
    void boundaryValuesAreAccepted() {
        BackoffPolicy p = BackoffPolicy.builder().baseDelay(Duration.ofNanos(1)).maxDelay(Duration.ofNanos(1))
                .multiplier(1.0).jitter(Jitter.SYMMETRIC, 0.0).maxAttempts(1).deadline(Duration.ofNanos(1)).build();
        assertEquals(Duration.ofNanos(1), p.delay(1, new Random(0)));
        BackoffPolicy q = BackoffPolicy.builder().baseDelay(BackoffPolicy.MAX_DURATION)
                .maxDelay(BackoffPolicy.MAX_DURATION).jitter(Jitter.FULL, 1.0).maxAttempts(Integer.MAX_VALUE)
                .deadline(BackoffPolicy.MAX_DURATION).build();
        assertEquals(BackoffPolicy.MAX_DURATION, q.nominalDelay(Integer.MAX_VALUE));
    }

    @Test
    void attemptBelowOneIsRejected() {
        BackoffPolicy p = BackoffPolicy.adr052();
        Random random = new Random(0);
        assertEquals("attempt must be >= 1 (attempts are 1-based) but was 0",
                assertThrows(IllegalArgumentException.class, () -> p.delay(0, random)).getMessage());
        assertEquals("attempt must be >= 1 (attempts are 1-based) but was -7",
                assertThrows(IllegalArgumentException.class, () -> p.delay(-7, Duration.ZERO, random)).getMessage());
        assertEquals("attempt must be >= 1 (attempts are 1-based) but was " + Integer.MIN_VALUE,
                assertThrows(IllegalArgumentException.class, () -> p.nominalDelay(Integer.MIN_VALUE)).getMessage());
    }

    @Test
    void delayArgumentsAreChecked() {
        BackoffPolicy p = BackoffPolicy.adr052();
        assertEquals("random must not be null",
                assertThrows(NullPointerException.class, () -> p.delay(1, null)).getMessage());
        assertEquals("previousDelay must not be null (use Duration.ZERO for none)",
                assertThrows(NullPointerException.class, () -> p.delay(1, null, new Random())).getMessage());
        assertEquals("previousDelay must not be negative but was PT-0.001S",
                assertThrows(IllegalArgumentException.class,
                        () -> p.delay(2, Duration.ofMillis(-1), new Random())).getMessage());
    }
}
