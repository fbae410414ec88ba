package ai.kubernaut.orchestrator.reconcile;

import ai.kubernaut.orchestrator.catalog.WorkflowSelection;
import ai.kubernaut.orchestrator.catalog.WorkflowSelector;
import ai.kubernaut.orchestrator.events.RemediationEvents;
import ai.kubernaut.orchestrator.lock.LeaseLockManager;
import ai.kubernaut.orchestrator.metrics.OrchestratorMetrics;
import ai.kubernaut.orchestrator.model.RemediationRequest;
import ai.kubernaut.orchestrator.model.RemediationRequestStatus.OverallPhase;
import ai.kubernaut.orchestrator.model.WorkflowExecution;
import ai.kubernaut.orchestrator.model.WorkflowExecutionStatus;
import ai.kubernaut.orchestrator.model.remediationrequeststatus.RoutingStatus;
import ai.kubernaut.orchestrator.model.remediationrequeststatus.RoutingStatus.BlockReason;
import ai.kubernaut.orchestrator.request.Phases;
import ai.kubernaut.orchestrator.target.Target;
import ai.kubernaut.orchestrator.workflow.WorkflowExecutionApi;
import ai.kubernaut.orchestrator.workflow.WorkflowExecutionView;
import ai.kubernaut.orchestrator.workflow.WorkflowExecutions;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Drives one RemediationRequest one step: Pending -> Analyzing -> (Blocked) -> Executing -> Completed | Failed,
 * or TimedOut when a phase outlives its limit.
 *
 * <p>Every decision starts from the RR as the informer has it, and every transition is a status write
 * conditional on that copy's resourceVersion: a reconcile that loses a 409 (a stale copy, or a concurrent
 * writer) GETs the RR and decides again, it never overwrites.
 *
 * <p>This class reads the RR, validates it and dispatches on its phase; {@link TargetRouter} routes it onto its
 * target and {@link StatusTransitions} writes its phase changes.
 */
public final class RemediationReconciler {

    public static final String OUTCOME_REMEDIATED = "Remediated";
    public static final String OUTCOME_WORKFLOW_FAILED = "WorkflowFailed";
    public static final String OUTCOME_NO_MATCHING_WORKFLOW = "NoMatchingWorkflow";
    public static final String OUTCOME_INVALID_SPEC = "InvalidSpec";
    public static final String OUTCOME_TIMED_OUT = "TimedOut";
    public static final String OUTCOME_WORKFLOW_EXECUTION_MISSING = "WorkflowExecutionMissing";
    public static final String OUTCOME_WORKFLOW_EXECUTION_REJECTED = "WorkflowExecutionRejected";

    private static final Logger LOG = Logger.getLogger(RemediationReconciler.class);
    /** Re-reads after lost status writes within one reconcile before handing back to the queue's backoff. */
    private static final int MAX_CONFLICT_ROUNDS = 5;

    private final RemediationRequestApi requests;
    private final WorkflowExecutionApi executions;
    private final WorkflowExecutionView view;
    private final Function<String, RemediationRequest> cachedRequest;
    private final WorkflowSelector selector;
    private final OrchestratorMetrics metrics;
    private final ReconcileSettings settings;
    private final Clock clock;
    private final StatusTransitions transitions;
    private final PhaseDeadlines deadlines;
    private final TargetRouter router;

    /**
     * @param cachedRequest   the RR of a name from the informer cache (null when absent: then it is read)
     * @param sameFingerprint RRs with a given fingerprint, from the informer cache (DuplicateInProgress: a
     *                        lagging cache only delays, the blocked RR is woken when the older one ends)
     */
    public RemediationReconciler(RemediationRequestApi requests, WorkflowExecutionApi executions,
            WorkflowExecutionView view, Function<String, RemediationRequest> cachedRequest,
            Function<String, List<RemediationRequest>> sameFingerprint, LeaseLockManager locks,
            WorkflowSelector selector, RemediationEvents events, OrchestratorMetrics metrics,
            ReconcileSettings settings, Clock clock, CreationHook creationHook) {
        this.requests = requests;
        this.executions = executions;
        this.view = view;
        this.cachedRequest = cachedRequest;
        this.selector = selector;
        this.metrics = metrics;
        this.settings = settings;
        this.clock = clock;
        this.transitions = new StatusTransitions(requests, events, metrics, clock);
        this.deadlines = new PhaseDeadlines(settings, clock);
        this.router = new TargetRouter(executions, view, sameFingerprint, locks, metrics, settings, clock,
                creationHook, transitions, deadlines);
    }

    /** Reconciles the RR of that name in the controller namespace. */
    public ReconcileResult reconcile(String name) {
        MDC.put("rr", name);
        try {
            for (int round = 1; round <= MAX_CONFLICT_ROUNDS; round++) {
                // the cache first (it triggered this reconcile); after a lost write, the server's copy
                RemediationRequest rr = round == 1 ? cachedRequest.apply(name) : requests.get(name);
                if (rr == null) {
                    return ReconcileResult.done("gone");
                }
                if (Phases.isTerminal(rr)) {
                    return ReconcileResult.done("terminal");
                }
                try {
                    return step(rr);
                } catch (StatusConflictException e) {
                    metrics.statusConflict();
                    LOG.debugf("status write conflict, re-reading: rr=%s round=%d", name, round);
                }
            }
            return ReconcileResult.conflict("status write kept losing to concurrent writers");
        } finally {
            MDC.remove("rr");
            MDC.remove("target");
            MDC.remove("wfe");
        }
    }

    private ReconcileResult step(RemediationRequest rr) {
        OverallPhase phase = Phases.phaseOf(rr);
        Optional<ReconcileResult> timedOut = timeoutIfDue(rr, phase);
        if (timedOut.isPresent()) {
            return timedOut.get();
        }
        switch (phase) {
            case PENDING, ANALYZING, BLOCKED -> {
                RequestValidation.Result validation = RequestValidation.validate(rr);
                if (validation instanceof RequestValidation.Invalid invalid) {
                    return transitions.fail(rr, OUTCOME_INVALID_SPEC, invalid.reason(), null);
                }
                Target target = ((RequestValidation.Valid) validation).target();
                MDC.put("target", target.key());
                if (phase == OverallPhase.PENDING) {
                    rr = transitions.toAnalyzing(rr);
                }
                if (phase == OverallPhase.BLOCKED) {
                    Optional<ReconcileResult> stillBlocked = stillBlocked(rr);
                    if (stillBlocked.isPresent()) {
                        return stillBlocked.get();
                    }
                }
                return analyze(rr, target);
            }
            case EXECUTING -> {
                return executing(rr);
            }
            default -> {
                // Processing, AwaitingApproval, Verifying: phases of other controllers in the original system
                return ReconcileResult.done("phase " + phase.getValue() + " is not driven by this controller");
            }
        }
    }

    /** Analyzing: choose the workflow, then route under the target lock. */
    private ReconcileResult analyze(RemediationRequest rr, Target target) {
        Optional<WorkflowSelection> selection = selector.select(rr);
        if (selection.isEmpty()) {
            return transitions.fail(rr, OUTCOME_NO_MATCHING_WORKFLOW, "no workflow in the catalog matches signal '"
                    + rr.getSpec().getSignalName() + "' with severity '" + rr.getSpec().getSeverity() + "'", null);
        }
        return router.route(rr, target, selection.get());
    }

    /** Blocked: whether what blocks the RR still holds, judged on fresh reads. Empty = route again. */
    private Optional<ReconcileResult> stillBlocked(RemediationRequest rr) {
        RoutingStatus routing = rr.getStatus().getRoutingStatus();
        BlockReason reason = routing == null ? null : routing.getBlockReason();
        if (reason == BlockReason.RESOURCEBUSY && routing.getBlockingWorkflowExecution() != null) {
            WorkflowExecution blocking = execution(routing.getBlockingWorkflowExecution());
            if (blocking != null && WorkflowExecutions.isActive(blocking)) {
                String name = blocking.getMetadata().getName();
                return Optional.of(deadlines.untilDeadline(rr, recheckAt(name), "blocked by " + name));
            }
        } else if (reason == BlockReason.DUPLICATEINPROGRESS && routing.getDuplicateOf() != null) {
            RemediationRequest original = requests.get(routing.getDuplicateOf());
            if (original != null && !Phases.isTerminal(original)) {
                return Optional.of(deadlines.untilDeadline(rr, null, "duplicate of " + routing.getDuplicateOf()));
            }
        } else if (reason == BlockReason.RECENTLYREMEDIATED && routing.getNextAllowedExecution() != null) {
            Instant next = routing.getNextAllowedExecution().toInstant();
            if (clock.instant().isBefore(next)) {
                return Optional.of(deadlines.untilDeadline(rr, next, "cooldown until " + next));
            }
        }
        return Optional.empty();
    }

    /**
     * The WFE of that name: from the informer's cache, else our recent copy, else one GET (the cache may not have
     * it yet, or it is a WFE our watch does not cover and our copy went stale).
     */
    private WorkflowExecution execution(String name) {
        return view.read(name, executions::get);
    }

    /**
     * When to look at an RR waiting on this WFE again if no event will say it finished: null when our informer
     * has it, else when our copy of it goes stale (then it is read again).
     */
    private Instant recheckAt(String wfe) {
        return view.recheckIn(wfe).map(clock.instant()::plus).orElse(null);
    }

    /** Executing: finish the RR when its WFE has finished. */
    private ReconcileResult executing(RemediationRequest rr) {
        String name = rr.getStatus().getWorkflowExecutionRef();
        if (name == null) {
            return transitions.fail(rr, OUTCOME_WORKFLOW_EXECUTION_MISSING,
                    "Executing without status.workflowExecutionRef", null);
        }
        MDC.put("wfe", name);
        WorkflowExecution wfe = execution(name);
        if (wfe == null) {
            return transitions.fail(rr, OUTCOME_WORKFLOW_EXECUTION_MISSING,
                    "WorkflowExecution " + name + " no longer exists", name);
        }
        WorkflowExecutionStatus.Phase phase = WorkflowExecutions.phaseOf(wfe);
        if (phase == WorkflowExecutionStatus.Phase.COMPLETED) {
            transitions.toCompleted(rr, name);
            return ReconcileResult.done("completed");
        }
        if (phase == WorkflowExecutionStatus.Phase.FAILED) {
            transitions.workflowFailed(rr, name, wfe.getStatus().getFailureDetails());
            return ReconcileResult.done("failed");
        }
        return deadlines.untilDeadline(rr, recheckAt(name), "waiting for " + name);
    }

    private Optional<ReconcileResult> timeoutIfDue(RemediationRequest rr, OverallPhase phase) {
        Optional<Instant> deadline = deadlines.deadlineOf(rr, phase);
        if (deadline.isEmpty() || clock.instant().isBefore(deadline.get())) {
            return Optional.empty();
        }
        transitions.toTimedOut(rr, phase, settings.timeoutOf(phase).orElseThrow());
        return Optional.of(ReconcileResult.done("timed out"));
    }
}
