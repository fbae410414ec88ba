/**
 * Jittered exponential backoff and a retry runner, with no runtime dependencies.
 *
 * <p>{@link ai.kubernaut.backoff.BackoffPolicy} is an immutable, validated policy whose delays are pure
 * functions of the attempt number and an injected random source; {@link ai.kubernaut.backoff.Retrier} runs an
 * attempt iteratively under that policy with an injectable {@link ai.kubernaut.backoff.Sleeper}, clock and
 * randomness, and returns a {@link ai.kubernaut.backoff.RetryResult}. {@link ai.kubernaut.backoff.BackoffPolicy#adr052()}
 * is the ADR-052 Addendum 001 preset (100 ms, x2, max 1 s, &plusmn;10 %, 10 attempts).
 */
package ai.kubernaut.backoff;
