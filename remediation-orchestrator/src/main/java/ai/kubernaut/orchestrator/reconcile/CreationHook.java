package ai.kubernaut.orchestrator.reconcile;

import ai.kubernaut.orchestrator.model.RemediationRequest;

/**
 * Called under the target lock right before a WFE is created. Production uses {@link #NONE}; tests use it to
 * pause a lock holder past its Lease (the paused-holder case of ADR-052-003).
 */
@FunctionalInterface
public interface CreationHook {

    CreationHook NONE = (rr, wfe) -> {
    };

    void beforeCreate(RemediationRequest request, String workflowExecution);
}
