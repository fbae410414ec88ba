package ai.kubernaut.e2e.system;

import ai.kubernaut.testserver.catalog.TestWorkflowCatalog;

/** The workflow catalog the suite runs with (installed by {@link TestWorkflowCatalog#apply}). */
public final class WorkflowCatalog {

    /**
     * A catalog for the signals the suite sends, and a catch-all. No cooldowns: scenarios that run several
     * remediations on one target in a row must not be held back by RecentlyRemediated.
     */
    public static final String DEFAULT = TestWorkflowCatalog.of(TestWorkflowCatalog.RESTART_DEPLOYMENT_RULE, """
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
            """);

    private WorkflowCatalog() {
    }
}
