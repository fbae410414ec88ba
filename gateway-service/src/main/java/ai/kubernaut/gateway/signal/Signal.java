package ai.kubernaut.gateway.signal;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A signal after parsing, scoping and resource resolution: everything needed to deduplicate it and to
 * create its RemediationRequest. Produced by the ingest adapters, consumed by {@code dedup}.
 *
 * @param fingerprint     lowercase hex SHA-256 of {@code [clusterId:]namespace:kind:name} of {@link #resource()}
 * @param signalName      alert name (Prometheus) or event reason (Kubernetes event)
 * @param severity        severity label, may be empty
 * @param signalType      {@code prometheus-alert} or {@code kubernetes-event}
 * @param signalSource    who sent it (receiver, event source), may be empty
 * @param resource        the affected resource after owner resolution
 * @param clusterId       cluster id, empty when unknown
 * @param firingTime      when the condition started, per the sender; null when unknown
 * @param receivedTime    when the Gateway received it
 * @param labels          the signal's labels
 * @param annotations     the signal's annotations
 * @param originalPayload the signal as received (JSON text of this alert or event)
 */
public record Signal(
        String fingerprint,
        String signalName,
        String severity,
        String signalType,
        String signalSource,
        Resource resource,
        String clusterId,
        Instant firingTime,
        Instant receivedTime,
        Map<String, String> labels,
        Map<String, String> annotations,
        String originalPayload) {

    public Signal {
        Objects.requireNonNull(fingerprint, "fingerprint");
        Objects.requireNonNull(signalName, "signalName");
        Objects.requireNonNull(resource, "resource");
        Objects.requireNonNull(receivedTime, "receivedTime");
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }

    /**
     * The affected Kubernetes resource.
     *
     * @param namespace empty for cluster-scoped resources
     * @param apiVersion may be empty when the sender did not say
     */
    public record Resource(String kind, String name, String namespace, String apiVersion) {
        public Resource {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(name, "name");
            namespace = namespace == null ? "" : namespace;
            apiVersion = apiVersion == null ? "" : apiVersion;
        }
    }
}
