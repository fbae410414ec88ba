package ai.kubernaut.gateway.kube;

import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The one Kubernetes deadline of a signal request ({@code gateway.dedup.kubernetes-deadline}, counted from the
 * request's arrival on a monotonic clock), shared by everything the request asks the API server: the token review,
 * the owner lookups and the recorder's reads and writes. Each call waits at most what is left, and no call starts
 * once it has passed ({@link #forCall}), so the request's work ends with its answer.
 */
public final class RequestDeadline {

    private final LongSupplier nanoClock;
    private final long endNanos;
    private final Duration budget;

    private RequestDeadline(LongSupplier nanoClock, long startNanos, Duration budget) {
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.budget = Objects.requireNonNull(budget, "budget");
        this.endNanos = startNanos + budget.toNanos();
    }

    /** @param startNanos {@link System#nanoTime()} when the request arrived */
    public static RequestDeadline startingAt(long startNanos, Duration budget) {
        return new RequestDeadline(System::nanoTime, startNanos, budget);
    }

    public static RequestDeadline after(Duration budget) {
        return after(budget, System::nanoTime);
    }

    public static RequestDeadline after(Duration budget, LongSupplier nanoClock) {
        return new RequestDeadline(nanoClock, nanoClock.getAsLong(), budget);
    }

    /** The whole budget (from the start, not what is left). */
    public Duration budget() {
        return budget;
    }

    /** When it passes, on the clock it was made with ({@link System#nanoTime()} unless a test gave another). */
    public long endNanos() {
        return endNanos;
    }

    public Duration remaining() {
        long left = endNanos - nanoClock.getAsLong();
        return left <= 0 ? Duration.ZERO : Duration.ofNanos(left);
    }

    public boolean expired() {
        return endNanos - nanoClock.getAsLong() <= 0;
    }

    /** {@code d}, or what is left when that is less. */
    public Duration cap(Duration d) {
        Duration left = remaining();
        return d.compareTo(left) <= 0 ? d : left;
    }

    /**
     * How long one call may wait: {@code max}, or what is left when that is less.
     *
     * @throws KubernetesDeadlineException when nothing is left: the call must not start
     */
    public Duration forCall(String doing, Duration max) {
        Duration left = cap(max);
        if (left.isZero()) {
            throw passed(doing, null);
        }
        return left;
    }

    /** The failure to report when it passed while {@code doing}. */
    public KubernetesDeadlineException passed(String doing, Throwable cause) {
        return new KubernetesDeadlineException(describe(doing), cause);
    }

    /** "Kubernetes deadline of 15000 ms passed while {@code doing}". */
    public String describe(String doing) {
        return "Kubernetes deadline of " + budget.toMillis() + " ms passed while " + doing;
    }
}
