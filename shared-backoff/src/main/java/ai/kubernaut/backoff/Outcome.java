package ai.kubernaut.backoff;

import java.util.Objects;

/**
 * What one attempt of a {@link Retrier} run decided: done with a value, try again (contention, a transient
 * condition), or stop now (a real error that retrying will not fix).
 *
 * <pre>{@code
 * return created ? Outcome.success(lease)
 *      : conflict ? Outcome.retry("lease held by " + holder)
 *      : Outcome.fail(apiError);
 * }</pre>
 *
 * @param <T> the type of the value produced on success
 */
public sealed interface Outcome<T> permits Outcome.Success, Outcome.Retry, Outcome.Fail {

    /**
     * The attempt succeeded; the run ends with {@link RetryStatus#SUCCEEDED}.
     *
     * @param value the result, may be {@code null} (e.g. for {@code Outcome<Void>})
     * @param <T>   the value type
     * @return a success outcome carrying {@code value}
     */
    static <T> Outcome<T> success(T value) {
        return new Success<>(value);
    }

    /**
     * The attempt should be repeated after the policy's delay (unless attempts or the deadline are used up).
     *
     * @param reason why, for logs and {@link RetryResult#lastRetryReason()}; must not be {@code null}
     * @param <T>    the value type
     * @return a retry outcome
     * @throws NullPointerException if {@code reason} is {@code null}
     */
    static <T> Outcome<T> retry(String reason) {
        return new Retry<>(reason);
    }

    /**
     * The attempt failed in a way retrying will not fix; the run ends now with {@link RetryStatus#FAILED}.
     *
     * @param failure the cause, reported by {@link RetryResult#failure()}; must not be {@code null}
     * @param <T>     the value type
     * @return a fail outcome
     * @throws NullPointerException if {@code failure} is {@code null}
     */
    static <T> Outcome<T> fail(Throwable failure) {
        return new Fail<>(failure);
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
     * @param reason why the attempt should be repeated; never {@code null}
     * @param <T>    the value type
     */
    record Retry<T>(String reason) implements Outcome<T> {
        /**
         * Validates the reason.
         *
         * @param reason why the attempt should be repeated; never {@code null}
         */
        public Retry {
            Objects.requireNonNull(reason, "reason must not be null");
        }
    }

    /**
     * An attempt that failed for good.
     *
     * @param failure the cause; never {@code null}
     * @param <T>     the value type
     */
    record Fail<T>(Throwable failure) implements Outcome<T> {
        /**
         * Validates the failure.
         *
         * @param failure the cause; never {@code null}
         */
        public Fail {
            Objects.requireNonNull(failure, "failure must not be null");
        }
    }
}
