package ai.kubernaut.backoff;

/**
 * One attempt of the work a {@link Retrier} repeats. It throws no checked exception, so an exception the
 * retrier does not retry reaches the caller of {@link Retrier#run(RetryableCall)} unchanged.
 *
 * @param <T> the type of the value produced on success
 */
@FunctionalInterface
public interface RetryableCall<T> {

    /**
     * Performs one attempt.
     *
     * @param attempt the 1-based number of this attempt
     * @return {@link Outcome#success(Object)} or {@link Outcome#retry(String)}, never {@code null}
     */
    Outcome<T> call(int attempt);
}
