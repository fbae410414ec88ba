package ai.kubernaut.orchestrator.catalog;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The workflow chosen for a RemediationRequest, as the WorkflowExecution will reference it.
 *
 * @param cooldown the RecentlyRemediated window for (target, workflowId); empty = the configured default
 */
public record WorkflowSelection(String workflowId, String workflowName, String actionType, String version,
        String executionBundle, Map<String, String> parameters, Optional<Duration> cooldown) {

    public WorkflowSelection {
        Objects.requireNonNull(workflowId, "workflowId");
        parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
        cooldown = cooldown == null ? Optional.empty() : cooldown;
    }
}
