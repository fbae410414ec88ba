package ai.kubernaut.orchestrator.reconcile;

import ai.kubernaut.orchestrator.model.RemediationRequestStatus.OverallPhase;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The reconciler's knobs.
 *
 * @param analyzingTimeout how long an RR may stay Analyzing (e.g. lock contention that never ends)
 * @param blockedTimeout   how long an RR may stay Blocked, in total
 * @param executingTimeout how long an RR may wait for its WFE to finish
 * @param defaultCooldown  RecentlyRemediated window when the catalog entry has none; zero disables it
 * @param busyStatusRefresh how old a ResourceBusy block may get before a woken RR that is still waiting rewrites
 *                         it to name the target's current WFE; zero rewrites on every wake-up
 */
public record ReconcileSettings(Duration analyzingTimeout, Duration blockedTimeout, Duration executingTimeout,
        Duration defaultCooldown, Duration busyStatusRefresh) {

    public ReconcileSettings {
        Objects.requireNonNull(analyzingTimeout, "analyzingTimeout");
        Objects.requireNonNull(blockedTimeout, "blockedTimeout");
        Objects.requireNonNull(executingTimeout, "executingTimeout");
        Objects.requireNonNull(defaultCooldown, "defaultCooldown");
        Objects.requireNonNull(busyStatusRefresh, "busyStatusRefresh");
        if (busyStatusRefresh.isNegative()) {
            throw new IllegalArgumentException("busyStatusRefresh must not be negative but was " + busyStatusRefresh);
        }
    }

    public ReconcileSettings withBusyStatusRefresh(Duration refresh) {
        return new ReconcileSettings(analyzingTimeout, blockedTimeout, executingTimeout, defaultCooldown, refresh);
    }

    /** The time limit of a phase the orchestrator drives; empty for phases it does not time. */
    public Optional<Duration> timeoutOf(OverallPhase phase) {
        return switch (phase) {
            case ANALYZING -> Optional.of(analyzingTimeout);
            case BLOCKED -> Optional.of(blockedTimeout);
            case EXECUTING -> Optional.of(executingTimeout);
            default -> Optional.empty();
        };
    }
}
