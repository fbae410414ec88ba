package ai.kubernaut.e2e.cluster;

import ai.kubernaut.testserver.ApiServerControl;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.util.Map;
import java.util.Optional;

/**
 * The Kubernetes API the suite, the demo and the benchmark run against: the embedded cluster (the default)
 * or a real one from a kubeconfig. The services run as local processes in both cases; a cluster tells
 * them where the API server is and which identity to use.
 */
public interface Cluster extends AutoCloseable {

    /** One line for logs and reports, e.g. {@code embedded (http://127.0.0.1:41234)}. */
    String description();

    /** A client with full rights, for setting up fixtures and checking results. */
    KubernetesClient admin();

    /**
     * Creates a fresh namespace for a scenario (name {@code prefix-<random>}), ready for both services: their
     * identities exist and are allowed what their rbac.yaml grants. The CRDs are installed cluster-wide
     * when the cluster starts. Deleted again by {@link #close()} on a real cluster.
     */
    String createNamespace(String prefix);

    /** Every namespace {@link #createNamespace} made so far, in order. */
    java.util.List<String> namespaces();

    /**
     * Environment variables that point replica {@code pod} of {@code service} (e.g. {@code gateway-service})
     * living in {@code namespace} at this cluster, authenticated as that service's ServiceAccount.
     */
    Map<String, String> serviceEnvironment(String service, String namespace, String pod);

    /**
     * A bearer token for a signal sender (Alertmanager) allowed to send signals to Gateways in {@code namespace}
     * by deploy/base/gateway-service/signal-senders.yaml (for gateway.auth.mode=tokenreview).
     */
    String signalSenderToken(String namespace);

    /** A valid token of an identity that may not send signals (the orchestrator's ServiceAccount). */
    String tokenOf(String service, String namespace);

    /**
     * Whether controllers act on the cluster's workloads (a Deployment gets a ReplicaSet and pods, a deleted pod is
     * replaced). False on the embedded cluster and on a bare control plane (kube-apiserver + etcd, as `.ci/run`'s
     * second phase starts): there a test makes the owner chains by hand ({@link ai.kubernaut.e2e.system.Workloads}).
     */
    boolean runsControllers();

    /** The API server's request log, RBAC coverage and fault injection: present on the embedded cluster only. */
    Optional<ApiServerControl> control();

    @Override
    void close();

    /** {@code -De2e.cluster=embedded} (default) or {@code kubeconfig} ({@code -De2e.kubeconfig=path} or KUBECONFIG). */
    static Cluster fromSystemProperties() {
        String mode = System.getProperty("e2e.cluster", "embedded");
        return switch (mode) {
            case "embedded", "" -> EmbeddedCluster.start();
            case "kubeconfig" -> KubeconfigCluster.connect(KubeconfigCluster.kubeconfigPath());
            default -> throw new IllegalArgumentException("e2e.cluster must be embedded or kubeconfig, not " + mode);
        };
    }
}
