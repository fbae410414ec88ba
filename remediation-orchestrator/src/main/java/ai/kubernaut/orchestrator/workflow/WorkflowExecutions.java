package ai.kubernaut.orchestrator.workflow;

import ai.kubernaut.orchestrator.catalog.WorkflowSelection;
import ai.kubernaut.orchestrator.model.RemediationRequest;
import ai.kubernaut.orchestrator.model.WorkflowExecution;
import ai.kubernaut.orchestrator.model.WorkflowExecutionSpec;
import ai.kubernaut.orchestrator.model.WorkflowExecutionStatus;
import ai.kubernaut.orchestrator.model.workflowexecutionspec.RemediationRequestRef;
import ai.kubernaut.orchestrator.model.workflowexecutionspec.WorkflowRef;
import ai.kubernaut.orchestrator.target.Target;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a WorkflowExecution looks like when the orchestrator creates one, and how to read one: names, labels,
 * phases, ownership. The name {@code wfe-<target hash>-<sequence>} is deterministic per target and sequence,
 * which fences WFE creation at the API server (ADR-052-003): two creators that decided on the same state pick
 * the same name and one of them gets 409.
 */
public final class WorkflowExecutions {

    public static final String LABEL_TARGET_HASH = "kubernaut.ai/target-hash";
    /** The target's shard: replicas watch only the WFEs of the shards they own. */
    public static final String LABEL_SHARD = "kubernaut.ai/shard";
    public static final String LABEL_REMEDIATION_REQUEST = "kubernaut.ai/remediation-request";
    public static final String LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String MANAGED_BY = "remediation-orchestrator";

    private static final Pattern NAME = Pattern.compile("^wfe-([0-9a-f]{16})-([0-9]{1,18})$");

    private WorkflowExecutions() {
    }

    /** {@code wfe-<16 hex of sha256(target)>-<sequence>}. */
    public static String name(Target target, long sequence) {
        return name(target.hash(), sequence);
    }

    /** {@code wfe-<target hash>-<sequence>}. */
    public static String name(String targetHash, long sequence) {
        return "wfe-" + targetHash + "-" + sequence;
    }

    /** The WFE's {@code kubernaut.ai/target-hash} label; null for a WFE the orchestrator did not create. */
    public static String targetHashOf(WorkflowExecution wfe) {
        Map<String, String> labels = wfe.getMetadata().getLabels();
        return labels == null ? null : labels.get(LABEL_TARGET_HASH);
    }

    /** The sequence number in a WFE name of this target's hash, if the name has our form. */
    public static OptionalLong sequenceOf(String wfeName, String targetHash) {
        Matcher m = NAME.matcher(wfeName == null ? "" : wfeName);
        if (m.matches() && m.group(1).equals(targetHash)) {
            return OptionalLong.of(Long.parseLong(m.group(2)));
        }
        return OptionalLong.empty();
    }

    /** Active = not Completed and not Failed (a WFE without status has not started yet: active). */
    public static boolean isActive(WorkflowExecution wfe) {
        return !isTerminal(wfe);
    }

    public static boolean isTerminal(WorkflowExecution wfe) {
        WorkflowExecutionStatus.Phase phase = phaseOf(wfe);
        return phase == WorkflowExecutionStatus.Phase.COMPLETED || phase == WorkflowExecutionStatus.Phase.FAILED;
    }

    public static WorkflowExecutionStatus.Phase phaseOf(WorkflowExecution wfe) {
        return wfe.getStatus() == null ? null : wfe.getStatus().getPhase();
    }

    /** Whether this WFE was created for this very RR (same name and uid: a recreated RR does not own it). */
    public static boolean isOwnedBy(WorkflowExecution wfe, RemediationRequest rr) {
        String uid = rr.getMetadata().getUid();
        boolean byRef = wfe.getSpec() != null && wfe.getSpec().getRemediationRequestRef() != null
                && rr.getMetadata().getName().equals(wfe.getSpec().getRemediationRequestRef().getName())
                && Objects.equals(uid, wfe.getSpec().getRemediationRequestRef().getUid());
        boolean byOwner = wfe.getMetadata().getOwnerReferences() != null
                && wfe.getMetadata().getOwnerReferences().stream().anyMatch(o -> Objects.equals(uid, o.getUid()));
        return uid != null && (byRef || byOwner);
    }

    /** The RR a WFE belongs to (for event routing): its label, else its spec reference. */
    public static String requestNameOf(WorkflowExecution wfe) {
        Map<String, String> labels = wfe.getMetadata().getLabels();
        if (labels != null && labels.get(LABEL_REMEDIATION_REQUEST) != null) {
            return labels.get(LABEL_REMEDIATION_REQUEST);
        }
        if (wfe.getSpec() != null && wfe.getSpec().getRemediationRequestRef() != null) {
            return wfe.getSpec().getRemediationRequestRef().getName();
        }
        return null;
    }

    /** The WFE the orchestrator creates for {@code rr}: owned by it, labelled, in the RR's namespace. */
    public static WorkflowExecution build(RemediationRequest rr, Target target, WorkflowSelection selection,
            long sequence) {
        WorkflowExecution wfe = new WorkflowExecution();
        wfe.getMetadata().setName(name(target, sequence));
        wfe.getMetadata().setNamespace(rr.getMetadata().getNamespace());
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(LABEL_TARGET_HASH, target.hash());
        labels.put(LABEL_SHARD, target.shard());
        labels.put(LABEL_REMEDIATION_REQUEST, rr.getMetadata().getName());
        labels.put(LABEL_MANAGED_BY, MANAGED_BY);
        wfe.getMetadata().setLabels(labels);
        // controller owner for garbage collection; no blockOwnerDeletion: it needs update on the RR's
        // finalizers subresource on servers with OwnerReferencesPermissionEnforcement, which we do not ask for
        wfe.getMetadata().setOwnerReferences(java.util.List.of(new OwnerReferenceBuilder()
                .withApiVersion(HasMetadata.getApiVersion(RemediationRequest.class))
                .withKind(HasMetadata.getKind(RemediationRequest.class))
                .withName(rr.getMetadata().getName())
                .withUid(rr.getMetadata().getUid())
                .withController(true)
                .build()));

        WorkflowExecutionSpec spec = new WorkflowExecutionSpec();
        RemediationRequestRef ref = new RemediationRequestRef();
        ref.setApiVersion(HasMetadata.getApiVersion(RemediationRequest.class));
        ref.setKind(HasMetadata.getKind(RemediationRequest.class));
        ref.setName(rr.getMetadata().getName());
        ref.setNamespace(rr.getMetadata().getNamespace());
        ref.setUid(rr.getMetadata().getUid());
        spec.setRemediationRequestRef(ref);
        WorkflowRef workflowRef = new WorkflowRef();
        workflowRef.setWorkflowId(selection.workflowId());
        workflowRef.setWorkflowName(selection.workflowName());
        workflowRef.setActionType(selection.actionType());
        workflowRef.setVersion(selection.version());
        workflowRef.setExecutionBundle(selection.executionBundle());
        spec.setWorkflowRef(workflowRef);
        spec.setTargetResource(target.key());
        spec.setParameters(selection.parameters().isEmpty() ? null : new LinkedHashMap<>(selection.parameters()));
        wfe.setSpec(spec);
        return wfe;
    }
}
