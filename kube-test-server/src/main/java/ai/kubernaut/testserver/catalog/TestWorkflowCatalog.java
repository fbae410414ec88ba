package ai.kubernaut.testserver.catalog;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;

/**
 * The workflow catalog ConfigMap the RemediationOrchestrator selects workflows from (format of
 * docs/contracts.md), as the orchestrator's tests and the e2e suite install it.
 */
public final class TestWorkflowCatalog {

    /** ConfigMap name and data key of docs/contracts.md; the orchestrator's tests check its constants match. */
    public static final String CONFIG_MAP = "kubernaut-workflow-catalog";
    public static final String KEY = "catalog.yaml";

    /** The rule every test catalog starts with: a critical crash loop restarts the owning Deployment. */
    public static final String RESTART_DEPLOYMENT_RULE = """
              - signalName: KubePodCrashLooping
                severity: critical
                workflowId: restart-deployment
                workflowName: Restart the owning Deployment
                actionType: restart
                version: "1.0.0"
                executionBundle: bundles/restart-deployment:1.0.0
                parameters: {strategy: rolling}
            """;

    private TestWorkflowCatalog() {
    }

    /** Catalog YAML of the given rules (each a YAML list item under {@code workflows:}). */
    public static String of(String... rules) {
        return "workflows:\n" + String.join("", rules);
    }

    /** Creates the catalog ConfigMap in {@code namespace}, or replaces its catalog. */
    public static void apply(KubernetesClient admin, String namespace, String catalogYaml) {
        admin.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder()
                .withNewMetadata().withName(CONFIG_MAP).withNamespace(namespace)
                .addToLabels("app.kubernetes.io/part-of", "kubernaut").endMetadata()
                .addToData(KEY, catalogYaml).build()).createOr(NonDeletingOperation::update);
    }
}
