package ai.kubernaut.backoff;

/** Why a {@link Retrier} run ended. */
public enum RetryStatus {
    /** An attempt returned {@link Outcome#success(Object)}. */
    SUCCEEDED,
    /**
     * An attempt returned {@link Outcome#fail(Throwable)}, threw an exception not classified as retryable, or
     * returned {@code null}; no further attempt was made.
     */
    FAILED,
    /** Every one of {@link BackoffPolicy#maxAttempts()} attempts asked to retry. */
    EXHAUSTED,
    /**
     * The policy's {@linkplain BackoffPolicy#deadline() deadline} would be reached before the next attempt
     * could start, so the run stopped without sleeping past it.
     */
    DEADLINE_EXCEEDED,
    /**
     * The thread was interrupted (while sleeping, with the interrupt flag set before a sleep, or by an
     * attempt throwing {@link InterruptedException}); the thread's interrupt flag is set again on return.
     */
    INTERRUPTED
}
