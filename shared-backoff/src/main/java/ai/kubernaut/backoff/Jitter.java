package ai.kubernaut.backoff;

/**
 * How randomness is applied to the exponential delay of a {@link BackoffPolicy}.
 *
 * <p>Let {@code exp(n) = min(maxDelay, baseDelay * multiplier^(n-1))} be the nominal delay after failed
 * attempt {@code n}, {@code p} the policy's {@linkplain BackoffPolicy#jitterFactor() jitter factor} and
 * {@code u} a uniform random number in {@code [0, 1)}. Every strategy's result is finally clamped into
 * {@code [0, maxDelay]} (or {@code [baseDelay, maxDelay]} when {@link BackoffPolicy#floorAtBase()} is set):
 * a delay never exceeds {@code maxDelay}.
 */
public enum Jitter {
    /** No randomness: the delay is exactly {@code exp(n)}. The jitter factor is ignored. */
    NONE,
    /**
     * ADR-052 style: {@code exp(n) * (1 + p * (2u - 1))}, i.e. uniform in {@code [exp(n)(1-p), exp(n)(1+p))},
     * then clamped (see {@link BackoffPolicy} for the clamping choice). With {@code p = 0.1} the first delay of
     * {@link BackoffPolicy#adr052()} is in 90&ndash;110 ms.
     */
    SYMMETRIC,
    /**
     * "Full jitter" (AWS Architecture Blog, "Exponential Backoff And Jitter"): {@code exp(n) * (1 - p * u)},
     * i.e. uniform in {@code ((1-p) exp(n), exp(n)]}. With {@code p = 1} this is the classic uniform
     * {@code [0, exp(n)]}; with {@code p = 0.5} it is AWS "equal jitter".
     */
    FULL,
    /**
     * "Decorrelated jitter" (AWS): {@code min(maxDelay, uniform(baseDelay, 3 * max(baseDelay, previousDelay)))}.
     * Each delay depends on the previous one actually slept, so use
     * {@link BackoffPolicy#delay(int, java.time.Duration, java.util.random.RandomGenerator)} or the
     * {@link Retrier}, which tracks it. The multiplier and the jitter factor do not affect this strategy.
     */
    DECORRELATED;

    /**
     * The jitter factor that {@link BackoffPolicy.Builder#jitter(Jitter)} uses with this strategy:
     * 0 for {@link #NONE}, 0.1 (the ADR's &plusmn;10 %) for {@link #SYMMETRIC}, 1 for {@link #FULL} and
     * {@link #DECORRELATED}.
     *
     * @return the conventional jitter factor for this strategy, within {@code [0, 1]}
     */
    public double defaultFactor() {
        switch (this) {
            case NONE:
                return 0.0;
            case SYMMETRIC:
                return 0.1;
            default:
                return 1.0;
        }
    }
}
