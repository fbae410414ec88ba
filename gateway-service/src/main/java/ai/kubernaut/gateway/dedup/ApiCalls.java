package ai.kubernaut.gateway.dedup;

import ai.kubernaut.backoff.BackoffPolicy;
import ai.kubernaut.backoff.Outcome;
import ai.kubernaut.backoff.Retrier;
import ai.kubernaut.backoff.RetryResult;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Runs one API call with bounded retries of transient faults (no answer, 429, 5xx) inside the signal's deadline,
 * and turns what is left into a {@link RecordingFailure}: API_ERROR (with Retry-After when transient) or
 * KUBERNETES_DEADLINE.
 */
final class ApiCalls {

    private final Retrier retrier;
    private final Duration retryAfter;

    /**
     * @param maxAttempts attempts per call for transient faults
     * @param retryAfter  Retry-After to answer when they persist
     */
    ApiCalls(int maxAttempts, Duration retryAfter) {
        this.retrier = Retrier.builder(BackoffPolicy.builder().jitter(0.1).maxAttempts(maxAttempts).build())
                .retryOn(e -> e instanceof KubernetesClientException k && transientFault(k))
                .build();
        this.retryAfter = retryAfter;
    }

    Duration retryAfter() {
        return retryAfter;
    }

    /** No answer (fabric8 reports -1 or 0: timeout, connection refused), 429, 5xx. */
    static boolean transientFault(KubernetesClientException e) {
        int code = e.getCode();
        return code <= 0 || code == 429 || code >= 500;
    }

    <T> T call(String what, Deadline deadline, Supplier<T> op) {
        deadline.check(what);
        RetryResult<T> r;
        try {
            r = retrier.run(deadline.remaining(), attempt -> {
                deadline.check(what);
                return Outcome.success(op.get());
            });
        } catch (RecordingFailure f) {
            throw f;
        } catch (RuntimeException e) {
            throw apiError(what, e);
        }
        switch (r.status()) {
            case SUCCEEDED:
                return r.value();
            case TIME_LIMIT_REACHED:
                throw deadline.passed(what);
            case ATTEMPTS_EXHAUSTED:
                throw new RecordingFailure(RecordingFailure.Reason.API_ERROR, "Kubernetes API kept failing while "
                        + what + " (" + r.attempts() + " attempts): " + r.lastRetryReason(), retryAfter,
                        r.lastException());
            default: // INTERRUPTED
                throw new RecordingFailure(RecordingFailure.Reason.API_ERROR, "interrupted while " + what, retryAfter,
                        r.lastException());
        }
    }

    RecordingFailure apiError(String what, Throwable t) {
        if (t instanceof KubernetesClientException k) {
            return new RecordingFailure(RecordingFailure.Reason.API_ERROR, "Kubernetes API answered HTTP "
                    + k.getCode() + " while " + what + ": " + k.getMessage(),
                    transientFault(k) ? retryAfter : null, k);
        }
        return new RecordingFailure(RecordingFailure.Reason.API_ERROR, "failed while " + what + ": " + t,
                null, t);
    }
}
