package ai.kubernaut.orchestrator.workflow;

import ai.kubernaut.orchestrator.kube.IndexedStore;
import ai.kubernaut.orchestrator.model.WorkflowExecution;
import ai.kubernaut.orchestrator.model.WorkflowExecutionSpec;
import ai.kubernaut.orchestrator.model.WorkflowExecutionStatus;
import ai.kubernaut.orchestrator.model.workflowexecutionspec.WorkflowRef;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.time.ZonedDateTime;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The WFE cache of a set of shards, indexed by target hash, holding what routing reads of a target's WFEs
 * ({@link ai.kubernaut.orchestrator.routing.RoutingPolicy}) and not the target's history:
 * <ul>
 * <li>every active WFE (ResourceBusy, Adopt);</li>
 * <li>the terminal WFE with the highest sequence (the next WFE's name is one more: ADR-052-003's fence);</li>
 * <li>for each workflow, the terminal WFE that completed last (RecentlyRemediated: only the latest completion of a
 * workflow can still be within its cooldown).</li>
 * </ul>
 * <li>every terminal WFE whose RR is still active (not yet Executing, or not yet completed): Adopt. Its RR may not
 * have got to Executing when the WFE ended (its status write lost to the Gateway's occurrence writes, or its replica
 * stopped in between); without the WFE it would get a second one. The demo found exactly that: a WFE that ran and
 * completed in 150 ms while its RR's status write was retried, then another RR's WFE of the same workflow completed
 * on the target, and the first RR was given a new WFE.</li>
 * </ul>
 * Each as a slim copy ({@link #slim}). A target's other terminal WFEs are not kept, whatever order a list delivers
 * them in (the rules are maxima). What that leaves out: if the kept highest-sequence WFE is deleted while older ones
 * remain, the next create meets their names as 409s (one GET each, ADR-052-003) before it finds a free one. A WFE
 * kept for its active RR is dropped at the target's next terminal WFE after that RR ended.
 */
public final class ExecutionStore extends IndexedStore<WorkflowExecution> {

    public static final String BY_TARGET_HASH = "targetHash";

    private final Predicate<WorkflowExecution> ofActiveRequest;

    /** A store that knows no active RR (keeps the maxima only). */
    public ExecutionStore() {
        this(wfe -> false);
    }

    /** @param ofActiveRequest whether a WFE's RR is still active (then its terminal WFE is kept: Adopt) */
    public ExecutionStore(Predicate<WorkflowExecution> ofActiveRequest) {
        super(Map.of(BY_TARGET_HASH, wfe -> {
            String hash = WorkflowExecutions.targetHashOf(wfe);
            return hash == null ? List.of() : List.of(hash);
        }));
        this.ofActiveRequest = ofActiveRequest;
    }

    @Override
    protected WorkflowExecution admit(WorkflowExecution wfe) {
        return slim(wfe);
    }

    @Override
    protected void kept(String key, WorkflowExecution wfe) {
        String hash = WorkflowExecutions.targetHashOf(wfe);
        if (hash != null && WorkflowExecutions.isTerminal(wfe)) {
            forgetHistory(hash);
        }
    }

    /** Drops the terminal WFEs of a target that routing no longer reads. */
    private void forgetHistory(String hash) {
        List<WorkflowExecution> onTarget = byIndex(BY_TARGET_HASH, hash);
        Comparator<WorkflowExecution> bySequence = Comparator.comparingLong(w -> sequence(w, hash));
        Set<WorkflowExecution> keep = Collections.newSetFromMap(new IdentityHashMap<>());
        onTarget.stream().filter(WorkflowExecutions::isTerminal).max(bySequence).ifPresent(keep::add);
        Map<String, WorkflowExecution> latest = new HashMap<>();
        Comparator<WorkflowExecution> byCompletion = Comparator
                .comparing((WorkflowExecution w) -> w.getStatus().getCompletionTime().toInstant())
                .thenComparing(bySequence);
        for (WorkflowExecution wfe : onTarget) {
            String workflow = workflowIdOf(wfe);
            if (WorkflowExecutions.isTerminal(wfe) && workflow != null
                    && wfe.getStatus().getCompletionTime() != null) {
                latest.merge(workflow, wfe, (a, b) -> byCompletion.compare(a, b) >= 0 ? a : b);
            }
        }
        keep.addAll(latest.values());
        for (WorkflowExecution wfe : onTarget) {
            if (WorkflowExecutions.isTerminal(wfe) && !keep.contains(wfe) && !ofActiveRequest.test(wfe)) {
                drop(getKey(wfe));
            }
        }
    }

    private static long sequence(WorkflowExecution wfe, String hash) {
        OptionalLong sequence = WorkflowExecutions.sequenceOf(wfe.getMetadata().getName(), hash);
        return sequence.isPresent() ? sequence.getAsLong() : -1;
    }

    private static String workflowIdOf(WorkflowExecution wfe) {
        return wfe.getSpec() == null || wfe.getSpec().getWorkflowRef() == null ? null
                : wfe.getSpec().getWorkflowRef().getWorkflowId();
    }

    /**
     * What the orchestrator reads of a WFE: metadata name, namespace, uid, resourceVersion, labels, owner
     * references; spec target, RR reference and workflow id; status phase, completion time and failure details.
     * Not kept: parameters, the rest of the workflow reference, start time, managed fields.
     */
    public static WorkflowExecution slim(WorkflowExecution wfe) {
        WorkflowExecution s = new WorkflowExecution();
        ObjectMeta from = wfe.getMetadata();
        ObjectMeta m = identityOf(from);
        m.setLabels(from.getLabels());
        m.setOwnerReferences(from.getOwnerReferences());
        s.setMetadata(m);
        WorkflowExecutionSpec spec = wfe.getSpec();
        if (spec != null) {
            WorkflowExecutionSpec kept = new WorkflowExecutionSpec();
            kept.setTargetResource(spec.getTargetResource());
            kept.setRemediationRequestRef(spec.getRemediationRequestRef());
            if (spec.getWorkflowRef() != null) {
                WorkflowRef ref = new WorkflowRef();
                ref.setWorkflowId(spec.getWorkflowRef().getWorkflowId());
                kept.setWorkflowRef(ref);
            }
            s.setSpec(kept);
        }
        WorkflowExecutionStatus status = wfe.getStatus();
        if (status != null) {
            WorkflowExecutionStatus kept = new WorkflowExecutionStatus();
            kept.setPhase(status.getPhase());
            ZonedDateTime completed = status.getCompletionTime();
            kept.setCompletionTime(completed);
            kept.setFailureDetails(status.getFailureDetails());
            s.setStatus(kept);
        }
        return s;
    }
}
