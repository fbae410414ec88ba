package ai.kubernaut.backoff;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.IntToLongFunction;
import java.util.random.RandomGenerator;

/**
 * An immutable, validated exponential backoff policy: base delay, max delay, multiplier, jitter strategy and
 * factor, max attempts and an optional total deadline. Delays are computed by pure functions; the randomness
 * is always passed in, so a seeded {@link RandomGenerator} gives a reproducible schedule.
 *
 * <pre>{@code
 * BackoffPolicy adr = BackoffPolicy.adr052();   // 100 ms, x2, max 1 s, +-10 %, 10 attempts
 * BackoffPolicy p = BackoffPolicy.builder()
 *         .baseDelay(Duration.ofMillis(50)).maxDelay(Duration.ofSeconds(2)).multiplier(2.0)
 *         .jitter(Jitter.FULL, 1.0).maxAttempts(8).deadline(Duration.ofSeconds(5))
 *         .build();
 * Duration d = p.delay(3, random);               // the sleep after failed attempt 3
 * }</pre>
 *
 * <h2>The delay after failed attempt {@code n}</h2>
 * The nominal (jitter-free) delay is {@code exp(n) = min(maxDelay, baseDelay * multiplier^(n-1))}: with the
 * ADR preset 100, 200, 400, 800, 1000, 1000, ... ms. It is computed in floating point and capped before it is
 * converted, so any attempt number up to {@link Integer#MAX_VALUE} gives {@code maxDelay} instead of
 * overflowing. The {@linkplain Jitter jitter strategy} then randomises it and the result is clamped.
 *
 * <h2>Clamping (a deliberate deviation from the original)</h2>
 * By default every delay is clamped into <b>{@code [0, maxDelay]}</b>: symmetric jitter really is &plusmn;p, so
 * the first ADR delay is uniform in 90&ndash;110 ms, and {@code maxDelay} is a hard upper bound (at the cap the
 * ADR delays are 900&ndash;1000 ms). The original Go implementation clamped into {@code [baseDelay, maxDelay]},
 * which silently turns the first delay into 100&ndash;110 ms (its own test plan expected 90&ndash;110 ms) and
 * removes half of the jitter there, when de-synchronising competing replicas matters most. Set
 * {@link Builder#floorAtBase(boolean) floorAtBase(true)} to reproduce the original exactly.
 *
 * <p>Results are rounded to the nearest nanosecond. Durations must be positive and at most
 * {@link #MAX_DURATION} (what fits in a {@code long} of nanoseconds, about 292 years).
 */
public final class BackoffPolicy {

    /** The longest duration a policy accepts: {@link Long#MAX_VALUE} nanoseconds (about 292 years). */
    public static final Duration MAX_DURATION = Duration.ofNanos(Long.MAX_VALUE);

    /** The fixed growth factor of {@link Jitter#DECORRELATED}, as in the AWS formula. */
    private static final double DECORRELATED_GROWTH = 3.0;

    private final Duration baseDelay;
    private final Duration maxDelay;
    private final long baseNanos;
    private final long maxNanos;
    private final double multiplier;
    private final Jitter jitter;
    private final double jitterFactor;
    private final int maxAttempts;
    private final Duration deadline;
    private final boolean floorAtBase;

    private BackoffPolicy(Builder b) {
        this.baseDelay = b.baseDelay;
        this.maxDelay = b.maxDelay;
        this.baseNanos = b.baseDelay.toNanos();
        this.maxNanos = b.maxDelay.toNanos();
        this.multiplier = b.multiplier;
        this.jitter = b.jitter;
        this.jitterFactor = b.jitterFactor;
        this.maxAttempts = b.maxAttempts;
        this.deadline = b.deadline;
        this.floorAtBase = b.floorAtBase;
    }

    /**
     * The ADR-052 Addendum 001 preset: base 100 ms, max 1 s, multiplier 2, {@link Jitter#SYMMETRIC} &plusmn;10 %,
     * 10 attempts, no deadline, clamped into {@code [0, max]}. Nominal schedule 100, 200, 400, 800, 1000 ms
     * (then 1000 ms); nominal worst-case total sleep 6.5 s (sleeps after attempts 1 to 9 only); with jitter at
     * most 6.65 s.
     *
     * @return the ADR preset
     */
    public static BackoffPolicy adr052() {
        return builder().build();
    }

    /**
     * A builder whose defaults are the {@link #adr052()} preset.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder initialised with this policy's values, to derive a variant.
     *
     * @return a new builder holding this policy's settings
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.baseDelay = baseDelay;
        b.maxDelay = maxDelay;
        b.multiplier = multiplier;
        b.jitter = jitter;
        b.jitterFactor = jitterFactor;
        b.maxAttempts = maxAttempts;
        b.deadline = deadline;
        b.floorAtBase = floorAtBase;
        return b;
    }

    /**
     * The nominal delay after the first failed attempt.
     *
     * @return the base delay, positive
     */
    public Duration baseDelay() {
        return baseDelay;
    }

    /**
     * The upper bound of every delay (jitter included).
     *
     * @return the max delay, at least {@link #baseDelay()}
     */
    public Duration maxDelay() {
        return maxDelay;
    }

    /**
     * The growth factor between consecutive nominal delays.
     *
     * @return the multiplier, finite and at least 1
     */
    public double multiplier() {
        return multiplier;
    }

    /**
     * The jitter strategy.
     *
     * @return the strategy, never {@code null}
     */
    public Jitter jitter() {
        return jitter;
    }

    /**
     * The jitter factor {@code p} (see {@link Jitter} for its meaning per strategy; ignored by
     * {@link Jitter#NONE} and {@link Jitter#DECORRELATED}).
     *
     * @return the factor, within {@code [0, 1]}
     */
    public double jitterFactor() {
        return jitterFactor;
    }

    /**
     * The maximum number of attempts, the first one included; a {@link Retrier} sleeps at most
     * {@code maxAttempts - 1} times.
     *
     * @return the maximum number of attempts, at least 1
     */
    public int maxAttempts() {
        return maxAttempts;
    }

    /**
     * The optional total time budget of a {@link Retrier} run, measured from the start of the first attempt.
     *
     * @return the deadline, or empty for none
     */
    public Optional<Duration> deadline() {
        return Optional.ofNullable(deadline);
    }

    /**
     * Whether delays are clamped into {@code [baseDelay, maxDelay]} (the original's behaviour) instead of the
     * default {@code [0, maxDelay]}.
     *
     * @return {@code true} if no delay is ever shorter than the base delay
     */
    public boolean floorAtBase() {
        return floorAtBase;
    }

    /**
     * The jitter-free delay after failed attempt {@code attempt}: {@code min(maxDelay, baseDelay *
     * multiplier^(attempt-1))}. Overflow-safe: large attempt numbers give {@code maxDelay}.
     *
     * @param attempt the 1-based number of the attempt that failed
     * @return the nominal delay
     * @throws IllegalArgumentException if {@code attempt < 1}
     */
    public Duration nominalDelay(int attempt) {
        checkAttempt(attempt);
        return Duration.ofNanos(nominalNanos(attempt));
    }

    /**
     * The delay to sleep after failed attempt {@code attempt}. Pure: the same policy, attempt and random state
     * give the same delay. For {@link Jitter#DECORRELATED}, which depends on the previous delay, the nominal
     * delay of the previous attempt stands in for it (none for attempt 1); use
     * {@link #delay(int, Duration, RandomGenerator)} to chain real delays.
     *
     * @param attempt the 1-based number of the attempt that failed
     * @param random  the source of randomness (one {@code nextDouble()} per call unless the jitter is
     *                {@link Jitter#NONE})
     * @return the delay, within {@code [0, maxDelay]} ({@code [baseDelay, maxDelay]} with
     *         {@link #floorAtBase()})
     * @throws IllegalArgumentException if {@code attempt < 1}
     * @throws NullPointerException     if {@code random} is {@code null}
     */
    public Duration delay(int attempt, RandomGenerator random) {
        checkAttempt(attempt);
        Duration previous = attempt == 1 ? Duration.ZERO : Duration.ofNanos(nominalNanos(attempt - 1));
        return delay(attempt, previous, random);
    }

    /**
     * The delay to sleep after failed attempt {@code attempt}, given the delay slept before that attempt.
     * Pure. Only {@link Jitter#DECORRELATED} uses {@code previousDelay}: the result is uniform in
     * {@code [baseDelay, min(maxDelay, 3 * max(baseDelay, previousDelay)))}; the other strategies ignore it.
     *
     * @param attempt       the 1-based number of the attempt that failed
     * @param previousDelay the delay slept before attempt {@code attempt}; {@link Duration#ZERO} for none
     * @param random        the source of randomness
     * @return the delay, within {@code [0, maxDelay]} ({@code [baseDelay, maxDelay]} with
     *         {@link #floorAtBase()})
     * @throws IllegalArgumentException if {@code attempt < 1} or {@code previousDelay} is negative
     * @throws NullPointerException     if {@code previousDelay} or {@code random} is {@code null}
     */
    public Duration delay(int attempt, Duration previousDelay, RandomGenerator random) {
        checkAttempt(attempt);
        Objects.requireNonNull(previousDelay, "previousDelay must not be null (use Duration.ZERO for none)");
        Objects.requireNonNull(random, "random must not be null");
        if (previousDelay.isNegative()) {
            throw new IllegalArgumentException("previousDelay must not be negative but was " + previousDelay);
        }
        double raw;
        switch (jitter) {
            case NONE:
                raw = nominalNanos(attempt);
                break;
            case SYMMETRIC: {
                double nominal = nominalNanos(attempt);
                raw = nominal + nominal * jitterFactor * (2.0 * random.nextDouble() - 1.0);
                break;
            }
            case FULL: {
                double nominal = nominalNanos(attempt);
                raw = nominal - nominal * jitterFactor * random.nextDouble();
                break;
            }
            case DECORRELATED: {
                double previous = Math.max(baseNanos, saturatedNanos(previousDelay));
                double high = Math.min((double) maxNanos, previous * DECORRELATED_GROWTH);
                raw = baseNanos + (high - baseNanos) * random.nextDouble();
                break;
            }
            default:
                throw new AssertionError(jitter);
        }
        return Duration.ofNanos(clamp(raw));
    }

    /**
     * The sum of the nominal (jitter-free) delays after attempts 1 to {@code maxAttempts - 1}: the time a run
     * that never succeeds spends sleeping, ignoring jitter. 6.5 s for {@link #adr052()} (100 + 200 + 400 + 800
     * + 5 &times; 1000 ms). Saturates at {@link #MAX_DURATION}.
     *
     * @return the nominal worst-case total sleep
     */
    public Duration nominalWorstCaseSleep() {
        return Duration.ofNanos(sumOverRetries(this::nominalNanos));
    }

    /**
     * An upper bound of the total time a {@link Retrier} run with this policy can sleep, jitter included: the
     * sum over attempts 1 to {@code maxAttempts - 1} of the largest delay the strategy can produce (6.65 s for
     * {@link #adr052()}). Useful to choose a request timeout or a {@linkplain #deadline() deadline}.
     * Saturates at {@link #MAX_DURATION}.
     *
     * @return the maximum total sleep of a run
     */
    public Duration maxTotalSleep() {
        return Duration.ofNanos(sumOverRetries(this::maxDelayNanos));
    }

    // The largest delay the Retrier can sleep after attempt n (non-decreasing in n, reaches maxNanos).
    private long maxDelayNanos(int attempt) {
        switch (jitter) {
            case SYMMETRIC:
                return clamp(nominalNanos(attempt) * (1.0 + jitterFactor));
            case DECORRELATED:
                return clamp(baseNanos * Math.pow(DECORRELATED_GROWTH, attempt));
            default:
                return nominalNanos(attempt);
        }
    }

    private long nominalNanos(int attempt) {
        double value = baseNanos * Math.pow(multiplier, attempt - 1.0);
        // Capping in floating point first keeps huge attempts (Infinity) at maxDelay.
        return value < maxNanos ? Math.min(maxNanos, Math.round(value)) : maxNanos;
    }

    private long clamp(double nanos) {
        long floor = floorAtBase ? baseNanos : 0L;
        if (!(nanos < maxNanos)) {
            return maxNanos;
        }
        return Math.max(floor, Math.min(maxNanos, Math.round(nanos)));
    }

    /*
     * Sum of term(1..maxAttempts-1) for a non-decreasing term that reaches maxNanos: a binary search finds the
     * first capped attempt, so the cost is the number of uncapped attempts, not maxAttempts.
     */
    private long sumOverRetries(IntToLongFunction term) {
        int retries = maxAttempts - 1;
        if (retries == 0) {
            return 0L;
        }
        int low = 1;
        int high = retries + 1; // no overflow: retries < Integer.MAX_VALUE
        while (low < high) {
            int mid = low + (high - low) / 2;
            if (term.applyAsLong(mid) >= maxNanos) {
                high = mid;
            } else {
                low = mid + 1;
            }
        }
        long sum = 0L;
        for (int attempt = 1; attempt < low; attempt++) {
            sum = saturatedAdd(sum, term.applyAsLong(attempt));
        }
        long capped = (long) retries - low + 1;
        return saturatedAdd(sum, saturatedMultiply(capped, maxNanos));
    }

    static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r; // both non-negative here
    }

    private static long saturatedMultiply(long a, long b) {
        long high = Math.multiplyHigh(a, b);
        long r = a * b;
        return high != 0 || r < 0 ? Long.MAX_VALUE : r;
    }

    private static long saturatedNanos(Duration d) {
        return d.compareTo(MAX_DURATION) >= 0 ? Long.MAX_VALUE : d.toNanos();
    }

    private static void checkAttempt(int attempt) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be >= 1 (attempts are 1-based) but was " + attempt);
        }
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof BackoffPolicy)) {
            return false;
        }
        BackoffPolicy other = (BackoffPolicy) o;
        return baseNanos == other.baseNanos && maxNanos == other.maxNanos
                && Double.compare(multiplier, other.multiplier) == 0 && jitter == other.jitter
                && Double.compare(jitterFactor, other.jitterFactor) == 0 && maxAttempts == other.maxAttempts
                && Objects.equals(deadline, other.deadline) && floorAtBase == other.floorAtBase;
    }

    @Override
    public int hashCode() {
        return Objects.hash(baseNanos, maxNanos, multiplier, jitter, jitterFactor, maxAttempts, deadline,
                floorAtBase);
    }

    @Override
    public String toString() {
        return "BackoffPolicy[baseDelay=" + baseDelay + ", maxDelay=" + maxDelay + ", multiplier=" + multiplier
                + ", jitter=" + jitter + ", jitterFactor=" + jitterFactor + ", maxAttempts=" + maxAttempts
                + ", deadline=" + (deadline == null ? "none" : deadline) + ", floorAtBase=" + floorAtBase + "]";
    }

    /**
     * Builds a {@link BackoffPolicy}. Starts from the {@link BackoffPolicy#adr052()} values. Each setter
     * rejects an invalid value at once with an {@link IllegalArgumentException} (or a
     * {@link NullPointerException} for {@code null}) whose message names the field and the value;
     * {@link #build()} checks that the base delay does not exceed the max delay. Not thread-safe.
     */
    public static final class Builder {
        private Duration baseDelay = Duration.ofMillis(100);
        private Duration maxDelay = Duration.ofSeconds(1);
        private double multiplier = 2.0;
        private Jitter jitter = Jitter.SYMMETRIC;
        private double jitterFactor = 0.1;
        private int maxAttempts = 10;
        private Duration deadline;
        private boolean floorAtBase;

        private Builder() {
        }

        /**
         * Sets the nominal delay after the first failed attempt.
         *
         * @param baseDelay positive, at most {@link BackoffPolicy#MAX_DURATION}
         * @return this builder
         * @throws IllegalArgumentException if not positive or too large
         */
        public Builder baseDelay(Duration baseDelay) {
            this.baseDelay = positive("baseDelay", baseDelay);
            return this;
        }

        /**
         * Sets the upper bound of every delay.
         *
         * @param maxDelay positive, at most {@link BackoffPolicy#MAX_DURATION}, not below the base delay
         *                 (checked by {@link #build()})
         * @return this builder
         * @throws IllegalArgumentException if not positive or too large
         */
        public Builder maxDelay(Duration maxDelay) {
            this.maxDelay = positive("maxDelay", maxDelay);
            return this;
        }

        /**
         * Sets the growth factor between consecutive nominal delays ({@code 1.0} gives a constant delay).
         *
         * @param multiplier finite and at least 1
         * @return this builder
         * @throws IllegalArgumentException if below 1, NaN or infinite
         */
        public Builder multiplier(double multiplier) {
            if (!(Double.isFinite(multiplier) && multiplier >= 1.0)) {
                throw new IllegalArgumentException("multiplier must be a finite number >= 1.0 but was " + multiplier);
            }
            this.multiplier = multiplier;
            return this;
        }

        /**
         * Sets the jitter strategy with its conventional factor ({@link Jitter#defaultFactor()}): 0 for NONE,
         * 0.1 for SYMMETRIC, 1 for FULL and DECORRELATED.
         *
         * @param jitter the strategy
         * @return this builder
         * @throws NullPointerException if {@code jitter} is {@code null}
         */
        public Builder jitter(Jitter jitter) {
            Objects.requireNonNull(jitter, "jitter must not be null");
            return jitter(jitter, jitter.defaultFactor());
        }

        /**
         * Sets the jitter strategy and its factor.
         *
         * @param jitter       the strategy
         * @param jitterFactor within {@code [0, 1]}
         * @return this builder
         * @throws NullPointerException     if {@code jitter} is {@code null}
         * @throws IllegalArgumentException if the factor is outside {@code [0, 1]} or NaN
         */
        public Builder jitter(Jitter jitter, double jitterFactor) {
            Objects.requireNonNull(jitter, "jitter must not be null");
            jitterFactor(jitterFactor);
            this.jitter = jitter;
            return this;
        }

        /**
         * Sets the jitter factor, keeping the strategy.
         *
         * @param jitterFactor within {@code [0, 1]}
         * @return this builder
         * @throws IllegalArgumentException if outside {@code [0, 1]} or NaN
         */
        public Builder jitterFactor(double jitterFactor) {
            if (!(jitterFactor >= 0.0 && jitterFactor <= 1.0)) {
                throw new IllegalArgumentException("jitterFactor must be within [0.0, 1.0] but was " + jitterFactor);
            }
            this.jitterFactor = jitterFactor;
            return this;
        }

        /**
         * Sets the maximum number of attempts, the first one included.
         *
         * @param maxAttempts at least 1
         * @return this builder
         * @throws IllegalArgumentException if below 1
         */
        public Builder maxAttempts(int maxAttempts) {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be >= 1 but was " + maxAttempts);
            }
            this.maxAttempts = maxAttempts;
            return this;
        }

        /**
         * Sets the total time budget of a {@link Retrier} run (see {@link Retrier} for the exact rule).
         *
         * @param deadline positive, at most {@link BackoffPolicy#MAX_DURATION}
         * @return this builder
         * @throws IllegalArgumentException if not positive or too large
         */
        public Builder deadline(Duration deadline) {
            this.deadline = positive("deadline", deadline);
            return this;
        }

        /**
         * Removes the deadline (the default): only {@code maxAttempts} bounds a run.
         *
         * @return this builder
         */
        public Builder noDeadline() {
            this.deadline = null;
            return this;
        }

        /**
         * Chooses the clamping: {@code false} (default) clamps delays into {@code [0, maxDelay]}; {@code true}
         * into {@code [baseDelay, maxDelay]} like the original implementation (first ADR delay 100&ndash;110 ms).
         *
         * @param floorAtBase whether no delay may be shorter than the base delay
         * @return this builder
         */
        public Builder floorAtBase(boolean floorAtBase) {
            this.floorAtBase = floorAtBase;
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
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(field + " must be positive but was " + value);
            }
            if (value.compareTo(MAX_DURATION) > 0) {
                throw new IllegalArgumentException(
                        field + " must be at most " + MAX_DURATION + " (Long.MAX_VALUE ns) but was " + value);
            }
            return value;
        }
    }
}
