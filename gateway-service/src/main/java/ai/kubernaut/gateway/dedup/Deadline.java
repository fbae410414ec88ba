package ai.kubernaut.gateway.dedup;

import ai.kubernaut.gateway.kube.RequestDeadline;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * The recorder's view of a signal's Kubernetes deadline ({@link RequestDeadline}: the request's, counted from its
 * arrival); every API call waits at most what is left, and a passed deadline is a {@link RecordingFailure}
 * KUBERNETES_DEADLINE with the recorder's Retry-After.
 */
final class Deadline {

    private final RequestDeadline request;
    private final Duration retryAfter;

    private Deadline(RequestDeadline request, Duration retryAfter) {
        this.request = request;
        this.retryAfter = retryAfter;
    }

    /** @param retryAfter the Retry-After of the 504 answered when it passes */
    static Deadline of(RequestDeadline request, Duration retryAfter) {
        return new Deadline(request, retryAfter);
    }

    /** A budget of its own, starting now (work after the answer, tests). */
    static Deadline after(Duration budget, LongSupplier nanoClock, Duration retryAfter) {
        return of(RequestDeadline.after(budget, nanoClock), retryAfter);
    }

    Duration remaining() {
        return request.remaining();
    }

    /** {@code d}, or what is left when that is less. */
    Duration cap(Duration d) {
        return request.cap(d);
    }

    boolean expired() {
        return request.expired();
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
        return new RecordingFailure(RecordingFailure.Reason.KUBERNETES_DEADLINE, request.describe(doing), retryAfter,
                cause);
    }
}
