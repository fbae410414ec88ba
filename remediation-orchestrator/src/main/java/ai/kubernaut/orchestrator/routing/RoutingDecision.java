package ai.kubernaut.orchestrator.routing;

import ai.kubernaut.orchestrator.model.remediationrequeststatus.RoutingStatus.BlockReason;
import java.time.Instant;
import java.util.Optional;

/** What the routing checks decided for one RR under the target lock. */
public sealed interface RoutingDecision {

    /** The RR already has a WFE (a crash between create and status write): adopt it, never create another. */
    record Adopt(String workflowExecution) implements RoutingDecision {
    }

    /** Create the WFE with this deterministic name. */
    record Create(String workflowExecution, long sequence) implements RoutingDecision {
    }

    /**
     * Wait. Exactly one of the optional fields explains what on, depending on the reason.
     *
     * @param blockingWorkflowExecution ResourceBusy: the active WFE on the target
     * @param duplicateOf               DuplicateInProgress: the older active RR with the same fingerprint
     * @param nextAllowedExecution      RecentlyRemediated: when the cooldown ends
     */
    record Block(BlockReason reason, String message, Optional<String> blockingWorkflowExecution,
            Optional<String> duplicateOf, Optional<Instant> nextAllowedExecution) implements RoutingDecision {
    }
}
