package ai.kubernaut.gateway.dedup;

import ai.kubernaut.gateway.signal.Signal;

/**
 * Records a signal in the cluster: counts it on the active RemediationRequest for its fingerprint, or
 * creates one (under the fingerprint's lock) when there is none. Safe to call concurrently, from any
 * number of replicas.
 */
public interface SignalRecorder {

    /**
     * @return what was done; the occurrence is durably stored when this returns
     * @throws RecordingFailure when the signal could not be recorded (nothing was counted)
     */
    Recorded record(Signal signal);
}
