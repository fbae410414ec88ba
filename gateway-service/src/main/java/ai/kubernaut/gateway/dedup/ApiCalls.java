package ai.kubernaut.gateway.dedup;

import ai.kubernaut.backoff.BackoffPolicy;
import ai.kubernaut.backoff.Outcome;
import ai.kubernaut.backoff.Retrier;
import ai.kubernaut.backoff.RetryResult;
import ai.kubernaut.backoff.RetryableCall;
import ai.kubernaut.gateway.kube.ApiFaults;
import java.time.Duration;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One API call with bounded retries of transient faults ({@link ApiFaults}) inside the signal's deadline: each
 * attempt waits at most what is left of it. What is not retried propagates unchanged; the recorder classifies it
 * once, at its boundary.
 */
final class ApiCalls {

    private final BackoffPolicy policy;

    /** @param maxAttempts attempts per call for transient faults */
    ApiCalls(int maxAttempts) {
        this.policy = BackoffPolicy.builder().baseDelay(Duration.ofMillis(100)).maxDelay(Duration.ofSeconds(1))
                .maxAttempts(maxAttempts).build();
    }

    /** @param op the call, given how long it may wait */
    <T> T call(String what, Deadline deadline, Function<Duration, T> op) {
        RetryResult<T> r = within(policy, ApiFaults::isTransient, deadline.forCall(what),
                attempt -> Outcome.success(op.apply(deadline.forCall(what))));
        return switch (r.status()) {
            case SUCCEEDED -> r.value().orElse(null);
            case DEADLINE_EXCEEDED -> throw deadline.passed(what);
            default -> throw rethrown(r, what);
        };
    }

    /**
     * The one retry run of a call, limited to {@code timeLimit}. The only place that builds a {@link Retrier}: the
     * limit is a property of the run, not of the policy.
     */
    static <T> RetryResult<T> within(BackoffPolicy policy, Predicate<? super Exception> retryOn, Duration timeLimit,
            RetryableCall<T> call) {
        return Retrier.builder(policy.toBuilder().deadline(timeLimit).build()).retryOn(retryOn).build().run(call);
    }

    /** The failure of a run as it came (a transient fault that outlasted the attempts stays what it was). */
    static RuntimeException rethrown(RetryResult<?> r, String what) {
        Throwable t = r.failure().orElse(null);
        if (t instanceof RuntimeException e) {
            return e;
        }
        if (t instanceof InterruptedException) {
            return new RecordingFailure(RecordingFailure.Reason.API_UNAVAILABLE, "interrupted while " + what, null, t);
        }
        return new IllegalStateException("failed while " + what + " (" + r.status() + ", "
                + r.lastRetryReason().orElse("") + ")", t);
    }
}
