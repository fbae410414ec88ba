package ai.kubernaut.backoff;

import java.util.Objects;

/**
 * What one attempt of a {@link Retrier} run decided: done with a value, or try again after the policy's delay.
 * An error that retrying will not fix is an exception, which propagates out of the run unchanged.
 *
 * @param <T> the type of the value produced on success
 */
public sealed interface Outcome<T> permits Outcome.Success, Outcome.Retry {

    /**
     * The attempt succeeded.
     *
     * @param value the result, may be {@code null}
     * @param <T>   the value type
     * @return a success outcome carrying {@code value}
     */
    static <T> Outcome<T> success(T value) {
        return new Success<>(value);
    }

    /**
     * The attempt should be repeated (contention, a transient condition).
     *
     * @param reason why, for logs and {@link RetryResult#lastRetryReason()}
     * @param <T>    the value type
     * @return a retry outcome
     */
    static <T> Outcome<T> retry(String reason) {
        return new Retry<>(reason);
    }

    /**
     * A successful attempt.
     *
     * @param value the result, may be {@code null}
     * @param <T>   the value type
     */
    record Success<T>(T value) implements Outcome<T> {
    }

    /**
     * An attempt that asks to be repeated.
     *
     * @param reason why; never {@code null}
     * @param <T>    the value type
     */
    record Retry<T>(String reason) implements Outcome<T> {
        /**
         * Validates the reason.
         *
         * @param reason why; never {@code null}
         */
        public Retry {
            Objects.requireNonNull(reason, "reason must not be null");
        }
    }
}
