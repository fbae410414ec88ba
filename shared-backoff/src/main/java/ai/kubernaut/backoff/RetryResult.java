package ai.kubernaut.backoff;

/**
 * How a {@link Retrier} run ended.
 *
 * @param status          why the run ended
 * @param value           the successful attempt's value ({@code null} unless {@link Status#SUCCEEDED}, and
 *                        possibly {@code null} then)
 * @param attempts        attempts started, at least 1
 * @param lastRetryReason the last retry's reason (an {@link Outcome#retry(String)} reason or a retried exception's
 *                        {@code toString()}); {@code null} if no attempt asked to retry
 * @param lastException   the exception the last attempt threw if it was retried (so the caller can classify it
 *                        when attempts or time ran out); {@code null} otherwise
 * @param <T>             the value type
 */
public record RetryResult<T>(Status status, T value, int attempts, String lastRetryReason,
        RuntimeException lastException) {

    /** Why a run ended. */
    public enum Status {
        /** An attempt returned {@link Outcome#success(Object)}. */
        SUCCEEDED,
        /** The policy's {@link BackoffPolicy#maxAttempts()} attempts all asked to retry. */
        ATTEMPTS_EXHAUSTED,
        /** The next attempt would have started at or after the run's time limit; nothing slept past it. */
        TIME_LIMIT_REACHED,
        /** The thread was interrupted before or during a sleep; its interrupt flag is set again. */
        INTERRUPTED
    }
}
