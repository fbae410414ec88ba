package ai.kubernaut.e2e.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Grafana dashboard of deploy/monitoring (written for Grafana 10.4, schemaVersion 39): shipped as a ConfigMap
 * the kube-prometheus-stack Grafana sidecar loads, with datasource, namespace and pod variables, the rows an operator
 * needs, and queries on metrics the services publish. DashboardIT evaluates every expression against a real run.
 */
class DashboardTest {

    static final Path DASHBOARD = DeployFiles.DEPLOY.resolve("monitoring/dashboards/kubernaut.json");
    private static final Set<String> PANEL_TYPES = Set.of("row", "timeseries", "stat");
    private static final Pattern METRIC = Pattern.compile("\\b((?:gateway|orchestrator)_[a-z0-9_]+)");

    static JsonNode dashboard() throws IOException {
        return new ObjectMapper().readTree(DASHBOARD.toFile());
    }

    @Test
    void theConfigMapCarriesTheDashboardWithTheSidecarLabel() {
        ConfigMap cm = DeployFiles.one(DeployFiles.rendered("monitoring"), ConfigMap.class, "kubernaut-grafana-dashboard");
        assertEquals("1", cm.getMetadata().getLabels().get("grafana_dashboard"), "kube-prometheus-stack's sidecar label");
        assertEquals(DeployFiles.read(DASHBOARD), cm.getData().get("kubernaut.json"), "the ConfigMap holds the JSON file as it is");
    }

    @Test
    void currentGrafanaSchemaWithDatasourceNamespaceAndPodVariables() throws IOException {
        JsonNode d = dashboard();
        assertTrue(d.path("schemaVersion").asInt() >= 36, "Grafana 10+ schema: " + d.path("schemaVersion"));
        assertEquals("kubernaut-services", d.path("uid").asText(), "a stable uid: links and provisioning survive re-imports");
        List<String> variables = new ArrayList<>();
        for (JsonNode v : d.path("templating").path("list")) {
            variables.add(v.path("name").asText());
        }
        assertEquals(List.of("datasource", "namespace", "pod"), variables);
        JsonNode datasource = d.path("templating").path("list").get(0);
        assertEquals("datasource", datasource.path("type").asText());
        assertEquals("prometheus", datasource.path("query").asText());
        JsonNode pod = d.path("templating").path("list").get(2);
        assertTrue(pod.path("includeAll").asBoolean() && pod.path("multi").asBoolean(), "pod: several or all");
        assertTrue(pod.path("definition").asText().contains("namespace=\"$namespace\""), "pods of the chosen namespace");
    }

    @Test
    void panelsQueryThroughTheVariablesAndOnlyPublishedMetrics() throws IOException {
        Set<String> contract = MonitoringTest.contractMetrics();
        Set<Integer> ids = new HashSet<>();
        int expressions = 0;
        for (JsonNode panel : dashboard().path("panels")) {
            String title = panel.path("title").asText();
            assertTrue(PANEL_TYPES.contains(panel.path("type").asText()), title + ": panel type " + panel.path("type"));
            assertTrue(ids.add(panel.path("id").asInt()), title + ": duplicate panel id");
            JsonNode grid = panel.path("gridPos");
            assertTrue(grid.path("x").asInt() + grid.path("w").asInt() <= 24, title + ": wider than the grid");
            if (panel.path("type").asText().equals("row")) {
                continue;
            }
            assertEquals("${datasource}", panel.path("datasource").path("uid").asText(), title + ": the datasource variable");
            assertTrue(panel.path("targets").size() > 0, title + ": no query");
            for (JsonNode target : panel.path("targets")) {
                String expr = target.path("expr").asText();
                expressions++;
                assertTrue(expr.contains("namespace=\"$namespace\""), title + ": not limited to $namespace: " + expr);
                if (!title.equals("Shards owned in total")) {
                    assertTrue(expr.contains("pod=~\"$pod\""), title + ": not limited to $pod: " + expr);
                }
                Matcher m = METRIC.matcher(expr);
                while (m.find()) {
                    String base = m.group(1).replaceFirst("_(bucket|count|sum)$", "");
                    assertTrue(contract.contains(base), title + " uses " + m.group(1) + ", not in docs/contracts.md");
                }
            }
        }
        assertTrue(expressions >= 30, "expressions: " + expressions);
    }

    @Test
    void rowsAnswerTheOperatorsQuestions() throws IOException {
        Set<String> rows = new TreeSet<>();
        StringBuilder all = new StringBuilder();
        for (JsonNode panel : dashboard().path("panels")) {
            if (panel.path("type").asText().equals("row")) {
                rows.add(panel.path("title").asText());
            }
            panel.path("targets").forEach(t -> all.append(t.path("expr").asText()).append('\n'));
        }
        assertEquals(Set.of("Gateway: signals in", "Gateway: fingerprint locks", "RemediationOrchestrator",
                "Shard ownership", "JVM per pod"), rows);
        for (String metric : List.of("gateway_signals_received_total", "gateway_http_responses_total",
                "gateway_signals_deduplicated_total", "gateway_http_request_duration_seconds_bucket", "gateway_signals_failed_total",
                "gateway_lock_contention_total", "gateway_lock_takeovers_total", "gateway_lease_api_calls_total",
                "orchestrator_workqueue_depth", "orchestrator_reconciles_total", "orchestrator_phase_transitions_total",
                "orchestrator_blocked_total", "orchestrator_blocked_wakeup_latency_seconds_bucket",
                "orchestrator_workflowexecutions_created_total", "orchestrator_shards_owned", "jvm_memory_used_bytes",
                "process_cpu_usage")) {
            assertTrue(all.indexOf(metric) >= 0, "no panel on " + metric);
        }
    }
}
