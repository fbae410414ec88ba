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
