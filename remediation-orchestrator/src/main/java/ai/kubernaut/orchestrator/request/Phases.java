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

    /**
     * Set to {@link #TERMINAL_LABEL_VALUE} by the orchestrator on an RR after its terminal phase is stored (a later
     * write than the status: a watch that selects it out then delivers the terminal status first). Each replica's
     * RR informer selects {@code kubernaut.ai/terminal notin (true)}: an RR that ended is not listed, watched or
     * kept (issue 19); one not labelled yet is declined by the store when its terminal status arrives.
     */
    public static final String TERMINAL_LABEL = "kubernaut.ai/terminal";
    public static final String TERMINAL_LABEL_VALUE = "true";

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
