package ai.kubernaut.e2e.scenarios;

import ai.kubernaut.e2e.cluster.Cluster;
import ai.kubernaut.e2e.cluster.RepoPaths;
import ai.kubernaut.e2e.load.Alert;
import ai.kubernaut.e2e.load.LoadResult;
import ai.kubernaut.e2e.load.Outcome;
import ai.kubernaut.e2e.load.Payloads;
import ai.kubernaut.e2e.load.SignalSender;
import ai.kubernaut.e2e.load.Storm;
import ai.kubernaut.e2e.observe.KubernautObjects;
import ai.kubernaut.e2e.prometheus.Prometheus;
import ai.kubernaut.e2e.replica.Replica;
import ai.kubernaut.e2e.replica.ServiceKind;
import ai.kubernaut.e2e.system.KubernautSystem;
import ai.kubernaut.testserver.ApiServerControl;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every query of the shipped Grafana dashboard (deploy/monitoring/dashboards/kubernaut.json) against a real
 * Prometheus (Debian's {@code prometheus}, started here on 127.0.0.1, scraping every replica's /q/metrics each
 * second with the {@code namespace} and {@code pod} labels a ServiceMonitor gives) after a run with load: alerts on
 * targets shared by two clusters (Blocked RRs and their wake-ups), duplicates, bad input (rejected), and on the
 * embedded cluster a window where the API server refuses RR writes (503 answers, failed signals, create errors).
 * Each expression, with the variables substituted as Grafana does ($namespace, $pod = All, $__rate_interval = 5m,
 * which covers the whole run), must parse and return at least one series; the template variables must list the
 * run's namespace and pods. A metric renamed or never exported fails here.
 */
@ExtendWith(SuiteCluster.class)
@Execution(ExecutionMode.CONCURRENT) // the side lane (Lanes): a short load, then Prometheus scrapes and queries
@ResourceLock(Lanes.SIDE)
@Order(8)
class DashboardIT {

    private static final Path DASHBOARD = RepoPaths.root().resolve("deploy/monitoring/dashboards/kubernaut.json");
    /**
     * Queries that may be empty after the run, each with its reason. Keep it small: everything else must have data.
     */
    private static final Map<String, String> MAY_BE_EMPTY = Map.of(
            "gateway_status_repairs_total",
            "an RR whose first status write failed in the request and was repaired after the answer: needs a fault"
                    + " between the create and its status write, which the refused-writes window hits only by chance");
    /** Without fault injection (a real cluster) these only have data after failures. */
    private static final Map<String, String> FAILURE_ONLY = Map.of(
            "class=\"5xx\"", "5xx answers: only while the API server fails",
            "gateway_signals_failed_total", "signals not recorded: only while the API server fails",
            "gateway_crd_creation_errors_total", "failed RR creates: only while the API server fails or in a lost race");

    private static KubernautSystem system;
    private static Prometheus prometheus;
    private static String appNamespace;
    private static boolean faults;
    private static Set<String> rrNames;

    @BeforeAll
    static void start(Cluster cluster) {
        system = KubernautSystem.in(cluster).namespacePrefix("dash").gateways(2).orchestrators(2)
                .executor(Duration.ofMillis(700)).start();
        appNamespace = cluster.createNamespace("dash-apps");
        prometheus = Prometheus.start("prometheus", system.namespace(), scrapeConfig(system.replicas()), Duration.ofSeconds(60));
        String ns = system.namespace();
        int replicas = system.replicas().size();
        Awaitility.await("Prometheus scrapes all " + replicas + " replicas").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> result(prometheus.query("sum(up{namespace=\"" + ns + "\"})")).path(0).path("value").path(1).asDouble() == replicas);
        faults = load();
        long loadEnd = System.currentTimeMillis();
        // the last scrape of every replica is after the load: what the run did is in Prometheus
        Awaitility.await("a scrape of every replica after the load").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> result(prometheus.query("min(timestamp(up{namespace=\"" + ns + "\"}))")).path(0).path("value").path(1)
                        .asDouble() * 1000 > loadEnd + 1000);
    }

    @AfterAll
    static void stop() {
        try {
            if (prometheus != null) {
                prometheus.close();
            }
        } finally {
            if (system != null) {
                system.close();
            }
        }
    }

    /** Every replica as a static target, labelled as the ServiceMonitor's scrape would label it. */
    static String scrapeConfig(List<Replica> replicas) {
        StringBuilder yaml = new StringBuilder("""
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                scrape_configs:
                """);
        for (ServiceKind kind : ServiceKind.values()) {
            yaml.append("  - job_name: ").append(kind.serviceName()).append("\n    metrics_path: /q/metrics\n    static_configs:\n");
            for (Replica r : replicas) {
                if (r.kind() == kind) {
                    yaml.append("      - targets: ['").append(r.managementUrl().replace("http://", "")).append("']\n")
                            .append("        labels: {namespace: '").append(r.namespace()).append("', pod: '")
                            .append(r.podName()).append("'}\n");
                }
            }
        }
        return yaml.toString();
    }

    @Test
    void everyDashboardQueryReturnsDataAfterARunWithLoad() throws IOException {
        String ns = system.namespace();
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        checkVariables(dashboard, ns);
        int panels = 0;
        List<String> expressions = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        Set<String> emptyAllowed = new TreeSet<>();
        for (JsonNode panel : dashboard.path("panels")) {
            if (panel.path("type").asText().equals("row")) {
                continue;
            }
            panels++;
            for (JsonNode target : panel.path("targets")) {
                String expr = substitute(target.path("expr").asText(), ns);
                expressions.add(expr);
                JsonNode answer = prometheus.query(expr);
                String what = panel.path("title").asText() + " [" + target.path("refId").asText() + "] " + expr;
                if (!"success".equals(answer.path("status").asText())) {
                    failures.add(what + ": " + answer.path("errorType").asText() + ": " + answer.path("error").asText());
                } else if (answer.path("data").path("result").isEmpty()) {
                    Optional<String> reason = allowedEmpty(expr, faults);
                    if (reason.isPresent()) {
                        emptyAllowed.add(what + " (" + reason.get() + ")");
                    } else {
                        failures.add(what + ": no series");
                    }
                }
            }
        }
        System.out.printf("dashboard: %d panels, %d expressions evaluated, %d with data, %d empty but allowed%s%n",
                panels, expressions.size(), expressions.size() - failures.size() - emptyAllowed.size(), emptyAllowed.size(),
                emptyAllowed.isEmpty() ? "" : ":\n  " + String.join("\n  ", emptyAllowed));
        assertEquals(List.of(), failures, "dashboard expressions that fail or return nothing (Prometheus log: " + prometheus.log() + ")");
        assertTrue(panels >= 25 && expressions.size() >= 30, panels + " panels, " + expressions.size() + " expressions");
    }

    /**
     * {@code kubectl logs | grep <rr-name>} follows one remediation across both services: a Gateway's log names the
     * RR it created, an orchestrator's log names it on the lines of its decisions, with its target and its WFE.
     */
    @Test
    void logsOfBothServicesNameTheRemediationRequestItsTargetAndItsWorkflowExecution() throws IOException {
        List<GenericKubernetesResource> wfes = KubernautObjects.listWfes(system.cluster().admin(), system.namespace());
        int followed = 0;
        for (String rr : rrNames) {
            String wfe = wfes.stream().filter(w -> rr.equals(KubernautObjects.wfeRemediationRequest(w)))
                    .map(w -> w.getMetadata().getName()).findFirst().orElseThrow(() -> new AssertionError("no WFE for " + rr));
            List<String> gateway = linesNaming(system.gateways().replicas(), rr);
            List<String> orchestrator = linesNaming(system.orchestrators().replicas(), rr);
            assertTrue(gateway.stream().anyMatch(l -> l.contains("created RemediationRequest")), rr + " in the Gateway logs: " + gateway);
            assertTrue(orchestrator.stream().anyMatch(l -> l.contains(wfe) && l.contains("target=")),
                    rr + ": an orchestrator line with its WFE " + wfe + " and target: " + orchestrator);
            followed++;
        }
        System.out.printf("dashboard: %d RRs followed through both services' logs by their names%n", followed);
    }

    private static List<String> linesNaming(List<Replica> replicas, String name) throws IOException {
        List<String> lines = new ArrayList<>();
        for (Replica r : replicas) {
            try (var in = java.nio.file.Files.lines(r.log())) {
                in.filter(l -> l.contains(name)).forEach(lines::add);
            }
        }
        return lines;
    }

    private static Optional<String> allowedEmpty(String expr, boolean faults) {
        for (Map.Entry<String, String> e : MAY_BE_EMPTY.entrySet()) {
            if (expr.contains(e.getKey())) {
                return Optional.of(e.getValue());
            }
        }
        if (!faults) {
            for (Map.Entry<String, String> e : FAILURE_ONLY.entrySet()) {
                if (expr.contains(e.getKey())) {
                    return Optional.of(e.getValue() + "; no fault injection on this cluster");
                }
            }
        }
        return Optional.empty();
    }

    /** Grafana's substitution for the default selection: this run's namespace, All pods, a window over the whole run. */
    static String substitute(String expr, String namespace) {
        return expr.replace("$namespace", namespace).replace("$pod", ".*").replace("$__rate_interval", "5m");
    }

    /** The namespace variable lists the run's namespace, the pod variable (for it) every replica. */
    private static void checkVariables(JsonNode dashboard, String ns) {
        Map<String, String> selectors = new LinkedHashMap<>();
        for (JsonNode v : dashboard.path("templating").path("list")) {
            String definition = v.path("definition").asText();
            if (definition.startsWith("label_values(")) {
                // label_values(<selector>, <label>)
                String inner = definition.substring("label_values(".length(), definition.length() - 1);
                int comma = inner.lastIndexOf(',');
                selectors.put(inner.substring(comma + 1).trim(), inner.substring(0, comma).trim().replace("$namespace", ns));
            }
        }
        assertEquals(Set.of("namespace", "pod"), selectors.keySet());
        Set<String> namespaces = labelValues(selectors.get("namespace"), "namespace");
        assertTrue(namespaces.contains(ns), "namespace variable: " + namespaces);
        Set<String> pods = labelValues(selectors.get("pod"), "pod");
        assertEquals(system.replicas().stream().map(Replica::podName).collect(Collectors.toCollection(TreeSet::new)), pods, "pod variable");
    }

    private static Set<String> labelValues(String selector, String label) {
        JsonNode answer = prometheus.series(selector);
        assertEquals("success", answer.path("status").asText(), selector + ": " + answer);
        Set<String> values = new TreeSet<>();
        answer.path("data").forEach(s -> values.add(s.path(label).asText()));
        return values;
    }

    /**
     * The load: 6 Deployments alerted from two clusters (same target, two fingerprints: one runs, the other is
     * Blocked ResourceBusy and woken when the first WFE ends), each alert 4 times over both Gateways (duplicates),
     * malformed requests (rejected); on the embedded cluster, new alerts while every RR create and status write is
     * refused for 4 s (503 answers, failed signals). Returns whether the fault window ran.
     */
    private static boolean load() {
        List<Alert> alerts = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            Alert alert = Alert.aboutDeployment(t % 2 == 0 ? "KubePodCrashLooping" : "KubePodNotReady", appNamespace, "web-" + t);
            for (int i = 0; i < 4; i++) {
                alerts.add(alert);
                alerts.add(alert.fromCluster("east"));
            }
        }
        Collections.shuffle(alerts, new Random(21));
        try (SignalSender sender = new SignalSender()) {
            LoadResult result = Storm.run(8, alerts.size(), i -> sender.sendAlert(system.gateways().get(i % 2), alerts.get(i)));
            assertEquals(alerts.size(), result.countWhere(o -> o.code() == 201 || o.code() == 202),
                    "every alert accepted: " + result.countsByCode());
            rrNames = result.outcomes().stream().map(Answers::rrName).collect(Collectors.toCollection(TreeSet::new));
            for (int i = 0; i < 3; i++) {
                Outcome bad = sender.post(system.gateways().get(i % 2), Payloads.PROMETHEUS_PATH, "{\"alerts\": [", Map.of());
                assertEquals(400, bad.code(), "malformed JSON: " + bad.body());
            }
            boolean injected = refusedWrites(sender);
            Awaitility.await("RRs of the run terminal").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
                    .until(() -> KubernautObjects.listRrs(system.cluster().admin(), system.namespace()).stream()
                            .filter(rr -> rrNames.contains(rr.getMetadata().getName())).noneMatch(KubernautObjects::rrActive));
            return injected;
        }
    }

    /**
     * New alerts while the API server refuses every RR create and status write (embedded cluster only): each is
     * answered 5xx once the Gateway's bounded retries or its deadline run out; the refusal ends after the last answer.
     */
    private static boolean refusedWrites(SignalSender sender) {
        Optional<ApiServerControl> control = system.faults();
        if (control.isEmpty()) {
            return false;
        }
        ApiServerControl c = control.get();
        try {
            c.failRequests(ServiceKind.GATEWAY.serviceName(), "", "create", "remediationrequests", "", 503, Integer.MAX_VALUE);
            c.failRequests(ServiceKind.GATEWAY.serviceName(), "", "patch", "remediationrequests/status", "", 503, Integer.MAX_VALUE);
            List<Alert> during = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                during.add(Alert.aboutDeployment("KubeMemoryPressure", appNamespace, "batch-" + t));
            }
            LoadResult result = Storm.run(4, during.size(), i -> sender.sendAlert(system.gateways().get(i % 2), during.get(i)));
            assertEquals(during.size(), result.countWhere(o -> o.code() >= 500),
                    "every alert while RR writes are refused is answered 5xx: " + result.countsByCode());
            System.out.printf("dashboard: refused-writes window answers %s%n", result.countsByCode());
            return true;
        } finally {
            c.clearFaults();
        }
    }

    private static JsonNode result(JsonNode answer) {
        return answer.path("data").path("result");
    }
}
