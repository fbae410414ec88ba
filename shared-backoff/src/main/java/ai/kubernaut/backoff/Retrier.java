package ai.kubernaut.backoff;

import ai.kubernaut.backoff.RetryResult.Status;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;

/**
 * Runs an attempt repeatedly under a {@link BackoffPolicy}. Built once, used for many runs; immutable and
 * thread-safe if its sleeper, clock, random generator and predicate are (by default each run draws from
 * {@link ThreadLocalRandom#current()}).
 *
 * <p>Rules of a run:
 * <ul>
 * <li>One loop, constant stack depth. The attempt's {@link Outcome} decides: success ends the run, retry asks for
 * another attempt after {@link BackoffPolicy#delay(int, RandomGenerator)}.</li>
 * <li>An exception thrown by the attempt is retried like {@link Outcome#retry(String)} if the
 * {@link Builder#retryOn(Predicate) retryOn} predicate selects it (reason: its {@code toString()}); any other
 * exception propagates unchanged. {@link Error}s are not caught.</li>
 * <li>No sleep after the last of the policy's {@code maxAttempts}: that run ends with
 * {@link Status#ATTEMPTS_EXHAUSTED}, which takes precedence over the time limit.</li>
 * <li>Time limit, per run, measured with the nano clock from just before attempt 1: if {@code elapsed + delay >=
 * limit} the run ends with {@link Status#TIME_LIMIT_REACHED} without sleeping; so does a sleep that overran it.
 * A running attempt is not cancelled.</li>
 * <li>Interrupt flag set when a sleep is due, or the sleeper interrupted: {@link Status#INTERRUPTED}, with the
 * flag set again.</li>
 * </ul>
 */
public final class Retrier {

    private final BackoffPolicy policy;
    private final Sleeper sleeper;
    private final LongSupplier nanoClock;
    private final RandomGenerator random; // null: ThreadLocalRandom.current() of the running thread
    private final Predicate<? super Exception> retryOn;

    private Retrier(Builder b) {
        this.policy = b.policy;
        this.sleeper = b.sleeper;
        this.nanoClock = b.nanoClock;
        this.random = b.random;
        this.retryOn = b.retryOn;
    }

    /**
     * A builder with the real {@link Sleeper#threadSleep() sleeper}, {@link System#nanoTime()},
     * {@link ThreadLocalRandom} and no exception retried.
     *
     * @param policy the backoff policy
     * @return a new builder
     */
    public static Builder builder(BackoffPolicy policy) {
        return new Builder(policy);
    }

    /**
     * Runs {@code call} until it succeeds or the policy's attempts or an interruption end the run.
     *
     * @param call the attempt, given its 1-based number
     * @param <T>  the value type
     * @return how the run ended
     * @throws IllegalStateException if the policy has no attempt limit (the run could never end): use
     *                               {@link #run(Duration, RetryableCall)}
     */
    public <T> RetryResult<T> run(RetryableCall<T> call) {
        if (policy.maxAttempts().isEmpty()) {
            throw new IllegalStateException("the policy has no attempt limit: give the run a time limit");
        }
        return loop(Long.MAX_VALUE, call);
    }

    /**
     * Runs {@code call} until it succeeds or the policy's attempts, the time limit or an interruption end the run.
     *
     * @param timeLimit the run's budget from just before attempt 1, zero or more
     * @param call      the attempt, given its 1-based number
     * @param <T>       the value type
     * @return how the run ended
     */
    public <T> RetryResult<T> run(Duration timeLimit, RetryableCall<T> call) {
        if (timeLimit.isNegative()) {
            throw new IllegalArgumentException("timeLimit must not be negative but was " + timeLimit);
        }
        return loop(timeLimit.compareTo(Duration.ofNanos(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : timeLimit.toNanos(),
                call);
    }

    private <T> RetryResult<T> loop(long limitNanos, RetryableCall<T> call) {
        Objects.requireNonNull(call, "call must not be null");
        RandomGenerator rnd = random != null ? random : ThreadLocalRandom.current();
        int maxAttempts = policy.maxAttempts().orElse(Integer.MAX_VALUE);
        long start = nanoClock.getAsLong();
        String reason = null;
        for (int attempt = 1; ; attempt++) {
            Outcome<T> outcome;
            RuntimeException retried = null;
            try {
                outcome = call.call(attempt);
            } catch (RuntimeException e) {
                if (!retryOn.test(e)) {
                    throw e;
                }
                retried = e;
                outcome = Outcome.retry(e.toString());
            }
            if (Objects.requireNonNull(outcome, "the attempt returned null") instanceof Outcome.Success<T> s) {
                return new RetryResult<>(Status.SUCCEEDED, s.value(), attempt, reason, null);
            }
            reason = ((Outcome.Retry<T>) outcome).reason();
            if (attempt >= maxAttempts) {
                return new RetryResult<>(Status.ATTEMPTS_EXHAUSTED, null, attempt, reason, retried);
            }
            Duration delay = policy.delay(attempt, rnd);
            // elapsed + delay >= limit, without overflow (both are non-negative)
            if (nanoClock.getAsLong() - start >= limitNanos - delay.toNanos()) {
                return new RetryResult<>(Status.TIME_LIMIT_REACHED, null, attempt, reason, retried);
            }
            try {
                if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedException();
                }
                sleeper.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new RetryResult<>(Status.INTERRUPTED, null, attempt, reason, retried);
            }
            if (nanoClock.getAsLong() - start >= limitNanos) {
                return new RetryResult<>(Status.TIME_LIMIT_REACHED, null, attempt, reason, retried);
            }
        }
    }

    @Override
    public String toString() {
        return "Retrier[" + policy + "]";
    }

    /** Builds a {@link Retrier}. Not thread-safe. */
    public static final class Builder {
        private final BackoffPolicy policy;
        private Sleeper sleeper = Sleeper.threadSleep();
        private LongSupplier nanoClock = System::nanoTime;
        private RandomGenerator random;
        private Predicate<? super Exception> retryOn = e -> false;

        private Builder(BackoffPolicy policy) {
            this.policy = Objects.requireNonNull(policy, "policy must not be null");
        }

        /**
         * Sets how to wait between attempts (tests inject a fake that advances a fake clock).
         *
         * @param sleeper the sleeper
         * @return this builder
         */
        public Builder sleeper(Sleeper sleeper) {
            this.sleeper = Objects.requireNonNull(sleeper, "sleeper must not be null");
            return this;
        }

        /**
         * Sets the monotonic nanosecond clock of the time limit; only differences between readings are used.
         *
         * @param nanoClock the clock
         * @return this builder
         */
        public Builder nanoClock(LongSupplier nanoClock) {
            this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock must not be null");
            return this;
        }

        /**
         * Sets the randomness of the jitter, shared by every run (a seeded generator, in tests).
         *
         * @param random the random generator
         * @return this builder
         */
        public Builder random(RandomGenerator random) {
            this.random = Objects.requireNonNull(random, "random must not be null");
            return this;
        }

        /**
         * Selects the exceptions that are retried; the others propagate (default: none is retried).
         *
         * @param retryOn {@code true} for a retryable exception
         * @return this builder
         */
        public Builder retryOn(Predicate<? super Exception> retryOn) {
            this.retryOn = Objects.requireNonNull(retryOn, "retryOn must not be null");
            return this;
        }

        /**
         * Creates the retrier.
         *
         * @return a new immutable retrier
         */
        public Retrier build() {
            return new Retrier(this);
        }
    }
}
