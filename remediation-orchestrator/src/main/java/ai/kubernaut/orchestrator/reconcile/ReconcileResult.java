package ai.kubernaut.orchestrator.reconcile;

import java.time.Duration;
import java.util.Optional;

/**
 * What the work queue does with an RR after a reconcile.
 *
 * @param outcome      how the reconcile went (the {@code result} tag of orchestrator_reconciles_total)
 * @param requeueAfter for {@link Outcome#SUCCESS}: when to look again (phase timeout, cooldown end), if ever
 * @param detail       why, for logs
 */
public record ReconcileResult(Outcome outcome, Optional<Duration> requeueAfter, String detail) {

    /** SUCCESS resets the RR's backoff; the others requeue it with jittered exponential backoff. */
    public enum Outcome {
        SUCCESS, CONTENTION, CONFLICT, ERROR;

        public String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public static ReconcileResult done(String detail) {
        return new ReconcileResult(Outcome.SUCCESS, Optional.empty(), detail);
    }

    public static ReconcileResult requeueAfter(Duration after, String detail) {
        return new ReconcileResult(Outcome.SUCCESS, Optional.of(after.isNegative() ? Duration.ZERO : after), detail);
    }

    public static ReconcileResult contention(String detail) {
        return new ReconcileResult(Outcome.CONTENTION, Optional.empty(), detail);
    }

    public static ReconcileResult conflict(String detail) {
        return new ReconcileResult(Outcome.CONFLICT, Optional.empty(), detail);
    }

    public static ReconcileResult error(String detail) {
        return new ReconcileResult(Outcome.ERROR, Optional.empty(), detail);
    }

    public boolean needsBackoff() {
        return outcome != Outcome.SUCCESS;
    }
}
