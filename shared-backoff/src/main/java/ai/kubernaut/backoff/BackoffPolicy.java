package ai.kubernaut.backoff;

import java.time.Duration;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.random.RandomGenerator;

/**
 * An immutable, validated exponential backoff policy. The delay after failed attempt {@code n} is a pure function
 * of {@code n} and an injected {@link RandomGenerator}, so a seeded generator gives a reproducible schedule.
 *
 * <p>Nominal delay: {@code d(n) = min(maxDelay, baseDelay * multiplier^(n-1))}, computed in floating point and
 * capped before rounding, so any attempt up to {@link Integer#MAX_VALUE} gives {@code maxDelay} instead of
 * overflowing. Jitter, with {@code u} uniform in {@code [0, 1)} and fraction {@code p}:
 * <ul>
 * <li>none (the builder's default): {@code d(n)};</li>
 * <li>{@linkplain Builder#jitter(double) symmetric} (the ADR's &plusmn;10 %): {@code d(n) * (1 + p(2u - 1))};</li>
 * <li>{@linkplain Builder#fullJitter(double) full}: {@code d(n) * (1 - p u)}, uniform in {@code ((1-p) d(n), d(n)]}
 * (with {@code p = 1} the classic "full jitter").</li>
 * </ul>
 * The result is clamped into {@code [0, maxDelay]}: {@code maxDelay} is a hard cap and symmetric jitter really is
 * &plusmn;p (the first ADR delay is 90&ndash;110 ms). {@link Builder#floorAtBase(boolean) floorAtBase(true)}
 * clamps into {@code [baseDelay, maxDelay]} instead, as the original did and as the orchestrator's requeue
 * documents. Delays are rounded to the nanosecond.
 */
public final class BackoffPolicy {

    private static final Duration LONGEST = Duration.ofNanos(Long.MAX_VALUE);

    private final Duration baseDelay;
    private final Duration maxDelay;
    private final double multiplier;
    private final double jitter;
    private final boolean fullJitter;
    private final boolean floorAtBase;
    private final int maxAttempts; // 0: no limit

    private BackoffPolicy(Builder b) {
        this.baseDelay = b.baseDelay;
        this.maxDelay = b.maxDelay;
        this.multiplier = b.multiplier;
        this.jitter = b.jitter;
        this.fullJitter = b.fullJitter;
        this.floorAtBase = b.floorAtBase;
        this.maxAttempts = b.maxAttempts;
    }

    /**
     * The ADR-052 Addendum 001 preset: base 100 ms, max 1 s, multiplier 2, symmetric jitter &plusmn;10 %,
     * 10 attempts, clamped into {@code [0, max]}. Nominal delays 100, 200, 400, 800, 1000, 1000, ... ms.
     *
     * @return the ADR preset
     */
    public static BackoffPolicy adr052() {
        return builder().jitter(0.1).maxAttempts(10).build();
    }

    /**
     * A builder with base 100 ms, max 1 s, multiplier 2, no jitter, no attempt limit, clamp {@code [0, max]}.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The attempt limit a {@link Retrier} applies, the first attempt included.
     *
     * @return the limit, or empty for a policy used only as a delay function
     */
    public OptionalInt maxAttempts() {
        return maxAttempts == 0 ? OptionalInt.empty() : OptionalInt.of(maxAttempts);
    }

    /**
     * The delay to wait after failed attempt {@code attempt}. Pure: draws one {@code nextDouble()} from
     * {@code random} when the policy has jitter, none otherwise.
     *
     * @param attempt the 1-based number of the attempt that failed
     * @param random  the source of randomness
     * @return the delay, within {@code [0, maxDelay]} ({@code [baseDelay, maxDelay]} with floorAtBase)
     * @throws IllegalArgumentException if {@code attempt < 1}
     */
    public Duration delay(int attempt, RandomGenerator random) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be >= 1 (attempts are 1-based) but was " + attempt);
        }
        Objects.requireNonNull(random, "random must not be null");
        double max = maxDelay.toNanos();
        double nominal = Math.min(max, baseDelay.toNanos() * Math.pow(multiplier, attempt - 1.0));
        double u = jitter == 0.0 ? 0.0 : random.nextDouble(); // without jitter u changes nothing: no draw
        double jittered = fullJitter ? nominal * (1.0 - jitter * u) : nominal * (1.0 + jitter * (2.0 * u - 1.0));
        double floor = floorAtBase ? baseDelay.toNanos() : 0.0;
        return Duration.ofNanos(Math.round(Math.max(floor, Math.min(max, jittered))));
    }

    @Override
    public String toString() {
        return "BackoffPolicy[baseDelay=" + baseDelay + ", maxDelay=" + maxDelay + ", multiplier=" + multiplier
                + ", jitter=" + (fullJitter ? "full " : "+-") + jitter + ", floorAtBase=" + floorAtBase
                + ", maxAttempts=" + (maxAttempts == 0 ? "none" : maxAttempts) + "]";
    }

    /**
     * Builds a {@link BackoffPolicy}. Each setter rejects an invalid value at once with a message naming the field
     * and the value; {@link #build()} checks that the base delay does not exceed the max delay. Not thread-safe.
     */
    public static final class Builder {
        private Duration baseDelay = Duration.ofMillis(100);
        private Duration maxDelay = Duration.ofSeconds(1);
        private double multiplier = 2.0;
        private double jitter;
        private boolean fullJitter;
        private boolean floorAtBase;
        private int maxAttempts;

        private Builder() {
        }

        /**
         * Sets the nominal delay after the first failed attempt.
         *
         * @param baseDelay positive, at most {@link Long#MAX_VALUE} nanoseconds
         * @return this builder
         */
        public Builder baseDelay(Duration baseDelay) {
            this.baseDelay = positive("baseDelay", baseDelay);
            return this;
        }

        /**
         * Sets the upper bound of every delay, jitter included.
         *
         * @param maxDelay positive, at most {@link Long#MAX_VALUE} nanoseconds, not below the base delay
         * @return this builder
         */
        public Builder maxDelay(Duration maxDelay) {
            this.maxDelay = positive("maxDelay", maxDelay);
            return this;
        }

        /**
         * Sets the growth factor between consecutive nominal delays ({@code 1.0}: constant delay).
         *
         * @param multiplier finite, at least 1
         * @return this builder
         */
        public Builder multiplier(double multiplier) {
            if (!(Double.isFinite(multiplier) && multiplier >= 1.0)) {
                throw new IllegalArgumentException("multiplier must be a finite number >= 1.0 but was " + multiplier);
            }
            this.multiplier = multiplier;
            return this;
        }

        /**
         * Symmetric jitter: each delay is spread uniformly over &plusmn;{@code fraction} of the nominal delay.
         *
         * @param fraction within {@code [0, 1]}; 0 means no jitter
         * @return this builder
         */
        public Builder jitter(double fraction) {
            this.jitter = fraction("jitter", fraction);
            this.fullJitter = false;
            return this;
        }

        /**
         * Full jitter: each delay is uniform in {@code ((1 - fraction) * nominal, nominal]}.
         *
         * @param fraction within {@code [0, 1]}; 1 is the classic full jitter {@code [0, nominal]}
         * @return this builder
         */
        public Builder fullJitter(double fraction) {
            this.jitter = fraction("fullJitter", fraction);
            this.fullJitter = true;
            return this;
        }

        /**
         * Chooses the clamp: {@code false} (default) {@code [0, maxDelay]}; {@code true} {@code [baseDelay,
         * maxDelay]}, so no delay is shorter than the base delay.
         *
         * @param floorAtBase whether the base delay is also the smallest delay
         * @return this builder
         */
        public Builder floorAtBase(boolean floorAtBase) {
            this.floorAtBase = floorAtBase;
            return this;
        }

        /**
         * Sets the attempt limit a {@link Retrier} applies (default: none, for a policy used as a delay function).
         *
         * @param maxAttempts at least 1, the first attempt included
         * @return this builder
         */
        public Builder maxAttempts(int maxAttempts) {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be >= 1 but was " + maxAttempts);
            }
            this.maxAttempts = maxAttempts;
            return this;
        }

        /**
         * Creates the policy.
         *
         * @return a new immutable policy
         * @throws IllegalArgumentException if the base delay is greater than the max delay
         */
        public BackoffPolicy build() {
            if (baseDelay.compareTo(maxDelay) > 0) {
                throw new IllegalArgumentException(
                        "baseDelay (" + baseDelay + ") must not be greater than maxDelay (" + maxDelay + ")");
            }
            return new BackoffPolicy(this);
        }

        private static Duration positive(String field, Duration value) {
            Objects.requireNonNull(value, field + " must not be null");
            if (value.isNegative() || value.isZero() || value.compareTo(LONGEST) > 0) {
                throw new IllegalArgumentException(
                        field + " must be positive and at most " + LONGEST + " but was " + value);
            }
            return value;
        }

        private static double fraction(String field, double value) {
            if (!(value >= 0.0 && value <= 1.0)) {
                throw new IllegalArgumentException(field + " must be within [0.0, 1.0] but was " + value);
            }
            return value;
        }
    }
}
