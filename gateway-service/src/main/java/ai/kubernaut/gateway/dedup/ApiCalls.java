package ai.kubernaut.gateway.dedup;

import ai.kubernaut.backoff.BackoffPolicy;
import ai.kubernaut.backoff.Outcome;
import ai.kubernaut.backoff.Retrier;
import ai.kubernaut.backoff.RetryResult;
import ai.kubernaut.gateway.kube.ApiFaults;
import java.time.Duration;
import java.util.function.Function;

/**
 * One API call with bounded retries of transient faults ({@link ApiFaults}) inside the signal's deadline: one retry
 * run per call, limited to what is left of the deadline, and each attempt waits at most that too. What is not
 * retried propagates unchanged; the recorder classifies it once, at its boundary.
 */
final class ApiCalls {

    private final Retrier retrier;
    private final Duration retryAfter;

    /**
     * @param maxAttempts attempts per call for transient faults
     * @param retryAfter  Retry-After when they outlast the attempts or the run is interrupted
     */
    ApiCalls(int maxAttempts, Duration retryAfter) {
        this.retrier = Retrier.builder(BackoffPolicy.builder().baseDelay(Duration.ofMillis(100))
                .maxDelay(Duration.ofSeconds(1)).jitter(0.1).maxAttempts(maxAttempts).build())
                .retryOn(ApiFaults::isTransient).build();
        this.retryAfter = retryAfter;
    }

    /** @param op the call, given how long it may wait */
    <T> T call(String what, Deadline deadline, Function<Duration, T> op) {
        RetryResult<T> r = retrier.run(deadline.forCall(what),
                attempt -> Outcome.success(op.apply(deadline.forCall(what))));
        return switch (r.status()) {
            case SUCCEEDED -> r.value();
            case TIME_LIMIT_REACHED -> throw deadline.passed(what + " (" + r.lastRetryReason() + ")", r.lastException());
            case ATTEMPTS_EXHAUSTED -> throw new RecordingFailure(RecordingFailure.Reason.API_UNAVAILABLE,
                    "Kubernetes API kept failing while " + what + " (" + r.attempts() + " attempts): "
                            + r.lastRetryReason(), retryAfter, r.lastException());
            case INTERRUPTED -> throw new RecordingFailure(RecordingFailure.Reason.API_UNAVAILABLE,
                    "interrupted while " + what, retryAfter, r.lastException());
        };
    }
}
