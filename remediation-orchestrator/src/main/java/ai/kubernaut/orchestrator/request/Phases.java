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
     * Label of an RR in a terminal phase (value {@link #TERMINAL_LABEL_VALUE}), written by the orchestrator right after
     * the terminal status write (and by the retention sweep on terminal RRs that lack it). Terminal phases are final,
     * so the label never comes off: each replica's RR informer selects {@code kubernaut.ai/terminal notin (true)}, so an RR that ended is not
     * listed, watched or kept (one not labelled yet is declined by the store when its terminal status arrives), and
     * the retention sweep lists {@code kubernaut.ai/terminal=true} (docs/contracts.md).
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

    /** Whether the RR carries the terminal label. */
    public static boolean isLabelledTerminal(RemediationRequest rr) {
        java.util.Map<String, String> labels = rr.getMetadata().getLabels();
        return labels != null && TERMINAL_LABEL_VALUE.equals(labels.get(TERMINAL_LABEL));
    }
}
