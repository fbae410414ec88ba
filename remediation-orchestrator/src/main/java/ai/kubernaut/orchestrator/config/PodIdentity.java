package ai.kubernaut.orchestrator.config;

/**
 * Who this replica is and where it works, from the Downward API. Both are required: without a pod name the
 * Lease holder would be anonymous, without a namespace the controller would not know where its objects live.
 */
public record PodIdentity(String podName, String namespace) {

    public static PodIdentity from(OrchestratorConfig config) {
        String pod = config.podName().filter(s -> !s.isBlank()).orElseThrow(() -> new IllegalStateException(
                "POD_NAME is not set: the remediation-orchestrator needs its pod name as the lock holder identity."
                        + " Set POD_NAME from the Downward API (fieldRef metadata.name) or orchestrator.pod-name."));
        String namespace = config.namespace().filter(s -> !s.isBlank()).orElseThrow(() -> new IllegalStateException(
                "POD_NAMESPACE is not set: the remediation-orchestrator needs its controller namespace."
                        + " Set POD_NAMESPACE from the Downward API (fieldRef metadata.namespace)"
                        + " or orchestrator.namespace."));
        return new PodIdentity(pod, namespace);
    }
}
