package ai.kubernaut.orchestrator.request;

import ai.kubernaut.orchestrator.kube.IndexedStore;
import ai.kubernaut.orchestrator.model.RemediationRequest;
import ai.kubernaut.orchestrator.model.RemediationRequestSpec;
import ai.kubernaut.orchestrator.model.RemediationRequestStatus.OverallPhase;
import ai.kubernaut.orchestrator.model.remediationrequeststatus.RoutingStatus;
import ai.kubernaut.orchestrator.reconcile.RequestValidation;
import ai.kubernaut.orchestrator.workflow.WorkflowExecutions;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.List;
import java.util.Map;

/**
 * The RR cache of a set of shards: the active RRs only, each as the slim copy {@link #slim} (what reconciles,
 * routing and wake-ups read), indexed by fingerprint (DuplicateInProgress), by the target an RR is
 * Blocked(ResourceBusy) on, and by the RR it is Blocked(DuplicateInProgress) behind. A terminal RR is declined: it
 * leaves the store, and the handlers hear of it as an update from its last active copy (the end that wakes the RRs
 * blocked behind it); the informer's selector keeps RRs labelled terminal out altogether.
 */
public final class ActiveRequests extends IndexedStore<RemediationRequest> {

    public static final String BY_FINGERPRINT = "fingerprint";
    public static final String BY_BUSY_TARGET = "busyTarget";
    public static final String BY_DUPLICATE_OF = "duplicateOf";

    public ActiveRequests() {
        super(Map.of(
                BY_FINGERPRINT, rr -> rr.getSpec() == null || rr.getSpec().getSignalFingerprint() == null
                        ? List.of() : List.of(rr.getSpec().getSignalFingerprint()),
                BY_BUSY_TARGET, ActiveRequests::busyTargetOf,
                BY_DUPLICATE_OF, ActiveRequests::duplicateOf));
    }

    @Override
    protected RemediationRequest admit(RemediationRequest rr) {
        return Phases.isTerminal(rr) ? null : slim(rr);
    }

    /**
     * What the orchestrator reads of an RR: metadata name, namespace, uid, resourceVersion, generation,
     * creationTimestamp and the shard label; spec fingerprint, signal name, severity and target; the status. Not
     * kept: the original payload, signal labels and annotations, the other spec fields, labels and annotations,
     * managed fields.
     */
    public static RemediationRequest slim(RemediationRequest rr) {
        RemediationRequest s = new RemediationRequest();
        ObjectMeta from = rr.getMetadata();
        ObjectMeta m = identityOf(from);
        m.setGeneration(from.getGeneration());
        m.setCreationTimestamp(from.getCreationTimestamp());
        String shard = from.getLabels() == null ? null : from.getLabels().get(WorkflowExecutions.LABEL_SHARD);
        if (shard != null) {
            m.setLabels(Map.of(WorkflowExecutions.LABEL_SHARD, shard));
        }
        s.setMetadata(m);
        RemediationRequestSpec spec = rr.getSpec();
        if (spec != null) {
            RemediationRequestSpec kept = new RemediationRequestSpec();
            kept.setSignalFingerprint(spec.getSignalFingerprint());
            kept.setSignalName(spec.getSignalName());
            kept.setSeverity(spec.getSeverity());
            kept.setTargetResource(spec.getTargetResource());
            s.setSpec(kept);
        }
        s.setStatus(rr.getStatus());
        return s;
    }

    /** The target hash of an RR Blocked(ResourceBusy): what its wake-up waits for. */
    public static List<String> busyTargetOf(RemediationRequest rr) {
        RoutingStatus routing = Phases.phaseOf(rr) == OverallPhase.BLOCKED ? rr.getStatus().getRoutingStatus() : null;
        if (routing == null || routing.getBlockReason() != RoutingStatus.BlockReason.RESOURCEBUSY) {
            return List.of();
        }
        return RequestValidation.validate(rr) instanceof RequestValidation.Valid valid
                ? List.of(valid.target().hash()) : List.of();
    }

    /** The RR an RR Blocked(DuplicateInProgress) waits for. */
    public static List<String> duplicateOf(RemediationRequest rr) {
        if (Phases.phaseOf(rr) != OverallPhase.BLOCKED || rr.getStatus().getRoutingStatus() == null) {
            return List.of();
        }
        String value = rr.getStatus().getRoutingStatus().getDuplicateOf();
        return value == null ? List.of() : List.of(value);
    }
}
