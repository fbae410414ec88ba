package ai.kubernaut.e2e.system;

import ai.kubernaut.e2e.load.Alert;

import java.util.Map;

/**
 * Names the services derive, recomputed from docs/contracts.md so the suite can tell which Lease belongs to
 * which signal or target: fingerprint = SHA-256 hex of {@code [clusterId:]namespace:Kind:name};
 * {@code gw-lock-<16 hex of sha256(fingerprint)>}; {@code ro-lock-<16 hex of sha256(target)>}.
 */
public final class LockNames {

    private static final Map<String, String> KIND_OF_LABEL = Map.of(
            "deployment", "Deployment", "statefulset", "StatefulSet", "daemonset", "DaemonSet",
            "replicaset", "ReplicaSet", "cronjob", "CronJob", "job_name", "Job", "pod", "Pod", "node", "Node");

    private LockNames() {
    }

    /** The fingerprint of an alert about a top-level resource (no owner resolution applied). */
    public static String fingerprint(Alert alert) {
        String kind = KIND_OF_LABEL.get(alert.resourceLabel());
        if (kind == null) {
            throw new IllegalArgumentException("no kind known for label " + alert.resourceLabel());
        }
        String namespace = kind.equals("Node") || alert.namespace() == null ? "" : alert.namespace();
        String cluster = alert.extraLabels().get("cluster");
        return RemediationRequests.sha256Hex((cluster == null ? "" : cluster + ":") + namespace + ":" + kind + ":"
                + alert.resourceName());
    }

    public static String gatewayLease(String fingerprint) {
        return "gw-lock-" + RemediationRequests.sha256Hex(fingerprint).substring(0, 16);
    }

    /** @param target {@code namespace/Kind/name} or {@code Kind/name} */
    public static String orchestratorLease(String target) {
        return "ro-lock-" + RemediationRequests.sha256Hex(target).substring(0, 16);
    }
}
