package ai.kubernaut.orchestrator.reconcile;

import static ai.kubernaut.orchestrator.reconcile.RemediationReconciler.OUTCOME_REMEDIATED;
import static ai.kubernaut.orchestrator.reconcile.RemediationReconciler.OUTCOME_TIMED_OUT;
import static ai.kubernaut.orchestrator.reconcile.RemediationReconciler.OUTCOME_WORKFLOW_FAILED;

import ai.kubernaut.orchestrator.catalog.WorkflowSelection;
import ai.kubernaut.orchestrator.events.RemediationEvents;
import ai.kubernaut.orchestrator.metrics.OrchestratorMetrics;
import ai.kubernaut.orchestrator.model.RemediationRequest;
import ai.kubernaut.orchestrator.model.RemediationRequestStatus;
import ai.kubernaut.orchestrator.model.RemediationRequestStatus.OverallPhase;
import ai.kubernaut.orchestrator.model.remediationrequeststatus.CompletionStatus;
import ai.kubernaut.orchestrator.model.remediationrequeststatus.RoutingStatus;
import ai.kubernaut.orchestrator.model.remediationrequeststatus.SelectedWorkflow;
import ai.kubernaut.orchestrator.model.workflowexecutionstatus.FailureDetails;
import ai.kubernaut.orchestrator.request.Phases;
import ai.kubernaut.orchestrator.routing.RoutingDecision;
import ai.kubernaut.orchestrator.target.Target;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * The RR's phase changes as status writes, each with the Event, metric and log line that go with it.
 *
 * <p>Every write is conditional on the resourceVersion of the RR it is given: a lost write throws
 * {@link StatusConflictException}, which the reconciler answers by reading the RR again and deciding again.
 */
final class StatusTransitions {

    // the reconciler's category: these lines were its own, and log settings name it
    private static final Logger LOG = Logger.getLogger(RemediationReconciler.class);

    private final RemediationRequestApi requests;
    private final RemediationEvents events;
    private final OrchestratorMetrics metrics;
    private final Clock clock;

    StatusTransitions(RemediationRequestApi requests, RemediationEvents events, OrchestratorMetrics metrics,
            Clock clock) {
        this.requests = requests;
        this.events = events;
        this.metrics = metrics;
        this.clock = clock;
    }

    RemediationRequest toAnalyzing(RemediationRequest rr) {
        return transition(rr, OverallPhase.ANALYZING, s -> {
        });
    }

    /**
     * Blocked for the reason the routing checks gave.
     *
     * @param wakeAt when the block ends (whole seconds), if it ends at a known time
     */
    RemediationRequest toBlocked(RemediationRequest rr, Target target, WorkflowSelection selection,
            RoutingDecision.Block block, Instant wakeAt) {
        ZonedDateTime nextAllowed = wakeAt == null ? null : utc(wakeAt);
        RemediationRequest blocked = transition(rr, OverallPhase.BLOCKED, s -> {
            RoutingStatus routing = new RoutingStatus();
            routing.setBlockReason(block.reason());
            routing.setBlockMessage(block.message());
            routing.setBlockedAt(utc(clock.instant()));
            routing.setBlockingWorkflowExecution(block.blockingWorkflowExecution().orElse(null));
            routing.setDuplicateOf(block.duplicateOf().orElse(null));
            routing.setNextAllowedExecution(nextAllowed);
            routing.setBlockedUntil(nextAllowed);
            s.setRoutingStatus(routing);
            s.setSelectedWorkflow(selected(selection));
        });
        metrics.blocked(block.reason().getValue());
        events.normal(blocked, block.reason().getValue(), block.message());
        LOG.infof("blocked: rr=%s target=%s reason=%s wfe=%s duplicateOf=%s nextAllowed=%s",
                rr.getMetadata().getName(), target, block.reason().getValue(),
                block.blockingWorkflowExecution().orElse("-"), block.duplicateOf().orElse("-"),
                block.nextAllowedExecution().map(Instant::toString).orElse("-"));
        return blocked;
    }

    RemediationRequest toExecuting(RemediationRequest rr, String wfe, WorkflowSelection selection) {
        return transition(rr, OverallPhase.EXECUTING, s -> {
            s.setWorkflowExecutionRef(wfe);
            s.setSelectedWorkflow(selected(selection));
            s.setRoutingStatus(null);
        });
    }

    /** Completed: the RR's WFE completed. */
    void toCompleted(RemediationRequest rr, String wfe) {
        finish(rr, OverallPhase.COMPLETED, OUTCOME_REMEDIATED, null, "WorkflowExecution " + wfe + " completed", wfe);
    }

    /** Failed: the RR's WFE failed, with the WFE's failure reason when it gives one. */
    void workflowFailed(RemediationRequest rr, String wfe, FailureDetails details) {
        String reason = details == null ? null : details.getReason();
        String message = "WorkflowExecution " + wfe + " failed"
                + (details == null || details.getMessage() == null ? "" : ": " + details.getMessage());
        RemediationRequest failed = finish(rr, OverallPhase.FAILED, OUTCOME_WORKFLOW_FAILED,
                reason == null ? OUTCOME_WORKFLOW_FAILED : reason, message, wfe);
        events.warning(failed, OUTCOME_WORKFLOW_FAILED, message);
    }

    /** TimedOut: the RR stayed in {@code phase} longer than {@code limit}. */
    void toTimedOut(RemediationRequest rr, OverallPhase phase, Duration limit) {
        String message = "phase " + phase.getValue() + " exceeded its limit of " + limit;
        RemediationRequest timedOut = finish(rr, OverallPhase.TIMEDOUT, OUTCOME_TIMED_OUT,
                phase.getValue() + "Timeout", message, rr.getStatus().getWorkflowExecutionRef());
        events.warning(timedOut, OUTCOME_TIMED_OUT, message);
    }

    /** Failed before or without its WFE finishing; {@code wfe} is the WFE concerned, if any. */
    ReconcileResult fail(RemediationRequest rr, String outcome, String message, String wfe) {
        RemediationRequest failed = finish(rr, OverallPhase.FAILED, outcome, outcome, message, wfe);
        events.warning(failed, outcome, message);
        LOG.warnf("failed: rr=%s outcome=%s: %s", rr.getMetadata().getName(), outcome, message);
        return ReconcileResult.done("failed: " + outcome);
    }

    private RemediationRequest finish(RemediationRequest rr, OverallPhase phase, String outcome, String reason,
            String message, String wfe) {
        RemediationRequest finished = transition(rr, phase, s -> {
            CompletionStatus completion = new CompletionStatus();
            completion.setOutcome(outcome);
            completion.setFailureReason(reason);
            completion.setMessage(message);
            completion.setCompletedAt(utc(clock.instant()));
            completion.setWorkflowExecutionRef(wfe);
            s.setCompletionStatus(completion);
        });
        labelTerminal(finished);
        return finished;
    }

    /**
     * After the terminal status write: the {@code kubernaut.ai/terminal} label (docs/contracts.md). Best effort: a
     * failed patch is written by the retention sweep later, which labels every terminal RR it finds without it.
     */
    private void labelTerminal(RemediationRequest rr) {
        String name = rr.getMetadata().getName();
        try {
            requests.labelTerminal(name);
        } catch (RuntimeException e) {
            LOG.warnf("terminal label not written, the retention sweep writes it later: rr=%s: %s", name,
                    e.getMessage());
        }
    }

    /** One status write from the freshly read RR; phaseStartedAt moves only when the phase changes. */
    private RemediationRequest transition(RemediationRequest rr, OverallPhase to,
            Consumer<RemediationRequestStatus> change) {
        OverallPhase from = Phases.phaseOf(rr);
        RemediationRequestStatus next = requests.copyOf(rr.getStatus());
        next.setOverallPhase(to);
        if (from != to || next.getPhaseStartedAt() == null) {
            next.setPhaseStartedAt(utc(clock.instant()));
        }
        next.setObservedGeneration(rr.getMetadata().getGeneration());
        change.accept(next);
        RemediationRequest written = requests.writeStatus(rr, next);
        if (from != to) {
            metrics.phaseTransition(from.getValue(), to.getValue());
            LOG.infof("phase %s -> %s: rr=%s", from.getValue(), to.getValue(), rr.getMetadata().getName());
        }
        return written;
    }

    private static SelectedWorkflow selected(WorkflowSelection selection) {
        SelectedWorkflow selected = new SelectedWorkflow();
        selected.setWorkflowId(selection.workflowId());
        selected.setWorkflowName(selection.workflowName());
        selected.setActionType(selection.actionType());
        selected.setVersion(selection.version());
        selected.setExecutionBundle(selection.executionBundle());
        selected.setParameters(selection.parameters().isEmpty() ? null : new LinkedHashMap<>(selection.parameters()));
        return selected;
    }

    /** Status timestamps are whole seconds on the wire (the model's date format): keep them exact. */
    private static ZonedDateTime utc(Instant instant) {
        return ZonedDateTime.ofInstant(instant.truncatedTo(ChronoUnit.SECONDS), ZoneOffset.UTC);
    }
}
