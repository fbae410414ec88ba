package ai.kubernaut.orchestrator.retention;

/** What the sweeps report for metrics; every method has a no-op default. */
public interface RetentionObserver {

    RetentionObserver NONE = new RetentionObserver() {
    };

    /** One object deleted by a sweep; {@code kind} is RemediationRequest, WorkflowExecution or Lease. */
    default void retentionDeleted(String kind) {
    }

    /** A delete refused by its preconditions (the object changed since the sweep listed it): it stays. */
    default void retentionChanged(String kind) {
    }

    /** A terminal RR labelled {@code kubernaut.ai/terminal} by a sweep (it ended before the label existed). */
    default void retentionLabelled() {
    }

    /** One sweep ended: {@code complete}, {@code bounded} (the per-sweep limit was reached) or {@code error}. */
    default void retentionSweep(String result) {
    }
}
