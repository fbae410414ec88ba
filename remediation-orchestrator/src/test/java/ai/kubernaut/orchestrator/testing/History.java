package ai.kubernaut.orchestrator.testing;

import ai.kubernaut.orchestrator.catalog.WorkflowSelection;
import ai.kubernaut.orchestrator.cluster.TestCatalog;
import ai.kubernaut.orchestrator.model.RemediationRequest;
import ai.kubernaut.orchestrator.model.RemediationRequestStatus;
import ai.kubernaut.orchestrator.model.WorkflowExecution;
import ai.kubernaut.orchestrator.model.WorkflowExecutionStatus;
import ai.kubernaut.orchestrator.model.remediationrequeststatus.CompletionStatus;
import ai.kubernaut.orchestrator.request.Phases;
import ai.kubernaut.orchestrator.target.Target;
import ai.kubernaut.orchestrator.workflow.WorkflowExecutions;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Finished RRs and WFEs of the past, as the Gateway and the orchestrator would have left them. */
public final class History {

    public static final WorkflowSelection RESTART = new WorkflowSelection("restart-deployment", "Restart",
            "restart", "1.0.0", "bundles/restart-deployment:1.0.0", Map.of(), Optional.empty());

    private History() {
    }

    /** An RR as the Gateway creates it on {@code target}: its labels (shard included) and its chain annotation. */
    public static RemediationRequest request(String name, String fingerprint, String predecessor, Target target) {
        RemediationRequest rr = Fixtures.request(name, fingerprint, TestCatalog.RESTART, "critical",
                target.namespace(), target.kind(), target.name());
        Map<String, String> labels = new HashMap<>(rr.getMetadata().getLabels());
        labels.put(WorkflowExecutions.LABEL_SHARD, target.shard());
        rr.getMetadata().setLabels(labels);
        if (predecessor != null) {
            rr.getMetadata().setAnnotations(Map.of("kubernaut.ai/supersedes", predecessor));
        }
        return rr;
    }

    /**
     * A Completed RR (terminal label included) with its Completed WFE of {@code sequence} on {@code target}, both
     * ended at {@code ended}.
     */
    public static RemediationRequest finished(KubernetesClient admin, String namespace, String name, String fingerprint,
            String predecessor, Target target, long sequence, Instant ended) {
        RemediationRequest rr = request(name, fingerprint, predecessor, target);
        Map<String, String> labels = new HashMap<>(rr.getMetadata().getLabels());
        labels.put(Phases.TERMINAL_LABEL, Phases.TERMINAL_LABEL_VALUE);
        rr.getMetadata().setLabels(labels);
        var rrs = admin.resources(RemediationRequest.class).inNamespace(namespace);
        RemediationRequest created = rrs.resource(rr).create();
        ZonedDateTime at = ZonedDateTime.ofInstant(ended.truncatedTo(ChronoUnit.SECONDS), ZoneOffset.UTC);
        String wfeName = WorkflowExecutions.name(target, sequence);
        RemediationRequestStatus status = new RemediationRequestStatus();
        status.setOverallPhase(RemediationRequestStatus.OverallPhase.COMPLETED);
        status.setPhaseStartedAt(at);
        status.setWorkflowExecutionRef(wfeName);
        CompletionStatus completion = new CompletionStatus();
        completion.setOutcome("Remediated");
        completion.setCompletedAt(at);
        completion.setWorkflowExecutionRef(wfeName);
        status.setCompletionStatus(completion);
        created.setStatus(status);
        created = rrs.resource(created).updateStatus();

        var wfes = admin.resources(WorkflowExecution.class).inNamespace(namespace);
        WorkflowExecution wfe = wfes.resource(WorkflowExecutions.build(created, target, RESTART, sequence)).create();
        WorkflowExecutionStatus wfeStatus = new WorkflowExecutionStatus();
        wfeStatus.setPhase(WorkflowExecutionStatus.Phase.COMPLETED);
        wfeStatus.setStartTime(at);
        wfeStatus.setCompletionTime(at);
        wfe.setStatus(wfeStatus);
        wfes.resource(wfe).updateStatus();
        return created;
    }

    /** The Gateway's name of the RR after {@code predecessor} (docs/contracts.md). */
    public static String successor(String fingerprint, String predecessor) {
        return "rr-" + fingerprint.substring(0, 12) + "-" + Fixtures.fingerprint(fingerprint + "|"
                + (predecessor == null ? "" : predecessor)).substring(0, 8);
    }
}
