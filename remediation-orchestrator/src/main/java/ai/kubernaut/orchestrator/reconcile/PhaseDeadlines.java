package ai.kubernaut.orchestrator.reconcile;

import ai.kubernaut.orchestrator.model.RemediationRequest;
import ai.kubernaut.orchestrator.model.RemediationRequestStatus.OverallPhase;
import ai.kubernaut.orchestrator.request.Phases;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** When an RR's phase times out, and so when a reconcile that leaves the RR waiting must look at it again. */
final class PhaseDeadlines {

    private final ReconcileSettings settings;
    private final Clock clock;

    PhaseDeadlines(ReconcileSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    /** Empty for phases the orchestrator does not time. */
    Optional<Instant> deadlineOf(RemediationRequest rr, OverallPhase phase) {
        return settings.timeoutOf(phase).map(limit -> phaseStart(rr).plus(limit));
    }

    /** Success; look again at {@code wakeAt} or the phase deadline, whichever comes first. */
    ReconcileResult untilDeadline(RemediationRequest rr, Instant wakeAt, String detail) {
        Optional<Instant> deadline = deadlineOf(rr, Phases.phaseOf(rr));
        Optional<Instant> next = deadline.map(d -> wakeAt == null || d.isBefore(wakeAt) ? d : wakeAt)
                .or(() -> Optional.ofNullable(wakeAt));
        return next.map(n -> ReconcileResult.requeueAfter(Duration.between(clock.instant(), n), detail))
                .orElseGet(() -> ReconcileResult.done(detail));
    }

    private static Instant phaseStart(RemediationRequest rr) {
        if (rr.getStatus() != null && rr.getStatus().getPhaseStartedAt() != null) {
            return rr.getStatus().getPhaseStartedAt().toInstant();
        }
        return Instant.parse(rr.getMetadata().getCreationTimestamp());
    }
}
