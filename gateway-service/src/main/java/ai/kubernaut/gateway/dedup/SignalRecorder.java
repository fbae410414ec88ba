package ai.kubernaut.gateway.dedup;

import ai.kubernaut.gateway.kube.RequestDeadline;
import ai.kubernaut.gateway.signal.Signal;

/**
 * Records a signal in the cluster: counts it on the active RemediationRequest for its fingerprint, or
 * creates one (under the fingerprint's lock) when there is none. Safe to call concurrently, from any
 * number of replicas.
 */
public interface SignalRecorder {

    /**
     * Occurrence semantics under faults: an occurrence for which this returns (201/202) is stored and never lost.
     * One for which it throws may or may not have been counted: a write can succeed after its answer was lost, or
     * the deadline can pass while it is in flight. A client that retries after a 5xx may therefore be counted twice;
     * it is never silently dropped once answered 201/202.
     *
     * @param deadline the request's Kubernetes deadline (from its arrival, shared with the token review and the owner
     *                 lookups): no call is started after it, and a passed deadline is a KUBERNETES_DEADLINE failure
     * @return what was done; the occurrence is durably stored when this returns
     * @throws RecordingFailure when the signal could not be recorded for sure (it may or may not have been counted)
     */
    Recorded record(Signal signal, RequestDeadline deadline);

    /**
     * {@link #record(Signal, RequestDeadline)} with a whole {@code gateway.dedup.kubernetes-deadline} from now (for
     * callers that are not a signal request: tools, tests).
     */
    Recorded record(Signal signal);

    /** False while the recorder cannot decide yet (its view of RRs has not synced): the replica is not ready. */
    default boolean ready() {
        return true;
    }

    /** What a replica that is not ready (or whose view lags) waits for, for its readiness data. */
    default java.util.Optional<String> waitingFor() {
        return java.util.Optional.empty();
    }
}
