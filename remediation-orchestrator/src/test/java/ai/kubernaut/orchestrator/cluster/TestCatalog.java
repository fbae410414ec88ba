package ai.kubernaut.orchestrator.cluster;

import ai.kubernaut.orchestrator.catalog.CatalogWorkflowSelector;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;

/** The workflow catalog the tests run with (format of docs/contracts.md). */
public final class TestCatalog {

    public static final String RESTART = "KubePodCrashLooping";
    public static final String OOM = "KubePodOOMKilled";
    /** Signal with a short RecentlyRemediated cooldown. */
    public static final String FLAPPING = "KubeDeploymentFlapping";
    public static final String UNKNOWN = "SignalNobodyHandles";

    public static final String YAML = """
            workflows:
              - signalName: KubePodCrashLooping
                severity: critical
                workflowId: restart-deployment
                workflowName: Restart the owning Deployment
                actionType: restart
                version: "1.0.0"
                executionBundle: bundles/restart-deployment:1.0.0
                parameters: {strategy: rolling}
              - signalName: KubePodOOMKilled
                workflowId: increase-memory
                actionType: patch
                parameters: {factor: "1.5"}
              - signalName: KubeDeploymentFlapping
                workflowId: pause-rollout
                cooldown: 3s
            """;

    private TestCatalog() {
    }

    public static void install(KubernetesClient client, String namespace) {
        install(client, namespace, YAML);
    }

    public static void install(KubernetesClient client, String namespace, String yaml) {
        client.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder().withNewMetadata()
                .withName(CatalogWorkflowSelector.CONFIG_MAP_NAME).withNamespace(namespace).endMetadata()
                .addToData(CatalogWorkflowSelector.CATALOG_KEY, yaml).build())
                .createOr(NonDeletingOperation::update);
    }
}
