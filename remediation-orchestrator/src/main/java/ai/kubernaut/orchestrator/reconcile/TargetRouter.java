package ai.kubernaut.orchestrator.reconcile;

import static ai.kubernaut.orchestrator.reconcile.RemediationReconciler.OUTCOME_WORKFLOW_EXECUTION_REJECTED;

import ai.kubernaut.orchestrator.catalog.WorkflowSelection;
import ai.kubernaut.orchestrator.lock.HeldLock;
import ai.kubernaut.orchestrator.lock.LeaseLockManager;
import ai.kubernaut.orchestrator.lock.LocalKeyLocks;
import ai.kubernaut.orchestrator.lock.LockAttempt;
import ai.kubernaut.orchestrator.metrics.OrchestratorMetrics;
import ai.kubernaut.orchestrator.model.RemediationRequest;
import ai.kubernaut.orchestrator.model.RemediationRequestStatus.OverallPhase;
import ai.kubernaut.orchestrator.model.WorkflowExecution;
import ai.kubernaut.orchestrator.model.remediationrequeststatus.RoutingStatus;
import ai.kubernaut.orchestrator.model.remediationrequeststatus.RoutingStatus.BlockReason;
import ai.kubernaut.orchestrator.request.Phases;
import ai.kubernaut.orchestrator.routing.RoutingDecision;
import ai.kubernaut.orchestrator.routing.RoutingPolicy;
import ai.kubernaut.orchestrator.target.Target;
import ai.kubernaut.orchestrator.workflow.WorkflowExecutionApi;
import ai.kubernaut.orchestrator.workflow.WorkflowExecutionView;
import ai.kubernaut.orchestrator.workflow.WorkflowExecutions;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Routes an Analyzing or Blocked RR onto its target: adopts the RR's WFE, blocks the RR, or creates its WFE and
 * moves it to Executing ({@link RoutingPolicy} decides which).
 *
 * <p>Routing decides from the informers ({@link WorkflowExecutionView}, no LIST): a Block or an Adopt creates
 * nothing and needs no lock; a Create runs under the target's Lease, and the WFE's deterministic name fences both
 * a stale view and a holder that lost its Lease while paused: a 409 on the create is answered by one GET of that
 * name and a new decision (ADR-052-003).
 */
final class TargetRouter {

    private static final int UNPROCESSABLE_ENTITY = 422;

    // the reconciler's category: these lines were its own, and log settings name it
    private static final Logger LOG = Logger.getLogger(RemediationReconciler.class);
    /** Fenced creates (409, GET by name, decide again) within one lock hold before backing off. */
    private static final int MAX_FENCE_ROUNDS = 4;
    /**
     * How long a reconcile waits for another worker of this replica routing the same target (one routing step).
     * With ownership by target all RRs of a target meet in one replica: routing them one at a time means the
     * second decides on what the first created instead of racing it for the Lease.
     */
    private static final Duration ROUTING_WAIT = Duration.ofSeconds(2);

    private final WorkflowExecutionApi executions;
    private final WorkflowExecutionView view;
    private final Function<String, List<RemediationRequest>> sameFingerprint;
    private final LeaseLockManager locks;
    private final OrchestratorMetrics metrics;
    private final ReconcileSettings settings;
    private final Clock clock;
    private final CreationHook creationHook;
    private final StatusTransitions transitions;
    private final PhaseDeadlines deadlines;
    private final LocalKeyLocks routing = new LocalKeyLocks();

    TargetRouter(WorkflowExecutionApi executions, WorkflowExecutionView view,
            Function<String, List<RemediationRequest>> sameFingerprint, LeaseLockManager locks,
            OrchestratorMetrics metrics, ReconcileSettings settings, Clock clock, CreationHook creationHook,
            StatusTransitions transitions, PhaseDeadlines deadlines) {
        this.executions = executions;
        this.view = view;
        this.sameFingerprint = sameFingerprint;
        this.locks = locks;
        this.metrics = metrics;
        this.settings = settings;
        this.clock = clock;
        this.creationHook = creationHook;
        this.transitions = transitions;
        this.deadlines = deadlines;
    }

    /**
     * Routing checks -> create WFE -> RR to Executing. Decided from the informers; only a Create takes the
     * target's Lease, and decides again under it.
     */
    ReconcileResult route(RemediationRequest rr, Target target, WorkflowSelection selection) {
        boolean entered;
        try {
            entered = routing.enter(target.key(), ROUTING_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ReconcileResult.error("interrupted while waiting to route target " + target.key());
        }
        if (!entered) {
            return ReconcileResult.contention("another worker of this replica is routing target " + target.key());
        }
        try {
            return routeAlone(rr, target, selection);
        } finally {
            routing.exit(target.key());
        }
    }

    /** {@link #route} with no other worker of this replica routing the same target. */
    private ReconcileResult routeAlone(RemediationRequest rr, Target target, WorkflowSelection selection) {
        RoutingDecision first = decide(rr, target, selection, List.of());
        if (!(first instanceof RoutingDecision.Create)) {
            return apply(rr, target, selection, first);
        }
        LockAttempt attempt = locks.tryAcquire(target.key());
        if (attempt instanceof LockAttempt.NotAcquired notAcquired) {
            if (notAcquired.reason().isContention()) {
                return ReconcileResult.contention("target lock " + notAcquired.reason().tag()
                        + notAcquired.holder().map(h -> " by " + h).orElse(""));
            }
            String error = notAcquired.error().map(Throwable::getMessage).orElse("unknown");
            LOG.warnf("target lock unavailable: rr=%s target=%s: %s", rr.getMetadata().getName(), target, error);
            return ReconcileResult.error("lease API error: " + error);
        }
        HeldLock lock = ((LockAttempt.Acquired) attempt).lock();
        try {
            List<WorkflowExecution> readByName = new ArrayList<>();
            for (int round = 1; round <= MAX_FENCE_ROUNDS; round++) {
                RoutingDecision decision = decide(rr, target, selection, readByName);
                if (!(decision instanceof RoutingDecision.Create create)) {
                    return apply(rr, target, selection, decision);
                }
                MDC.put("wfe", create.workflowExecution());
                creationHook.beforeCreate(rr, create.workflowExecution());
                try {
                    view.remember(executions.create(WorkflowExecutions.build(rr, target, selection,
                            create.sequence())));
                } catch (WorkflowExecutionApi.AlreadyExistsException fenced) {
                    // a stale view, or another creator (maybe after taking our expired Lease) got this name
                    // first: read that one WFE and decide again
                    metrics.workflowExecutionFenced();
                    WorkflowExecution existing = executions.get(create.workflowExecution());
                    LOG.infof("WorkflowExecution name already taken, deciding again: rr=%s target=%s wfe=%s"
                            + " phase=%s", rr.getMetadata().getName(), target, create.workflowExecution(),
                            existing == null ? "<gone>" : WorkflowExecutions.phaseOf(existing));
                    if (existing != null) {
                        view.remember(existing);
                        readByName.add(existing);
                    }
                    continue;
                } catch (KubernetesClientException e) {
                    if (e.getCode() == HttpURLConnection.HTTP_BAD_REQUEST || e.getCode() == UNPROCESSABLE_ENTITY) {
                        // the server's schema refuses what we built from this RR: retrying cannot help
                        return transitions.fail(rr, OUTCOME_WORKFLOW_EXECUTION_REJECTED, "the API server rejected"
                                + " WorkflowExecution " + create.workflowExecution() + ": " + e.getMessage(), null);
                    }
                    throw e;
                }
                metrics.workflowExecutionCreated();
                LOG.infof("WorkflowExecution created: rr=%s target=%s wfe=%s workflow=%s",
                        rr.getMetadata().getName(), target, create.workflowExecution(), selection.workflowId());
                RemediationRequest executing = transitions.toExecuting(rr, create.workflowExecution(), selection);
                return deadlines.untilDeadline(executing, null, "executing " + create.workflowExecution());
            }
            return ReconcileResult.conflict("fenced " + MAX_FENCE_ROUNDS + " times on target " + target.key());
        } finally {
            locks.release(lock);
        }
    }

    private RoutingDecision decide(RemediationRequest rr, Target target, WorkflowSelection selection,
            List<WorkflowExecution> readByName) {
        List<WorkflowExecution> onTarget = new ArrayList<>(view.onTarget(target, executions::get));
        for (WorkflowExecution read : readByName) {
            onTarget.removeIf(w -> w.getMetadata().getName().equals(read.getMetadata().getName()));
            onTarget.add(read);
        }
        return RoutingPolicy.decide(rr, target, selection, sameFingerprint.apply(rr.getSpec().getSignalFingerprint()),
                onTarget, clock.instant(), settings.defaultCooldown());
    }

    private ReconcileResult apply(RemediationRequest rr, Target target, WorkflowSelection selection,
            RoutingDecision decision) {
        if (decision instanceof RoutingDecision.Adopt adopt) {
            MDC.put("wfe", adopt.workflowExecution());
            LOG.infof("adopting existing WorkflowExecution: rr=%s target=%s wfe=%s", rr.getMetadata().getName(),
                    target, adopt.workflowExecution());
            RemediationRequest executing = transitions.toExecuting(rr, adopt.workflowExecution(), selection);
            // adopted from a copy read by name that our informer may never deliver: look again when it is stale
            Instant recheckAt = view.recheckIn(adopt.workflowExecution()).map(clock.instant()::plus).orElse(null);
            return deadlines.untilDeadline(executing, recheckAt, "executing " + adopt.workflowExecution());
        }
        return block(rr, target, selection, (RoutingDecision.Block) decision);
    }

    private ReconcileResult block(RemediationRequest rr, Target target, WorkflowSelection selection,
            RoutingDecision.Block block) {
        RoutingStatus current = rr.getStatus() == null ? null : rr.getStatus().getRoutingStatus();
        // rounded up to the second the status can hold, so that waking at it finds the cooldown over
        Instant wakeAt = block.nextAllowedExecution().map(TargetRouter::ceilSeconds).orElse(null);
        boolean blockedAlready = Phases.phaseOf(rr) == OverallPhase.BLOCKED && current != null
                && current.getBlockReason() == block.reason();
        boolean sameBlock = blockedAlready
                && Objects.equals(current.getBlockingWorkflowExecution(),
                        block.blockingWorkflowExecution().orElse(null))
                && Objects.equals(current.getDuplicateOf(), block.duplicateOf().orElse(null))
                && Objects.equals(instantOf(current.getNextAllowedExecution()), wakeAt);
        Optional<Instant> refreshAt = blockedAlready && block.reason() == BlockReason.RESOURCEBUSY
                ? busyRefreshAt(current) : Optional.empty();
        // a blocking WFE our informer does not have: no event will say it finished, look again when our copy is stale
        Instant recheckAt = block.blockingWorkflowExecution().flatMap(view::recheckIn).map(clock.instant()::plus)
                .orElse(null);
        if (!sameBlock && refreshAt.isPresent() && clock.instant().isBefore(refreshAt.get())) {
            // still in line for the same target behind another WFE: keep the written block (it names the WFE
            // that blocked this RR first) until it is old enough to be worth a status write and an Event
            LOG.debugf("still busy, block kept until %s: rr=%s target=%s wfe=%s", refreshAt.get(),
                    rr.getMetadata().getName(), target, block.blockingWorkflowExecution().orElse("-"));
            return deadlines.untilDeadline(rr, earliest(refreshAt.get(), recheckAt),
                    "blocked: " + block.reason().getValue());
        }
        RemediationRequest blocked = sameBlock ? rr : transitions.toBlocked(rr, target, selection, block, wakeAt);
        return deadlines.untilDeadline(blocked, earliest(wakeAt, recheckAt), "blocked: " + block.reason().getValue());
    }

    /** When a written ResourceBusy block is old enough to be rewritten with the target's current WFE. */
    private Optional<Instant> busyRefreshAt(RoutingStatus current) {
        return current.getBlockedAt() == null ? Optional.empty()
                : Optional.of(current.getBlockedAt().toInstant().plus(settings.busyStatusRefresh()));
    }

    private static Instant earliest(Instant a, Instant b) {
        return a == null ? b : b == null || a.isBefore(b) ? a : b;
    }

    private static Instant ceilSeconds(Instant instant) {
        Instant floor = instant.truncatedTo(ChronoUnit.SECONDS);
        return floor.equals(instant) ? floor : floor.plusSeconds(1);
    }

    private static Instant instantOf(ZonedDateTime time) {
        return time == null ? null : time.toInstant();
    }
}
