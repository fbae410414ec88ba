package ai.kubernaut.orchestrator.config;

import java.util.Optional;

/**
 * Who this replica is and where it works, from the Downward API. Both are required: without a pod name the
 * Lease holder would be anonymous, without a namespace the controller would not know where its objects live.
 */
public record PodIdentity(String podName, String namespace) {

    public static PodIdentity from(OrchestratorConfig config) {
        return from(config.podName(), config.namespace());
    }

    public static PodIdentity from(Optional<String> podName, Optional<String> podNamespace) {
        String pod = podName.filter(s -> !s.isBlank()).orElseThrow(() -> new IllegalStateException(
                "POD_NAME is not set: the remediation-orchestrator needs its pod name as the lock holder identity."
                        + " Set POD_NAME from the Downward API (fieldRef metadata.name) or orchestrator.pod-name."));
        String namespace = podNamespace.filter(s -> !s.isBlank()).orElseThrow(() -> new IllegalStateException(
                "POD_NAMESPACE is not set: the remediation-orchestrator needs its controller namespace."
                        + " Set POD_NAMESPACE from the Downward API (fieldRef metadata.namespace)"
                        + " or orchestrator.namespace."));
        return new PodIdentity(pod, namespace);
    }
}
