package ai.kubernaut.orchestrator.cluster;

import ai.kubernaut.testserver.catalog.TestWorkflowCatalog;
import io.fabric8.kubernetes.client.KubernetesClient;

/** The workflow catalog the tests run with (format of docs/contracts.md). */
public final class TestCatalog {

    public static final String RESTART = "KubePodCrashLooping";
    public static final String OOM = "KubePodOOMKilled";
    /** Signal with a short RecentlyRemediated cooldown. */
    public static final String FLAPPING = "KubeDeploymentFlapping";
    public static final String UNKNOWN = "SignalNobodyHandles";

    public static final String YAML = TestWorkflowCatalog.of(TestWorkflowCatalog.RESTART_DEPLOYMENT_RULE, """
              - signalName: KubePodOOMKilled
                workflowId: increase-memory
                actionType: patch
                parameters: {factor: "1.5"}
              - signalName: KubeDeploymentFlapping
                workflowId: pause-rollout
                cooldown: 3s
            """);

    private TestCatalog() {
    }

    public static void install(KubernetesClient client, String namespace) {
        install(client, namespace, YAML);
    }

    public static void install(KubernetesClient client, String namespace, String yaml) {
        TestWorkflowCatalog.apply(client, namespace, yaml);
    }
}
