package ai.kubernaut.backoff;

import java.time.Duration;

/**
 * Observes each retry of a {@link Retrier} run, for metrics and logs. Called on the retrying thread just
 * before the sleep; an exception thrown by the listener propagates out of {@link Retrier#run(RetryableCall)}.
 */
@FunctionalInterface
public interface RetryListener {

    /**
     * A retry is about to happen.
     *
     * @param attempt the 1-based number of the attempt that asked to retry
     * @param reason  the reason given by {@link Outcome#retry(String)} (or the retryable exception's
     *                {@code toString()})
     * @param delay   how long the retrier will now sleep before attempt {@code attempt + 1}
     */
    void onRetry(int attempt, String reason, Duration delay);
}
