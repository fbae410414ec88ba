package ai.kubernaut.orchestrator.testing;

import ai.kubernaut.orchestrator.model.RemediationRequest;
import ai.kubernaut.orchestrator.model.RemediationRequestSpec;
import ai.kubernaut.orchestrator.model.RemediationRequestStatus;
import ai.kubernaut.orchestrator.model.WorkflowExecution;
import ai.kubernaut.orchestrator.model.WorkflowExecutionStatus;
import ai.kubernaut.orchestrator.model.remediationrequestspec.TargetResource;
import ai.kubernaut.orchestrator.target.Target;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.HexFormat;
import java.util.Map;

/** Builders for RRs and WFEs in tests. */
public final class Fixtures {

    private Fixtures() {
    }

    /**
     * The first Deployment name {@code prefix-<n>} in {@code namespace} whose target the member {@code owner}
     * wins among {@code members} (rendezvous hashing): lets a test decide which replica owns a target.
     */
    public static Target targetOwnedBy(String owner, java.util.Collection<String> members, String namespace,
            String prefix) {
        for (int n = 0; n < 1000; n++) {
            Target target = new Target(namespace, "Deployment", prefix + "-" + n);
            if (ai.kubernaut.orchestrator.sharding.ShardRing.owner(
                    target.shard(), members).orElseThrow().equals(owner)) {
                return target;
            }
        }
        throw new IllegalStateException("no target owned by " + owner + " among " + members);
    }

    /** A valid fingerprint derived from a seed. */
    public static String fingerprint(String seed) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(seed.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An RR as the Gateway creates it (labels, spec; no status), targeting namespace/Kind/name. */
    public static RemediationRequest request(String name, String fingerprint, String signal, String severity,
            String namespace, String kind, String targetName) {
        RemediationRequest rr = new RemediationRequest();
        rr.getMetadata().setName(name);
        rr.getMetadata().setLabels(Map.of("app.kubernetes.io/managed-by", "gateway-service",
                "app.kubernetes.io/component", "remediation",
                "kubernaut.ai/fingerprint", fingerprint.length() > 63 ? fingerprint.substring(0, 63) : fingerprint));
        RemediationRequestSpec spec = new RemediationRequestSpec();
        spec.setSignalFingerprint(fingerprint);
        spec.setSignalName(signal);
        spec.setSeverity(severity);
        spec.setSignalType("prometheus-alert");
        spec.setTargetType(RemediationRequestSpec.TargetType.KUBERNETES);
        if (kind != null) {
            TargetResource target = new TargetResource();
            target.setNamespace(namespace);
            target.setKind(kind);
            target.setName(targetName);
            spec.setTargetResource(target);
        }
        rr.setSpec(spec);
        return rr;
    }

    /** The same RR with uid, creation time and phase set, as read back from a server. */
    public static RemediationRequest stored(RemediationRequest rr, String uid, Instant created,
            RemediationRequestStatus.OverallPhase phase) {
        rr.getMetadata().setUid(uid);
        rr.getMetadata().setNamespace("ns");
        rr.getMetadata().setCreationTimestamp(created.toString());
        if (phase != null) {
            RemediationRequestStatus status = new RemediationRequestStatus();
            status.setOverallPhase(phase);
            rr.setStatus(status);
        }
        return rr;
    }

    /** A WFE as the server would return it, optionally with a phase and completion time. */
    public static WorkflowExecution execution(String name, Target target, String targetKey, String workflowId,
            String ownerName, String ownerUid, WorkflowExecutionStatus.Phase phase, Instant completed) {
        WorkflowExecution wfe = new WorkflowExecution();
        wfe.getMetadata().setName(name);
        wfe.getMetadata().setLabels(Map.of("kubernaut.ai/target-hash", target.hash(),
                "kubernaut.ai/remediation-request", ownerName));
        var spec = new ai.kubernaut.orchestrator.model.WorkflowExecutionSpec();
        spec.setTargetResource(targetKey);
        var ref = new ai.kubernaut.orchestrator.model.workflowexecutionspec.RemediationRequestRef();
        ref.setName(ownerName);
        ref.setUid(ownerUid);
        spec.setRemediationRequestRef(ref);
        var workflow = new ai.kubernaut.orchestrator.model.workflowexecutionspec.WorkflowRef();
        workflow.setWorkflowId(workflowId);
        spec.setWorkflowRef(workflow);
        wfe.setSpec(spec);
        if (phase != null) {
            WorkflowExecutionStatus status = new WorkflowExecutionStatus();
            status.setPhase(phase);
            if (completed != null) {
                status.setCompletionTime(ZonedDateTime.ofInstant(completed, ZoneOffset.UTC));
            }
            wfe.setStatus(status);
        }
        return wfe;
    }
}
