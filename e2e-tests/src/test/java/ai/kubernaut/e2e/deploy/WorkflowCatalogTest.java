package ai.kubernaut.e2e.deploy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shipped workflow catalog follows the format of docs/contracts.md and has no unreachable rule. */
class WorkflowCatalogTest {

    @Test
    void catalogFollowsTheContractFormat() throws Exception {
        ConfigMap cm = DeployFiles.one(DeployFiles.load(DeployFiles.DEPLOY.resolve("base/workflow-catalog.yaml")),
                ConfigMap.class, "kubernaut-workflow-catalog");
        assertEquals(Set.of("catalog.yaml"), cm.getData().keySet());
        Map<String, List<Map<String, Object>>> catalog = new YAMLMapper().readValue(cm.getData().get("catalog.yaml"), new TypeReference<>() {
        });
        List<Map<String, Object>> workflows = catalog.get("workflows");
        assertTrue(workflows.size() >= 3, "a few realistic workflows");
        Set<String> seen = new HashSet<>();
        for (Map<String, Object> w : workflows) {
            for (String required : List.of("signalName", "workflowId", "workflowName", "actionType", "version", "executionBundle")) {
                assertTrue(w.get(required) instanceof String s && !s.isBlank(), w.get("workflowId") + ": " + required + " is required");
            }
            assertTrue(((String) w.get("version")).matches("\\d+\\.\\d+\\.\\d+"), w.get("workflowId") + ": semantic version");
            Map<?, ?> parameters = (Map<?, ?>) w.getOrDefault("parameters", Map.of());
            parameters.forEach((k, v) -> assertTrue(v instanceof String,
                    w.get("workflowId") + ": parameter " + k + " must be a string (WFE spec.parameters is a string map), is " + v));
            if (w.get("cooldown") != null) {
                assertTrue(String.valueOf(w.get("cooldown")).matches("\\d+(ms|s|m|h)"), w.get("workflowId") + ": cooldown " + w.get("cooldown"));
            }
            String severity = (String) w.getOrDefault("severity", "*");
            String key = w.get("signalName") + "/" + severity;
            assertTrue(seen.add(key), "rule " + key + " can never match: an earlier rule takes the same signal and severity");
            if (!severity.equals("*")) {
                assertTrue(!seen.contains(w.get("signalName") + "/*") , "rule " + key + " is shadowed by an earlier any-severity rule");
            }
        }
        assertNotNull(workflows.get(workflows.size() - 1));
    }
}
