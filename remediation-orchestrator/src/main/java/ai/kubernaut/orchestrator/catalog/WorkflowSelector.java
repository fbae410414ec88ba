package ai.kubernaut.orchestrator.catalog;

import ai.kubernaut.orchestrator.model.RemediationRequest;
import java.util.Optional;

/**
 * Chooses the workflow for a RemediationRequest during Analyzing. The default reads the workflow catalog
 * ConfigMap; an AI-based selector can replace it (a CDI bean of this type replaces the default one).
 * Implementations must be thread-safe and should answer quickly: they run inside a reconcile.
 */
public interface WorkflowSelector {

    /** The workflow to run, or empty when none fits (the RR then fails with NoMatchingWorkflow). */
    Optional<WorkflowSelection> select(RemediationRequest request);

    /** Whether the selector has what it needs to answer (readiness). */
    default boolean isReady() {
        return true;
    }

    /** What a selector that is not ready waits for (readiness data). */
    default Optional<String> waitingFor() {
        return Optional.empty();
    }
}
