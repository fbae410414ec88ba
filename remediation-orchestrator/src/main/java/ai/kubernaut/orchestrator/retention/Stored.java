package ai.kubernaut.orchestrator.retention;

import ai.kubernaut.orchestrator.model.RemediationRequest;
import ai.kubernaut.orchestrator.model.WorkflowExecution;
import ai.kubernaut.orchestrator.reconcile.RequestValidation;
import ai.kubernaut.orchestrator.request.Phases;
import ai.kubernaut.orchestrator.workflow.WorkflowExecutions;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.Map;

/** The slim copies a sweep plans from: what it needs of each listed object, nothing else kept in memory. */
public final class Stored {

    /** The Gateway's annotation naming the RR this one supersedes (ADR-052-002). */
    public static final String SUPERSEDES_ANNOTATION = "kubernaut.ai/supersedes";

    private Stored() {
    }

    /**
     * An RR as listed.
     *
     * @param terminalSince when it ended (completionStatus.completedAt, else phaseStartedAt, else its creation);
     *                      null while active
     * @param targetKey     {@code namespace/Kind/name} of a valid spec.targetResource, else null
     */
    public record Request(String name, String uid, String resourceVersion, String fingerprint, String supersedes,
            Instant created, boolean terminal, boolean labelledTerminal, Instant terminalSince, String targetKey) {
    }

    /**
     * A WFE as listed.
     *
     * @param sequence   the sequence of its fenced name {@code wfe-<targetHash>-<n>}, -1 for another name
     * @param finishedAt status.completionTime, else its creation; null while active
     */
    public record Execution(String name, String uid, String resourceVersion, String targetHash, String targetKey,
            long sequence, String requestName, String requestUid, boolean terminal, Instant finishedAt) {
    }

    /**
     * A Lease as listed.
     *
     * @param renewed renewTime, else acquireTime, else its creation
     */
    public record LeaseCopy(String name, String uid, String resourceVersion, String holder, Instant renewed,
            Integer durationSeconds) {
    }

    public static Request of(RemediationRequest rr) {
        ObjectMeta meta = rr.getMetadata();
        Map<String, String> annotations = meta.getAnnotations();
        boolean terminal = Phases.isTerminal(rr);
        Instant created = instant(meta.getCreationTimestamp());
        Instant since = null;
        if (terminal) {
            var status = rr.getStatus();
            since = status.getCompletionStatus() != null && status.getCompletionStatus().getCompletedAt() != null
                    ? status.getCompletionStatus().getCompletedAt().toInstant()
                    : status.getPhaseStartedAt() != null ? status.getPhaseStartedAt().toInstant() : created;
        }
        String target = RequestValidation.validate(rr) instanceof RequestValidation.Valid valid ? valid.target().key()
                : null;
        return new Request(meta.getName(), meta.getUid(), meta.getResourceVersion(),
                rr.getSpec() == null ? null : rr.getSpec().getSignalFingerprint(),
                annotations == null ? null : annotations.get(SUPERSEDES_ANNOTATION), created, terminal,
                Phases.isLabelledTerminal(rr), since, target);
    }

    public static Execution of(WorkflowExecution wfe) {
        ObjectMeta meta = wfe.getMetadata();
        String hash = WorkflowExecutions.targetHashOf(wfe);
        boolean terminal = WorkflowExecutions.isTerminal(wfe);
        Instant finished = null;
        if (terminal) {
            ZonedDateTime completion = wfe.getStatus().getCompletionTime();
            finished = completion != null ? completion.toInstant() : instant(meta.getCreationTimestamp());
        }
        String requestUid = wfe.getSpec() != null && wfe.getSpec().getRemediationRequestRef() != null
                ? wfe.getSpec().getRemediationRequestRef().getUid() : null;
        if (requestUid == null && meta.getOwnerReferences() != null && !meta.getOwnerReferences().isEmpty()) {
            requestUid = meta.getOwnerReferences().get(0).getUid();
        }
        return new Execution(meta.getName(), meta.getUid(), meta.getResourceVersion(), hash,
                wfe.getSpec() == null ? null : wfe.getSpec().getTargetResource(),
                hash == null ? -1 : WorkflowExecutions.sequenceOf(meta.getName(), hash).orElse(-1),
                WorkflowExecutions.requestNameOf(wfe), requestUid, terminal, finished);
    }

    public static LeaseCopy of(Lease lease) {
        ObjectMeta meta = lease.getMetadata();
        var spec = lease.getSpec();
        ZonedDateTime renewed = spec == null ? null
                : spec.getRenewTime() != null ? spec.getRenewTime() : spec.getAcquireTime();
        return new LeaseCopy(meta.getName(), meta.getUid(), meta.getResourceVersion(),
                spec == null ? null : spec.getHolderIdentity(),
                renewed != null ? renewed.toInstant() : instant(meta.getCreationTimestamp()),
                spec == null ? null : spec.getLeaseDurationSeconds());
    }

    static Instant instant(String timestamp) {
        try {
            return timestamp == null ? null : Instant.parse(timestamp);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
