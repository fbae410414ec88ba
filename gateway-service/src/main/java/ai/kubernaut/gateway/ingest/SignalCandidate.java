package ai.kubernaut.gateway.ingest;

import ai.kubernaut.gateway.signal.Signal;
import java.time.Instant;
import java.util.Map;

/**
 * A valid signal before scoping and owner resolution: the resource is as the sender named it.
 *
 * @param originalPayload JSON text of this alert or event (valid JSON, at most {@code gateway.limits.max-payload-size}, see
 *                        {@link OriginalPayload})
 */
record SignalCandidate(String signalType, String signalName, String severity, String signalSource,
        Signal.Resource resource, String clusterId, Instant firingTime, Map<String, String> labels,
        Map<String, String> annotations, String originalPayload) {

    static final String PROMETHEUS_ALERT = "prometheus-alert";
    static final String KUBERNETES_EVENT = "kubernetes-event";
    /** maxLength of spec.originalPayload in the RR CRD. */
    static final int MAX_PAYLOAD_CHARS = 102_400;
}
