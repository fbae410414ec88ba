package ai.kubernaut.orchestrator.routing;

import ai.kubernaut.orchestrator.catalog.WorkflowSelection;
import ai.kubernaut.orchestrator.model.RemediationRequest;
import ai.kubernaut.orchestrator.model.WorkflowExecution;
import ai.kubernaut.orchestrator.model.remediationrequeststatus.RoutingStatus.BlockReason;
import ai.kubernaut.orchestrator.request.Phases;
import ai.kubernaut.orchestrator.target.Target;
import ai.kubernaut.orchestrator.workflow.WorkflowExecutions;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The routing checks that run before a WFE is created, as a pure function of the replica's view of the RRs and
 * WFEs (so they are unit-testable without a cluster; a Create is decided again under the target lock). In order: adopt our own WFE; DuplicateInProgress (an
 * older active RR with the same fingerprint); ResourceBusy (an active WFE on the target that is not ours);
 * RecentlyRemediated (the same workflow finished on the target within its cooldown); else create the WFE with
 * the next sequence for the target.
 */
public final class RoutingPolicy {

    private RoutingPolicy() {
    }

    /**
     * @param request          the RR being routed (freshly read)
     * @param target           its target
     * @param selection        the workflow chosen for it
     * @param sameFingerprint  RRs with the RR's fingerprint (may include the RR itself and terminal ones)
     * @param targetExecutions every WFE labelled with the target's hash in the replica's view (informer + own writes)
     * @param now              the decision time
     * @param defaultCooldown  the cooldown when the selection has none; zero disables RecentlyRemediated
     */
    public static RoutingDecision decide(RemediationRequest request, Target target, WorkflowSelection selection,
            List<RemediationRequest> sameFingerprint, List<WorkflowExecution> targetExecutions, Instant now,
            Duration defaultCooldown) {
        // hash-label matches are confirmed on the real spec: the label is only an index
        List<WorkflowExecution> onTarget = targetExecutions.stream()
                .filter(w -> w.getSpec() != null && target.key().equals(w.getSpec().getTargetResource()))
                .toList();

        Optional<WorkflowExecution> own = onTarget.stream()
                .filter(w -> WorkflowExecutions.isOwnedBy(w, request))
                .max(bySequence(target));
        if (own.isPresent()) {
            return new RoutingDecision.Adopt(own.get().getMetadata().getName());
        }

        Optional<RemediationRequest> older = sameFingerprint.stream()
                .filter(o -> !Objects.equals(o.getMetadata().getUid(), request.getMetadata().getUid()))
                .filter(o -> o.getSpec() != null && Objects.equals(o.getSpec().getSignalFingerprint(),
                        request.getSpec().getSignalFingerprint()))
                .filter(o -> !Phases.isTerminal(o))
                .filter(o -> createdBefore(o, request))
                .min(RoutingPolicy::compareAge);
        if (older.isPresent()) {
            String name = older.get().getMetadata().getName();
            return new RoutingDecision.Block(BlockReason.DUPLICATEINPROGRESS,
                    "an older active RemediationRequest " + name + " has the same signal fingerprint",
                    Optional.empty(), Optional.of(name), Optional.empty());
        }

        Optional<WorkflowExecution> busy = onTarget.stream()
                .filter(WorkflowExecutions::isActive)
                .max(bySequence(target));
        if (busy.isPresent()) {
            String name = busy.get().getMetadata().getName();
            return new RoutingDecision.Block(BlockReason.RESOURCEBUSY,
                    "WorkflowExecution " + name + " is active on target " + target.key(),
                    Optional.of(name), Optional.empty(), Optional.empty());
        }

        Duration cooldown = selection.cooldown().orElse(defaultCooldown);
        if (cooldown != null && !cooldown.isNegative() && !cooldown.isZero()) {
            Optional<Instant> until = onTarget.stream()
                    .filter(WorkflowExecutions::isTerminal)
                    .filter(w -> w.getSpec().getWorkflowRef() != null
                            && selection.workflowId().equals(w.getSpec().getWorkflowRef().getWorkflowId()))
                    .filter(w -> w.getStatus().getCompletionTime() != null)
                    .map(w -> w.getStatus().getCompletionTime().toInstant().plus(cooldown))
                    .filter(now::isBefore)
                    .max(Comparator.naturalOrder());
            if (until.isPresent()) {
                return new RoutingDecision.Block(BlockReason.RECENTLYREMEDIATED,
                        "workflow " + selection.workflowId() + " ran on target " + target.key() + " within its "
                                + cooldown + " cooldown",
                        Optional.empty(), Optional.empty(), until);
            }
        }

        long next = targetExecutions.stream()
                .map(w -> WorkflowExecutions.sequenceOf(w.getMetadata().getName(), target.hash()))
                .filter(s -> s.isPresent())
                .mapToLong(s -> s.getAsLong())
                .max().orElse(0) + 1;
        return new RoutingDecision.Create(WorkflowExecutions.name(target, next), next);
    }

    private static Comparator<WorkflowExecution> bySequence(Target target) {
        return Comparator.comparingLong(
                w -> WorkflowExecutions.sequenceOf(w.getMetadata().getName(), target.hash()).orElse(-1));
    }

    /** Older = created earlier; the name breaks ties so that every replica agrees on one order. */
    private static boolean createdBefore(RemediationRequest a, RemediationRequest b) {
        return compareAge(a, b) < 0;
    }

    private static int compareAge(RemediationRequest a, RemediationRequest b) {
        int byTime = Comparator.nullsLast(Comparator.<String>naturalOrder())
                .compare(a.getMetadata().getCreationTimestamp(), b.getMetadata().getCreationTimestamp());
        return byTime != 0 ? byTime : a.getMetadata().getName().compareTo(b.getMetadata().getName());
    }
}
