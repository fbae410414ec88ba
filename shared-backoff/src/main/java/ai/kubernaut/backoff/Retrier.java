package ai.kubernaut.backoff;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;

/**
 * Runs an attempt repeatedly according to a {@link BackoffPolicy} and reports how it ended.
 *
 * <pre>{@code
 * RetryResult<Lease> r = Retrier.of(BackoffPolicy.adr052()).run(attempt -> {
 *     LockResult lock = locks.tryAcquire(key);
 *     return lock.acquired() ? Outcome.success(lock.lease()) : Outcome.retry("lease held by " + lock.holder());
 * });
 * }</pre>
 *
 * <h2>Rules of a run</h2>
 * <ul>
 * <li>Iterative: one loop, constant stack depth whatever the number of attempts.</li>
 * <li>The attempt decides through its {@link Outcome}: success ends with {@link RetryStatus#SUCCEEDED}, fail
 * ends with {@link RetryStatus#FAILED}, retry asks for another attempt. A thrown exception ends the run with
 * {@code FAILED} at once and is not retried, unless {@link Builder#retryOn(Predicate)} classifies it as
 * retryable (then it counts as a retry whose reason is the exception's {@code toString()}). An
 * {@link InterruptedException} thrown by the attempt ends the run with {@link RetryStatus#INTERRUPTED}.
 * {@link Error}s are not caught.</li>
 * <li>Sleeps happen after attempts 1 to {@code maxAttempts - 1} only, never after the last: a retry from attempt
 * {@code maxAttempts} ends the run with {@link RetryStatus#EXHAUSTED} (this takes precedence over the
 * deadline).</li>
 * <li>The delay after attempt {@code n} is {@link BackoffPolicy#delay(int, Duration, RandomGenerator)} with the
 * previous delay actually slept, so {@link Jitter#DECORRELATED} chains correctly.</li>
 * <li>Deadline: measured with the nanosecond clock from just before attempt 1. The retrier never sleeps past
 * it and never starts an attempt at or after it: if {@code elapsed + nextDelay >= deadline} it stops with
 * {@link RetryStatus#DEADLINE_EXCEEDED} without sleeping; if a sleep overran (a real sleeper may wake late) so
 * that {@code elapsed >= deadline} after it, it stops with the same status. A running attempt is never
 * cancelled: a slow attempt may itself end after the deadline.</li>
 * <li>Interruption: if the thread's interrupt flag is set when a sleep is due, or the sleeper throws
 * {@link InterruptedException}, the run ends with {@link RetryStatus#INTERRUPTED} and the interrupt flag is set
 * on return.</li>
 * </ul>
 *
 * <p>A {@code Retrier} is immutable and thread-safe if its sleeper, clock, listener and predicate are; by
 * default each run draws randomness from {@link ThreadLocalRandom#current()}. An injected
 * {@link RandomGenerator} is used as is (most are not thread-safe: inject one per thread, or only in tests).
 */
public final class Retrier {

    private final BackoffPolicy policy;
    private final Sleeper sleeper;
    private final LongSupplier nanoClock;
    private final RandomGenerator random; // null: ThreadLocalRandom.current() per run
    private final Predicate<? super Exception> retryOn;
    private final RetryListener onRetry;

    private Retrier(Builder b) {
        this.policy = b.policy;
        this.sleeper = b.sleeper;
        this.nanoClock = b.nanoClock;
        this.random = b.random;
        this.retryOn = b.retryOn;
        this.onRetry = b.onRetry;
    }

    /**
     * A retrier with the real {@link Sleeper#threadSleep() sleeper}, {@link System#nanoTime()} and
     * {@link ThreadLocalRandom}, retrying no exception and with no listener.
     *
     * @param policy the backoff policy
     * @return a new retrier
     * @throws NullPointerException if {@code policy} is {@code null}
     */
    public static Retrier of(BackoffPolicy policy) {
        return builder(policy).build();
    }

    /**
     * A builder to inject the sleeper, clock, randomness, exception classification and retry listener.
     *
     * @param policy the backoff policy
     * @return a new builder with the same defaults as {@link #of(BackoffPolicy)}
     * @throws NullPointerException if {@code policy} is {@code null}
     */
    public static Builder builder(BackoffPolicy policy) {
        return new Builder(policy);
    }

    /**
     * The policy this retrier follows.
     *
     * @return the policy
     */
    public BackoffPolicy policy() {
        return policy;
    }

    /**
     * Runs {@code call} until it succeeds, fails, or attempts, deadline or interruption stop it (see the class
     * documentation for the exact rules). Never throws for an attempt's exception; only {@link Error}s and
     * exceptions thrown by the {@link RetryListener} propagate.
     *
     * @param call the attempt, called with its 1-based number
     * @param <T>  the value type
     * @return how the run ended, with attempts made, total sleep and elapsed time
     * @throws NullPointerException if {@code call} is {@code null}
     */
    public <T> RetryResult<T> run(RetryableCall<T> call) {
        Objects.requireNonNull(call, "call must not be null");
        RandomGenerator rnd = random != null ? random : ThreadLocalRandom.current();
        long deadlineNanos = policy.deadline().map(Duration::toNanos).orElse(-1L);
        int maxAttempts = policy.maxAttempts();
        long start = nanoClock.getAsLong();
        long sleptNanos = 0L;
        Duration previousDelay = Duration.ZERO;
        String lastReason = null;
        for (int attempt = 1; ; attempt++) {
            Outcome<T> outcome;
            Exception retriedException = null;
            try {
                outcome = call.call(attempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return result(RetryStatus.INTERRUPTED, null, e, attempt, sleptNanos, start, lastReason);
            } catch (Exception e) {
                if (!retryOn.test(e)) {
                    return result(RetryStatus.FAILED, null, e, attempt, sleptNanos, start, lastReason);
                }
                retriedException = e;
                outcome = Outcome.retry(e.toString());
            }
            if (outcome == null) {
                IllegalStateException e = new IllegalStateException(
                        "attempt " + attempt + " returned null instead of an Outcome");
                return result(RetryStatus.FAILED, null, e, attempt, sleptNanos, start, lastReason);
            }
            if (outcome instanceof Outcome.Success<T> success) {
                return result(RetryStatus.SUCCEEDED, success.value(), null, attempt, sleptNanos, start, lastReason);
            }
            if (outcome instanceof Outcome.Fail<T> fail) {
                return result(RetryStatus.FAILED, null, fail.failure(), attempt, sleptNanos, start, lastReason);
            }
            lastReason = ((Outcome.Retry<T>) outcome).reason();
            if (attempt >= maxAttempts) {
                return result(RetryStatus.EXHAUSTED, null, retriedException, attempt, sleptNanos, start, lastReason);
            }
            Duration delay = policy.delay(attempt, previousDelay, rnd);
            long delayNanos = delay.toNanos();
            // elapsed + delay >= deadline, written without overflow: the next attempt would start too late.
            if (deadlineNanos >= 0 && nanoClock.getAsLong() - start >= deadlineNanos - delayNanos) {
                return result(RetryStatus.DEADLINE_EXCEEDED, null, retriedException, attempt, sleptNanos, start,
                        lastReason);
            }
            if (Thread.currentThread().isInterrupted()) {
                return result(RetryStatus.INTERRUPTED, null, null, attempt, sleptNanos, start, lastReason);
            }
            onRetry.onRetry(attempt, lastReason, delay);
            try {
                sleeper.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return result(RetryStatus.INTERRUPTED, null, e, attempt, sleptNanos, start, lastReason);
            }
            sleptNanos = BackoffPolicy.saturatedAdd(sleptNanos, delayNanos);
            previousDelay = delay;
            if (deadlineNanos >= 0 && nanoClock.getAsLong() - start >= deadlineNanos) {
                return result(RetryStatus.DEADLINE_EXCEEDED, null, retriedException, attempt, sleptNanos, start,
                        lastReason);
            }
        }
    }

    private <T> RetryResult<T> result(RetryStatus status, T value, Throwable failure, int attempts, long sleptNanos,
            long start, String lastReason) {
        long elapsed = Math.max(0L, nanoClock.getAsLong() - start);
        return new RetryResult<>(status, value, failure, attempts, Duration.ofNanos(sleptNanos),
                Duration.ofNanos(elapsed), lastReason);
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
        private RetryListener onRetry = (attempt, reason, delay) -> { };

        private Builder(BackoffPolicy policy) {
            this.policy = Objects.requireNonNull(policy, "policy must not be null");
        }

        /**
         * Sets how to wait between attempts (default {@link Sleeper#threadSleep()}).
         *
         * @param sleeper the sleeper
         * @return this builder
         * @throws NullPointerException if {@code sleeper} is {@code null}
         */
        public Builder sleeper(Sleeper sleeper) {
            this.sleeper = Objects.requireNonNull(sleeper, "sleeper must not be null");
            return this;
        }

        /**
         * Sets the monotonic nanosecond clock used for the deadline and {@link RetryResult#elapsed()}
         * (default {@link System#nanoTime()}). Only differences between readings are used.
         *
         * @param nanoClock the clock
         * @return this builder
         * @throws NullPointerException if {@code nanoClock} is {@code null}
         */
        public Builder nanoClock(LongSupplier nanoClock) {
            this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock must not be null");
            return this;
        }

        /**
         * Sets the randomness for the jitter (default: {@link ThreadLocalRandom#current()} of the running
         * thread). A seeded generator makes runs reproducible; it is shared by all runs of the retrier.
         *
         * @param random the random generator
         * @return this builder
         * @throws NullPointerException if {@code random} is {@code null}
         */
        public Builder random(RandomGenerator random) {
            this.random = Objects.requireNonNull(random, "random must not be null");
            return this;
        }

        /**
         * Classifies thrown exceptions: those the predicate accepts are retried like
         * {@link Outcome#retry(String)}; the others end the run with {@link RetryStatus#FAILED} (the default
         * accepts none). {@link InterruptedException} is never retried.
         *
         * @param retryOn returns {@code true} for retryable exceptions
         * @return this builder
         * @throws NullPointerException if {@code retryOn} is {@code null}
         */
        public Builder retryOn(Predicate<? super Exception> retryOn) {
            this.retryOn = Objects.requireNonNull(retryOn, "retryOn must not be null");
            return this;
        }

        /**
         * Sets a listener told about every retry just before its sleep (for metrics and logs).
         *
         * @param onRetry the listener
         * @return this builder
         * @throws NullPointerException if {@code onRetry} is {@code null}
         */
        public Builder onRetry(RetryListener onRetry) {
            this.onRetry = Objects.requireNonNull(onRetry, "onRetry must not be null");
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
