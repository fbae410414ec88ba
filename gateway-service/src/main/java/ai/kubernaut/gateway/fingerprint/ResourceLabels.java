package ai.kubernaut.gateway.fingerprint;

import ai.kubernaut.gateway.signal.InvalidSignalException;
import ai.kubernaut.gateway.signal.Signal;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Finds the Kubernetes resource a Prometheus alert is about from its labels, in a fixed, documented order:
 * the first rule whose label is present (non-empty) wins. For every label, the {@code exported_} variant is
 * preferred: when Prometheus scrapes with {@code honor_labels: false}, a metric's own {@code pod} label is
 * renamed {@code exported_pod} and {@code pod} names the scrape target (the same reason the namespace comes
 * from {@code exported_namespace} before {@code namespace}).
 *
 * <p>Deliberately absent: {@code job} (the Prometheus scrape job, present on every series; kube-state-metrics
 * names Jobs {@code job_name}), {@code service} (added by ServiceMonitors for the scraped Service),
 * {@code container} and {@code instance} (not resources). A {@code namespace} label alone is not a resource.
 */
public final class ResourceLabels {

    /** One label the resolver understands, in priority order. */
    public record Rule(String label, String kind, String apiVersion, boolean namespaced) {
    }

    /** Workload controllers first (most stable identity), then pods, storage, and cluster-scoped resources. */
    public static final List<Rule> ORDER = List.of(
            new Rule("deployment", "Deployment", "apps/v1", true),
            new Rule("statefulset", "StatefulSet", "apps/v1", true),
            new Rule("daemonset", "DaemonSet", "apps/v1", true),
            new Rule("replicaset", "ReplicaSet", "apps/v1", true),
            new Rule("cronjob", "CronJob", "batch/v1", true),
            new Rule("job_name", "Job", "batch/v1", true),
            new Rule("pod", "Pod", "v1", true),
            new Rule("persistentvolumeclaim", "PersistentVolumeClaim", "v1", true),
            new Rule("node", "Node", "v1", false),
            new Rule("persistentvolume", "PersistentVolume", "v1", false));

    private static final String SUPPORTED = ORDER.stream().map(Rule::label).collect(Collectors.joining(", "));

    private ResourceLabels() {
    }

    /** The namespace of an alert: {@code exported_namespace}, else {@code namespace}; empty when neither. */
    public static String namespace(Map<String, String> labels) {
        return first(labels, "namespace");
    }

    /**
     * @param labels      the alert's labels
     * @param fieldPrefix path of the labels object in the payload, for error messages
     * @return the resource as named by the labels (before owner resolution)
     * @throws InvalidSignalException when no rule matches, the namespace is missing or a name is invalid
     */
    public static Signal.Resource resolve(Map<String, String> labels, String fieldPrefix) {
        for (Rule rule : ORDER) {
            String name = first(labels, rule.label());
            if (name.isEmpty()) {
                continue;
            }
            String field = fieldPrefix + "." + (labels.containsKey("exported_" + rule.label())
                    && !labels.get("exported_" + rule.label()).isEmpty() ? "exported_" : "") + rule.label();
            KubernetesNames.requireName(rule.kind(), name, field);
            if (!rule.namespaced()) {
                return new Signal.Resource(rule.kind(), name, "", rule.apiVersion());
            }
            String namespace = namespace(labels);
            if (namespace.isEmpty()) {
                throw new InvalidSignalException(fieldPrefix + ".namespace",
                        "required for a " + rule.kind() + " resource (label " + rule.label() + ")");
            }
            KubernetesNames.requireNamespace(namespace, fieldPrefix + "."
                    + (first(labels, "exported_namespace").isEmpty() ? "namespace" : "exported_namespace"));
            return new Signal.Resource(rule.kind(), name, namespace, rule.apiVersion());
        }
        throw new InvalidSignalException(fieldPrefix,
                "no resource label; one of [" + SUPPORTED + "] is required (a namespace alone is not a resource)");
    }

    private static String first(Map<String, String> labels, String label) {
        String exported = labels.get("exported_" + label);
        if (exported != null && !exported.isEmpty()) {
            return exported;
        }
        String plain = labels.get(label);
        return plain == null ? "" : plain;
    }
}
