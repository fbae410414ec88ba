package ai.kubernaut.orchestrator.model;

import ai.kubernaut.orchestrator.model.remediationrequestspec.TargetResource;
import ai.kubernaut.orchestrator.model.remediationrequeststatus.CompletionStatus;
import ai.kubernaut.orchestrator.model.remediationrequeststatus.Conditions;
import ai.kubernaut.orchestrator.model.remediationrequeststatus.Deduplication;
import ai.kubernaut.orchestrator.model.remediationrequeststatus.RoutingStatus;
import ai.kubernaut.orchestrator.model.remediationrequeststatus.SelectedWorkflow;
import ai.kubernaut.orchestrator.model.workflowexecutionspec.RemediationRequestRef;
import ai.kubernaut.orchestrator.model.workflowexecutionspec.WorkflowRef;
import ai.kubernaut.orchestrator.model.workflowexecutionstatus.FailureDetails;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Native image: registers every class generated from deploy/crds for Jackson's reflection, unconditionally.
 * quarkus-kubernetes-client registers the nested spec/status classes only "if reachable" (a typeReachable
 * condition in reflect-config.json), and the code never names some of them (status.conditions...), so an
 * object carrying them could fail to deserialize in a native image only. Listing them here makes the entries
 * unconditional (checked with -Dquarkus.native.sources-only=true). Not registerFullHierarchy: that keeps the
 * nested entries conditional. ModelReflectionTest fails when a grown CRD adds a class missing here.
 */
@RegisterForReflection(targets = {
        RemediationRequest.class, RemediationRequestSpec.class, RemediationRequestStatus.class,
        TargetResource.class, Deduplication.class, RoutingStatus.class, CompletionStatus.class,
        SelectedWorkflow.class, Conditions.class,
        WorkflowExecution.class, WorkflowExecutionSpec.class, WorkflowExecutionStatus.class,
        RemediationRequestRef.class, WorkflowRef.class, FailureDetails.class})
final class ModelReflection {

    private ModelReflection() {
    }
}
