/**
 * Jittered exponential backoff and a retry runner, with no runtime dependencies.
 *
 * <p>{@link ai.kubernaut.backoff.BackoffPolicy} computes delays as a pure function of the attempt number and an
 * injected random source ({@link ai.kubernaut.backoff.BackoffPolicy#adr052()} is the ADR-052 preset);
 * {@link ai.kubernaut.backoff.Retrier} runs an attempt in a loop under a policy and an optional per-run time limit,
 * with an injectable {@link ai.kubernaut.backoff.Sleeper}, clock and randomness.
 */
package ai.kubernaut.backoff;
