package ai.kubernaut.e2e.load;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One Prometheus alert about one Kubernetes resource, as Alertmanager would deliver it.
 *
 * @param alertName {@code labels.alertname}, the signal name
 * @param resourceLabel the label naming the affected resource: {@code deployment}, {@code pod},
 *                      {@code statefulset}, {@code daemonset}, {@code node}...
 */
public record Alert(String alertName, String severity, String namespace, String resourceLabel, String resourceName,
                    Map<String, String> extraLabels) {

    public Alert {
        extraLabels = Map.copyOf(extraLabels);
    }

    public static Alert aboutDeployment(String alertName, String namespace, String deployment) {
        return new Alert(alertName, "critical", namespace, "deployment", deployment, Map.of());
    }

    public static Alert aboutPod(String alertName, String namespace, String pod) {
        return new Alert(alertName, "warning", namespace, "pod", pod, Map.of());
    }

    /**
     * The same alert from another cluster's Alertmanager ({@code cluster} label, sent as
     * {@code commonLabels.cluster}): a different fingerprint, but the same target resource for the orchestrator.
     */
    public Alert fromCluster(String cluster) {
        Map<String, String> labels = new LinkedHashMap<>(extraLabels);
        labels.put("cluster", cluster);
        return new Alert(alertName, severity, namespace, resourceLabel, resourceName, labels);
    }

    public Alert withSeverity(String otherSeverity) {
        return new Alert(alertName, otherSeverity, namespace, resourceLabel, resourceName, extraLabels);
    }

    /** The alert's labels as Alertmanager sends them. */
    public Map<String, String> labels() {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("alertname", alertName);
        labels.put("severity", severity);
        if (namespace != null) {
            labels.put("namespace", namespace);
        }
        labels.put(resourceLabel, resourceName);
        labels.putAll(extraLabels);
        return labels;
    }

    /** {@code namespace/resourceLabel/name}: what the alert is about, for grouping results. */
    public String subject() {
        return (namespace == null ? "" : namespace) + "/" + resourceLabel + "/" + resourceName;
    }
}
