package ai.kubernaut.gateway.dedup;

import java.time.Duration;
import java.util.function.LongSupplier;

/** The overall Kubernetes deadline of one signal (monotonic clock). */
final class Deadline {

    private final LongSupplier nanoClock;
    private final long endNanos;
    private final Duration budget;

    private Deadline(LongSupplier nanoClock, Duration budget) {
        this.nanoClock = nanoClock;
        this.budget = budget;
        this.endNanos = nanoClock.getAsLong() + budget.toNanos();
    }

    static Deadline after(Duration budget, LongSupplier nanoClock) {
        return new Deadline(nanoClock, budget);
    }

    Duration remaining() {
        long left = endNanos - nanoClock.getAsLong();
        return left <= 0 ? Duration.ZERO : Duration.ofNanos(left);
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

    RecordingFailure passed(String doing) {
        return new RecordingFailure(RecordingFailure.Reason.KUBERNETES_DEADLINE,
                "Kubernetes deadline of " + budget.toMillis() + " ms passed while " + doing, null, null);
    }
}
