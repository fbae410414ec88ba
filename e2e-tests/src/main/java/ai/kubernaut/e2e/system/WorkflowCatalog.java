package ai.kubernaut.e2e.system;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;

/** The workflow catalog ConfigMap the RemediationOrchestrator selects workflows from. */
public final class WorkflowCatalog {

    public static final String CONFIG_MAP = "kubernaut-workflow-catalog";
    public static final String KEY = "catalog.yaml";

    /**
     * A catalog for the signals the suite sends, and a catch-all. No cooldowns: scenarios that run several
     * remediations on one target in a row must not be held back by RecentlyRemediated.
     */
    public static final String DEFAULT = """
            workflows:
              - signalName: KubePodCrashLooping
                severity: critical
                workflowId: restart-deployment
                workflowName: Restart the owning Deployment
                actionType: restart
                version: "1.0.0"
                executionBundle: bundles/restart-deployment:1.0.0
                parameters: {strategy: rolling}
              - signalName: KubePodCrashLooping
                workflowId: restart-pod
                workflowName: Delete the crash-looping Pod
                actionType: restart
                version: "1.0.0"
                executionBundle: bundles/restart-pod:1.0.0
              - signalName: KubeDeploymentReplicasMismatch
                workflowId: scale-deployment
                workflowName: Scale the Deployment back to its desired replicas
                actionType: scale
                version: "1.2.0"
                executionBundle: bundles/scale-deployment:1.2.0
                parameters: {maxSurge: "1"}
              - signalName: ContainerMemoryNearLimit
                workflowId: increase-memory-limit
                workflowName: Raise the container memory limit
                actionType: patch
                version: "2.0.1"
                executionBundle: bundles/increase-memory:2.0.1
                parameters: {increasePercent: "25"}
              - signalName: "*"
                workflowId: collect-diagnostics
                workflowName: Collect diagnostics and notify
                actionType: notify
                version: "1.0.0"
                executionBundle: bundles/collect-diagnostics:1.0.0
            """;

    private WorkflowCatalog() {
    }

    public static void apply(KubernetesClient admin, String namespace, String catalogYaml) {
        admin.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder()
                .withNewMetadata().withName(CONFIG_MAP).withNamespace(namespace)
                .addToLabels("app.kubernetes.io/part-of", "kubernaut").endMetadata()
                .addToData(KEY, catalogYaml).build()).createOr(NonDeletingOperation::update);
    }
}
