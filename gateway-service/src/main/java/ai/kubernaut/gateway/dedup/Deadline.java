package ai.kubernaut.gateway.dedup;

import java.time.Duration;
import java.util.function.LongSupplier;

/** The overall Kubernetes deadline of one signal (monotonic clock); every API call waits at most what is left. */
final class Deadline {

    private final LongSupplier nanoClock;
    private final long endNanos;
    private final Duration budget;
    private final Duration retryAfter;

    private Deadline(LongSupplier nanoClock, Duration budget, Duration retryAfter) {
        this.nanoClock = nanoClock;
        this.budget = budget;
        this.retryAfter = retryAfter;
        this.endNanos = nanoClock.getAsLong() + budget.toNanos();
    }

    /** @param retryAfter the Retry-After of the 504 answered when it passes */
    static Deadline after(Duration budget, LongSupplier nanoClock, Duration retryAfter) {
        return new Deadline(nanoClock, budget, retryAfter);
    }

    Duration remaining() {
        long left = endNanos - nanoClock.getAsLong();
        return left <= 0 ? Duration.ZERO : Duration.ofNanos(left);
    }

    /** {@code d}, or what is left when that is less. */
    Duration cap(Duration d) {
        Duration left = remaining();
        return d.compareTo(left) <= 0 ? d : left;
    }

    boolean expired() {
        return endNanos - nanoClock.getAsLong() <= 0;
    }

    /** @throws RecordingFailure KUBERNETES_DEADLINE when the budget is spent */
    void check(String doing) {
        if (expired()) {
            throw passed(doing);
        }
    }

    /** What is left, for one call to wait at most; @throws RecordingFailure when nothing is */
    Duration forCall(String doing) {
        Duration left = remaining();
        if (left.isZero()) {
            throw passed(doing);
        }
        return left;
    }

    RecordingFailure passed(String doing) {
        return passed(doing, null);
    }

    RecordingFailure passed(String doing, Throwable cause) {
        return new RecordingFailure(RecordingFailure.Reason.KUBERNETES_DEADLINE,
                "Kubernetes deadline of " + budget.toMillis() + " ms passed while " + doing, retryAfter, cause);
    }
}
