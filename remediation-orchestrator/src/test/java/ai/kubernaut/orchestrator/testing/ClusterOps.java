package ai.kubernaut.orchestrator.testing;

import ai.kubernaut.orchestrator.model.RemediationRequest;
import ai.kubernaut.orchestrator.model.RemediationRequestStatus.OverallPhase;
import ai.kubernaut.orchestrator.model.WorkflowExecution;
import ai.kubernaut.orchestrator.model.WorkflowExecutionStatus;
import ai.kubernaut.orchestrator.model.workflowexecutionstatus.FailureDetails;
import ai.kubernaut.orchestrator.request.Phases;
import ai.kubernaut.orchestrator.target.Target;
import ai.kubernaut.orchestrator.workflow.WorkflowExecutions;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;

/** What tests do to and read from the cluster in one namespace: play the Gateway and the workflow executor. */
public final class ClusterOps {

    private final KubernetesClient client;
    private final String namespace;

    public ClusterOps(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    public String namespace() {
        return namespace;
    }

    public RemediationRequest create(RemediationRequest rr) {
        return client.resources(RemediationRequest.class).inNamespace(namespace).resource(rr).create();
    }

    public RemediationRequest request(String name) {
        return client.resources(RemediationRequest.class).inNamespace(namespace).withName(name).get();
    }

    public OverallPhase phase(String name) {
        RemediationRequest rr = request(name);
        return rr == null ? null : Phases.phaseOf(rr);
    }

    public List<RemediationRequest> requests() {
        return client.resources(RemediationRequest.class).inNamespace(namespace).list().getItems();
    }

    public List<WorkflowExecution> executions() {
        return client.resources(WorkflowExecution.class).inNamespace(namespace).list().getItems();
    }

    public List<WorkflowExecution> executionsOn(Target target) {
        return client.resources(WorkflowExecution.class).inNamespace(namespace)
                .withLabel(WorkflowExecutions.LABEL_TARGET_HASH, target.hash()).list().getItems();
    }

    public List<WorkflowExecution> executionsOf(String requestName) {
        return client.resources(WorkflowExecution.class).inNamespace(namespace)
                .withLabel(WorkflowExecutions.LABEL_REMEDIATION_REQUEST, requestName).list().getItems();
    }

    public List<WorkflowExecution> activeExecutionsOn(Target target) {
        return executionsOn(target).stream().filter(WorkflowExecutions::isActive).toList();
    }

    public WorkflowExecution execution(String name) {
        return client.resources(WorkflowExecution.class).inNamespace(namespace).withName(name).get();
    }

    /** Plays the workflow executor: sets the WFE's phase through the status subresource. */
    public WorkflowExecution setPhase(String wfe, WorkflowExecutionStatus.Phase phase) {
        return client.resources(WorkflowExecution.class).inNamespace(namespace).withName(wfe).editStatus(w -> {
            WorkflowExecutionStatus status = w.getStatus() == null ? new WorkflowExecutionStatus() : w.getStatus();
            ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
            status.setPhase(phase);
            if (phase == WorkflowExecutionStatus.Phase.RUNNING) {
                status.setStartTime(now);
            }
            if (phase == WorkflowExecutionStatus.Phase.COMPLETED || phase == WorkflowExecutionStatus.Phase.FAILED) {
                status.setCompletionTime(now);
            }
            if (phase == WorkflowExecutionStatus.Phase.FAILED) {
                FailureDetails details = new FailureDetails();
                details.setReason("StepFailed");
                details.setMessage("rollout stuck");
                status.setFailureDetails(details);
            }
            w.setStatus(status);
            return w;
        });
    }

    public List<Lease> orchestratorLeases() {
        return client.leases().inNamespace(namespace).list().getItems().stream()
                .filter(l -> l.getMetadata().getName().startsWith("ro-lock-")).toList();
    }

    public List<Event> eventsFor(String requestName) {
        return client.v1().events().inNamespace(namespace).list().getItems().stream()
                .filter(e -> e.getInvolvedObject() != null && requestName.equals(e.getInvolvedObject().getName()))
                .toList();
    }
}
