package ai.kubernaut.e2e.deploy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The optional monitoring folder scrapes what the Services expose and alerts on metrics the services really publish. */
class MonitoringTest {

    private static final Pattern METRIC = Pattern.compile("\\b((?:gateway|orchestrator)_[a-z0-9_]+)");

    @Test
    void everyMetricARuleUsesIsInTheContract() {
        Set<String> contract = contractMetrics();
        assertTrue(contract.size() >= 20, "could not read the metric names from docs/contracts.md: " + contract);
        Set<String> used = new TreeSet<>();
        for (Map<String, Object> rule : alertRules()) {
            Matcher m = METRIC.matcher((String) rule.get("expr"));
            while (m.find()) {
                String base = m.group(1).replaceFirst("_(bucket|count|sum)$", "");
                assertTrue(contract.contains(base), "alert " + rule.get("alert") + " uses " + m.group(1) + ", not in docs/contracts.md");
                used.add(base);
            }
        }
        for (String required : List.of("gateway_lock_retry_timeout_total", "gateway_lock_contention_total",
                "orchestrator_lock_contention_total", "orchestrator_blocked_total")) {
            assertTrue(used.contains(required), "no alert on " + required + " (lock timeouts, contention, blocked RRs)");
        }
    }

    @Test
    void crdCreationErrorsAlertIgnoresTheFenceButSeesRealErrors() {
        Map<String, Object> rule = alertRules().stream()
                .filter(r -> "KubernautGatewayCrdCreationErrors".equals(r.get("alert"))).findFirst().orElseThrow();
        String expr = (String) rule.get("expr");
        String metric = "gateway_crd_creation_errors_total";
        // already_exists is the normal fence (a concurrent or stale creator lost the race): healthy, never an alert
        assertFalse(selects(expr, metric, Map.of("error_type", "already_exists")), expr);
        for (String real : List.of("forbidden", "invalid", "server_error", "timeout", "other")) {
            assertTrue(selects(expr, metric, Map.of("error_type", real)), real + " must count: " + expr);
        }
    }

    @Test
    void selectorEvaluationIsNotVacuous() {
        assertTrue(selects("sum(rate(m_total[5m]))", "m_total", Map.of("error_type", "already_exists")));
        assertFalse(selects("sum(rate(m_total{error_type=~\"a|already_exists\",x!=\"1\"}[5m]))", "m_total",
                Map.of("error_type", "forbidden")));
        assertFalse(selects("rate(m_total{error_type!~\"already_.*\"}[5m])", "m_total", Map.of("error_type", "already_exists")));
        assertFalse(selects("rate(other_total[5m])", "m_total", Map.of()));
    }

    /**
     * Whether a series of {@code metric} with {@code labels} is selected by every selector of {@code metric} in
     * {@code expr} (PromQL label matchers =, !=, =~, !~; regexes are fully anchored as in PromQL).
     */
    static boolean selects(String expr, String metric, Map<String, String> labels) {
        Matcher selector = Pattern.compile("\\b" + Pattern.quote(metric) + "\\b(\\{([^}]*)})?").matcher(expr);
        boolean found = false;
        while (selector.find()) {
            found = true;
            String matchers = selector.group(2) == null ? "" : selector.group(2);
            Matcher m = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*\"([^\"]*)\"").matcher(matchers);
            while (m.find()) {
                String value = labels.getOrDefault(m.group(1), "");
                boolean ok = switch (m.group(2)) {
                    case "=" -> value.equals(m.group(3));
                    case "!=" -> !value.equals(m.group(3));
                    case "=~" -> value.matches(m.group(3));
                    default -> !value.matches(m.group(3));
                };
                if (!ok) {
                    return false;
                }
            }
        }
        return found;
    }

    @Test
    void everyAlertHasSeveritySummaryAndADuration() {
        List<Map<String, Object>> rules = alertRules();
        assertTrue(rules.size() >= 5, "alerts: " + rules.size());
        for (Map<String, Object> rule : rules) {
            String name = (String) rule.get("alert");
            assertTrue(name.startsWith("Kubernaut"), name + ": prefix alerts with Kubernaut");
            assertTrue(Set.of("info", "warning", "critical").contains(((Map<?, ?>) rule.get("labels")).get("severity")), name + ": severity");
            assertNotNull(((Map<?, ?>) rule.get("annotations")).get("summary"), name + ": summary");
            assertTrue(String.valueOf(rule.get("for")).matches("\\d+[smh]"), name + ": state the 'for' duration (0m for one-off events)");
        }
    }

    @Test
    void everyAlertHasARunbookSectionInOperationsDoc() {
        String operations = DeployFiles.read(DeployFiles.ROOT.resolve("docs/operations.md"));
        Set<String> anchors = new TreeSet<>();
        Matcher heading = Pattern.compile("(?m)^#{2,4} (.+)$").matcher(operations);
        while (heading.find()) {
            // GitHub's anchor of a heading: lower case, spaces to dashes, punctuation dropped
            anchors.add(heading.group(1).trim().toLowerCase().replaceAll("[^a-z0-9 _-]", "").replace(' ', '-'));
        }
        for (Map<String, Object> rule : alertRules()) {
            String alert = (String) rule.get("alert");
            Object url = ((Map<?, ?>) rule.get("annotations")).get("runbook_url");
            assertEquals("docs/operations.md#" + alert.toLowerCase(), url, alert + ": runbook_url");
            assertTrue(anchors.contains(alert.toLowerCase()), alert + ": no section '#### " + alert + "' in docs/operations.md");
            int section = operations.indexOf("#### " + alert + "\n");
            String body = operations.substring(section + alert.length() + 6).split("\n#", 2)[0].trim();
            assertTrue(body.length() > 80, alert + ": its runbook section says too little: " + body);
        }
        assertTrue(alertRules().stream().anyMatch(r -> String.valueOf(r.get("expr")).contains("gateway_status_repairs_total{result=\"gave_up\"}")),
                "docs/operations.md promises an alert on gateway_status_repairs_total{result=\"gave_up\"}");
    }

    @Test
    void serviceMonitorScrapesTheManagementPortOfBothServices() {
        List<HasMetadata> monitoring = DeployFiles.rendered("monitoring");
        GenericKubernetesResource monitor = (GenericKubernetesResource) monitoring.stream()
                .filter(o -> o.getKind().equals("ServiceMonitor")).findFirst().orElseThrow();
        Map<String, Object> spec = spec(monitor);
        List<Map<String, Object>> endpoints = list(spec.get("endpoints"));
        assertEquals(1, endpoints.size());
        assertEquals("management", endpoints.get(0).get("port"));
        assertEquals("/q/metrics", endpoints.get(0).get("path"));
        List<Map<String, Object>> expressions = list(((Map<?, ?>) spec.get("selector")).get("matchExpressions"));
        List<HasMetadata> app = DeployFiles.rendered("prod");
        for (String service : List.of("gateway-service", "remediation-orchestrator")) {
            Service svc = DeployFiles.one(app, Service.class, service);
            assertTrue(expressions.stream().anyMatch(e -> "app.kubernetes.io/name".equals(e.get("key"))
                            && ((List<?>) e.get("values")).contains(svc.getMetadata().getLabels().get("app.kubernetes.io/name"))),
                    "the ServiceMonitor selects " + service);
            assertTrue(svc.getSpec().getPorts().stream().anyMatch(p -> "management".equals(p.getName())), service + " exposes management");
        }
        assertEquals(List.of("kubernaut-system"), ((Map<?, ?>) spec.get("namespaceSelector")).get("matchNames"));
    }

    private static List<Map<String, Object>> alertRules() {
        GenericKubernetesResource rule = (GenericKubernetesResource) DeployFiles.rendered("monitoring").stream()
                .filter(o -> o.getKind().equals("PrometheusRule")).findFirst().orElseThrow();
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> group : list(spec(rule).get("groups"))) {
            out.addAll(list(group.get("rules")));
        }
        assertFalse(out.isEmpty());
        return out;
    }

    /** The metric names listed in docs/contracts.md (backticked, before any {label} part). */
    static Set<String> contractMetrics() {
        String contracts = DeployFiles.read(DeployFiles.ROOT.resolve("docs/contracts.md"));
        String section = contracts.substring(contracts.indexOf("## Metrics"));
        section = section.substring(0, section.indexOf("\n## ", 5));
        Set<String> out = new TreeSet<>();
        Matcher m = Pattern.compile("`((?:gateway|orchestrator)_[a-z0-9_]+)").matcher(section);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> spec(GenericKubernetesResource r) {
        return (Map<String, Object>) r.getAdditionalProperties().get("spec");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Object o) {
        return (List<Map<String, Object>>) o;
    }
}
