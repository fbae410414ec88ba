package ai.kubernaut.backoff;

/**
 * One attempt of the work a {@link Retrier} repeats.
 *
 * @param <T> the type of the value produced on success
 */
@FunctionalInterface
public interface RetryableCall<T> {

    /**
     * Performs one attempt and says what should happen next.
     *
     * @param attempt the 1-based number of this attempt
     * @return {@link Outcome#success(Object)}, {@link Outcome#retry(String)} or {@link Outcome#fail(Throwable)};
     *         never {@code null} (a {@code null} ends the run as {@link RetryStatus#FAILED})
     * @throws Exception any exception ends the run as {@link RetryStatus#FAILED} unless the retrier's
     *                   {@link Retrier.Builder#retryOn(java.util.function.Predicate) retryOn} predicate
     *                   accepts it; an {@link InterruptedException} ends it as {@link RetryStatus#INTERRUPTED}
     */
    Outcome<T> call(int attempt) throws Exception;
}
