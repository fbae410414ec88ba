package ai.kubernaut.orchestrator.request;

import ai.kubernaut.orchestrator.model.RemediationRequest;
import ai.kubernaut.orchestrator.model.RemediationRequestStatus.OverallPhase;
import java.util.EnumSet;
import java.util.Set;

/** RR phases as the orchestrator reads them (its own package: routing and reconcile both read them). */
public final class Phases {

    /** Terminal RR phases; every other phase, Blocked included, is active (kubernaut-behaviour.md). */
    public static final Set<OverallPhase> TERMINAL = EnumSet.of(OverallPhase.COMPLETED, OverallPhase.FAILED,
            OverallPhase.TIMEDOUT, OverallPhase.SKIPPED, OverallPhase.CANCELLED);

    private Phases() {
    }

    /** The RR's phase; a new RR (the Gateway's create drops status) is Pending. */
    public static OverallPhase phaseOf(RemediationRequest rr) {
        return rr.getStatus() == null || rr.getStatus().getOverallPhase() == null ? OverallPhase.PENDING
                : rr.getStatus().getOverallPhase();
    }

    public static boolean isTerminal(RemediationRequest rr) {
        return TERMINAL.contains(phaseOf(rr));
    }
}
