package ai.kubernaut.backoff;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How a {@link Retrier} run ended, with what callers need for metrics: attempts made, time slept, time elapsed.
 * Immutable.
 *
 * @param <T> the type of the value produced on success
 */
public final class RetryResult<T> {

    private final RetryStatus status;
    private final T value;
    private final Throwable failure;
    private final int attempts;
    private final Duration totalSleep;
    private final Duration elapsed;
    private final String lastRetryReason;

    RetryResult(RetryStatus status, T value, Throwable failure, int attempts, Duration totalSleep,
            Duration elapsed, String lastRetryReason) {
        this.status = Objects.requireNonNull(status, "status");
        this.value = value;
        this.failure = failure;
        this.attempts = attempts;
        this.totalSleep = Objects.requireNonNull(totalSleep, "totalSleep");
        this.elapsed = Objects.requireNonNull(elapsed, "elapsed");
        this.lastRetryReason = lastRetryReason;
    }

    /**
     * Why the run ended.
     *
     * @return the final status, never {@code null}
     */
    public RetryStatus status() {
        return status;
    }

    /**
     * Shorthand for {@code status() == RetryStatus.SUCCEEDED}.
     *
     * @return whether an attempt succeeded
     */
    public boolean succeeded() {
        return status == RetryStatus.SUCCEEDED;
    }

    /**
     * The value of the successful attempt.
     *
     * @return the value when {@link #status()} is {@link RetryStatus#SUCCEEDED} and the value is not
     *         {@code null}; empty otherwise
     */
    public Optional<T> value() {
        return Optional.ofNullable(value);
    }

    /**
     * The error behind the end of the run.
     *
     * @return for {@link RetryStatus#FAILED}: the {@link Outcome#fail(Throwable)} cause or the thrown exception;
     *         for {@link RetryStatus#INTERRUPTED}: the {@link InterruptedException} (empty if the run stopped
     *         because the interrupt flag was already set); for {@link RetryStatus#EXHAUSTED} and
     *         {@link RetryStatus#DEADLINE_EXCEEDED}: the exception of the last attempt if that attempt threw
     *         a retryable exception; empty otherwise
     */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    /**
     * How many attempts were started (1-based count, at least 1).
     *
     * @return the number of attempts made
     */
    public int attempts() {
        return attempts;
    }

    /**
     * The sum of the delays the retrier asked its {@link Sleeper} for and that completed (an interrupted sleep
     * is not counted). With the real sleeper the time actually slept can be slightly longer.
     *
     * @return the total requested sleep, {@link Duration#ZERO} if no sleep happened
     */
    public Duration totalSleep() {
        return totalSleep;
    }

    /**
     * Wall time of the whole run (attempts plus sleeps), measured with the retrier's nanosecond clock.
     *
     * @return the elapsed time, never negative
     */
    public Duration elapsed() {
        return elapsed;
    }

    /**
     * The reason of the most recent retry.
     *
     * @return the last {@link Outcome#retry(String)} reason (or retryable exception's {@code toString()}),
     *         empty if no attempt asked to retry
     */
    public Optional<String> lastRetryReason() {
        return Optional.ofNullable(lastRetryReason);
    }

    @Override
    public String toString() {
        return "RetryResult[status=" + status + ", attempts=" + attempts + ", totalSleep=" + totalSleep
                + ", elapsed=" + elapsed
                + (lastRetryReason != null ? ", lastRetryReason=" + lastRetryReason : "")
                + (failure != null ? ", failure=" + failure : "") + "]";
    }
}
