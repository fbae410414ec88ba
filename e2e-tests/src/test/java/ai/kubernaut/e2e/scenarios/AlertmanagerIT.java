package ai.kubernaut.e2e.scenarios;

import ai.kubernaut.e2e.alertmanager.Alertmanager;
import ai.kubernaut.e2e.cluster.Cluster;
import ai.kubernaut.e2e.cluster.RepoPaths;
import ai.kubernaut.e2e.load.Alert;
import ai.kubernaut.e2e.load.Outcome;
import ai.kubernaut.e2e.load.Payloads;
import ai.kubernaut.e2e.load.SignalSender;
import ai.kubernaut.e2e.metrics.Metrics;
import ai.kubernaut.e2e.observe.KubernautObjects;
import ai.kubernaut.e2e.replica.Replica;
import ai.kubernaut.e2e.replica.ServiceKind;
import ai.kubernaut.e2e.system.KubernautSystem;
import ai.kubernaut.testserver.ApiServerControl;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real Alertmanager as users run it: three Alertmanagers, NOT clustered (each notifies on its own), each
 * delivering every notification to all three Gateway replicas (authentication on, as deployed: a bearer token
 * read from a file, the shipped receiver of deploy/monitoring/alertmanager/alertmanager.yaml). The test pushes
 * alerts to each Alertmanager's API (v2) in phases: multi-alert groups, a group re-sent with one more alert
 * (its other alerts repeat), partial and full resolution (send_resolved on here, to prove resolved
 * notifications are harmless; the example ships it off).
 *
 * <p>Faults in the middle of multi-alert notifications (issue 18): in phase 2 the API server refuses every write of
 * one workload's RR for a few seconds, in phase 3 every RR write (each fault at least until Alertmanager saw an
 * attempt answered 503): an alert of a notification fails, the Gateway
 * answers the whole notification 503 and Alertmanager sends it again. No alert may be lost (every RR counts at least
 * what was delivered, {@code alertmanager_notifications_failed_total} stays 0); the alerts recorded in an attempt
 * answered 503 are counted again by the retry (at least once), and that over-count is measured and printed per
 * fault. On a real cluster (no fault injection from here) the phases run without the faults and stay exact.
 *
 * <p>"Exact": with {@code repeat_interval} far beyond the test, an Alertmanager sends a group only when the test
 * changes it, so what each delivered is known: the test awaits, per phase, Alertmanager's own count of webhook
 * notifications delivered (successful attempts: {@code alertmanager_notification_requests_total} minus
 * {@code ..._failed_total}; one per notification) reaching the number of changed groups x 3 webhooks, with
 * {@code alertmanager_notifications_failed_total} 0, and at the end {@code alertmanager_notifications_total}
 * (counted when a notification starts) equal to it. (Repeats driven by {@code repeat_interval} are not used:
 * their number depends on timing, and a config reload that makes one due rebuilds the groups alert by alert,
 * so the first notification after it may carry part of a group.) Every firing alert of a delivered notification is one
 * occurrence at one Gateway: each workload's one RR must count (its firing alerts per notification, summed) x 3
 * Alertmanagers x 3 Gateways, plus the measured over-count of the faults, and the Gateways' own counters (207
 * answers, 503 answers = Alertmanager's failed attempts, RRs created, duplicates = what the RRs count) must match.
 */
@ExtendWith(SuiteCluster.class)
@Execution(ExecutionMode.CONCURRENT) // the side lane (Lanes): mostly waiting for Alertmanager's group interval
@ResourceLock(Lanes.SIDE)
@ResourceLock(Lanes.TOKEN_REVIEWS)
@Order(6)
class AlertmanagerIT {

    private static final int ALERTMANAGERS = 3;
    private static final int GATEWAYS = 3;
    /** Alertmanager's group_interval where the test refuses writes (answers may take the whole deadline). */
    private static final String FAULT_GROUP_INTERVAL = "20s";
    /** Alertmanager's group_interval on a cluster without fault injection. */
    private static final String GROUP_INTERVAL = "10s";
    private static final Path EXAMPLE = RepoPaths.root().resolve("deploy/monitoring/alertmanager/alertmanager.yaml");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static KubernautSystem system;
    private static final List<Alertmanager> alertmanagers = new ArrayList<>();
    private static String appNamespace;
    private static Metrics gatewayBaseline = Metrics.empty();
    private static final Map<String, Double> baseline207 = new LinkedHashMap<>();

    @BeforeAll
    static void start(Cluster cluster) throws IOException {
        // authentication as deployed: TokenReview + SubjectAccessReview on the default resource (signals)
        system = KubernautSystem.in(cluster).namespacePrefix("am").gateways(GATEWAYS)
                .env(ServiceKind.GATEWAY, "GATEWAY_AUTH_MODE", "tokenreview").start();
        appNamespace = "shop-" + system.namespace().substring(system.namespace().lastIndexOf('-') + 1);
        Path token = RepoPaths.logs().resolve(system.namespace()).resolve("alertmanager-token");
        Files.createDirectories(token.getParent());
        Files.writeString(token, cluster.signalSenderToken(system.namespace()));
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
        warmUp(cluster.signalSenderToken(system.namespace()));
        String config = configFromTheShippedExample(system.gateways().replicas(), token,
                cluster.control().isPresent() ? FAULT_GROUP_INTERVAL : GROUP_INTERVAL);
        for (int i = 0; i < ALERTMANAGERS; i++) {
            alertmanagers.add(Alertmanager.start("alertmanager-" + i, system.namespace(), config, Duration.ofSeconds(60)));
        }
    }

    @AfterAll
    static void stop() {
        try {
            alertmanagers.forEach(Alertmanager::close);
        } finally {
            if (system != null) {
                system.close();
            }
        }
    }

    /**
     * A first multi-alert webhook to each Gateway (about a workload outside the test's namespace), so that the
     * Alertmanagers' notifications do not meet cold JVMs; the checks below count from the baseline taken after it.
     */
    private static void warmUp(String senderToken) {
        String warmNamespace = "warmup-" + system.namespace().substring(system.namespace().lastIndexOf('-') + 1);
        try (SignalSender sender = new SignalSender()) {
            for (Replica gateway : system.gateways().replicas()) {
                Outcome o = sender.post(gateway, Payloads.PROMETHEUS_PATH, Payloads.alertmanagerWebhook(List.of(
                                Alert.aboutDeployment("Warmup", warmNamespace, "warmup"),
                                Alert.aboutDeployment("Warmup", warmNamespace, "warmup"))),
                        Map.of("Authorization", "Bearer " + senderToken));
                assertEquals(207, o.code(), "warm-up at " + gateway.podName() + ": " + o.body());
            }
        }
        gatewayBaseline = Metrics.merge(system.gateways().replicas().stream().map(Replica::metrics).toList());
        for (Replica gateway : system.gateways().replicas()) {
            baseline207.put(gateway.podName(), gateway.metrics().sum("gateway_http_responses_total", Map.of("code", "207")));
        }
    }

    /**
     * The shipped receiver (its http_config, max_alerts, group_by) with the test's Gateways, token file and short
     * timings: group_wait 5 s, so every alert of the first POST is in before a group's first flush; group_interval
     * 20 s where the test injects faults, because Alertmanager 0.25 gives a notification max(group_interval, 10 s)
     * to finish and the Gateway may then take up to its 15 s Kubernetes deadline (the same rule as in
     * docs/operations.md), else 10 s (answers take a second at most; each phase waits one interval); each phase's
     * POST lands a second after a flush, far from the next one; repeat_interval 1 h, so no repeat the test did not
     * cause.
     */
    @SuppressWarnings("unchecked")
    static String configFromTheShippedExample(List<Replica> gateways, Path tokenFile, String groupInterval)
            throws IOException {
        YAMLMapper yaml = new YAMLMapper();
        Map<String, Object> config = yaml.readValue(EXAMPLE.toFile(), Map.class);
        Map<String, Object> route = (Map<String, Object>) config.get("route");
        route.put("group_wait", "5s");
        route.put("group_interval", groupInterval);
        route.put("repeat_interval", "1h");
        Map<String, Object> receiver = ((List<Map<String, Object>>) config.get("receivers")).stream()
                .filter(r -> route.get("receiver").equals(r.get("name"))).findFirst().orElseThrow();
        Map<String, Object> shipped = ((List<Map<String, Object>>) receiver.get("webhook_configs")).get(0);
        List<Map<String, Object>> webhooks = new ArrayList<>();
        for (Replica gateway : gateways) {
            Map<String, Object> webhook = yaml.convertValue(shipped, Map.class); // deep copy
            webhook.put("url", gateway.url() + "/api/v1/signals/prometheus");
            webhook.put("send_resolved", true);
            ((Map<String, Object>) ((Map<String, Object>) webhook.get("http_config")).get("authorization"))
                    .put("credentials_file", tokenFile.toString());
            webhooks.add(webhook);
        }
        receiver.put("webhook_configs", webhooks);
        return yaml.writeValueAsString(config);
    }

    /** One alert as Alertmanager identifies it (its labels); {@code workload} is the Deployment it is about. */
    private record Key(String alertname, String workload, String pod) {
        Map<String, String> labels(String namespace) {
            Map<String, String> labels = new LinkedHashMap<>();
            labels.put("alertname", alertname);
            labels.put("severity", "warning");
            labels.put("namespace", namespace);
            labels.put("deployment", workload);
            labels.put("pod", pod); // the Gateway prefers the deployment label: every pod counts on its workload
            return labels;
        }
    }

    /** What the Alertmanagers hold and what they must have delivered, per the grouping group_by [.., alertname]. */
    private static final class Model {
        final Map<Key, Boolean> present = new LinkedHashMap<>(); // true firing, false resolved and not yet notified
        final Map<String, Long> occurrencesPerDelivery = new TreeMap<>(); // per workload, per (Alertmanager, Gateway)
        long notificationsPerWebhook;
        long resolvedPerDelivery;
        long multiAlertNotificationsPerWebhook;

        void apply(Map<Key, Boolean> changes) {
            present.putAll(changes);
            Set<String> changedGroups = changes.keySet().stream().map(Key::alertname).collect(Collectors.toCollection(LinkedHashSet::new));
            for (String group : changedGroups) {
                List<Key> members = present.keySet().stream().filter(k -> k.alertname().equals(group)).toList();
                notificationsPerWebhook++;
                if (members.size() > 1) {
                    multiAlertNotificationsPerWebhook++;
                }
                for (Key k : members) {
                    if (present.get(k)) {
                        occurrencesPerDelivery.merge(k.workload(), 1L, Long::sum);
                    } else {
                        resolvedPerDelivery++;
                    }
                }
                // Alertmanager drops resolved alerts from the group once they were notified
                members.stream().filter(k -> !present.get(k)).forEach(present::remove);
            }
        }
    }

    @Test
    void threeUnclusteredAlertmanagersDeliverToThreeGatewaysOneRrPerWorkloadCountsExact() {
        // now, not earlier: Alertmanager flushes a new group at once (not after group_wait) when its first alert
        // started more than group_wait ago, which would send part of a POST's alerts and the rest one group_interval later
        Instant startsAt = Instant.now();
        Model model = new Model();
        Key a0p0 = new Key("KubePodCrashLooping", "svc-0", "svc-0-7d9f8b6c5-bcdfg");
        Key a0p1 = new Key("KubePodCrashLooping", "svc-0", "svc-0-7d9f8b6c5-hjklm");
        Key a1 = new Key("KubePodCrashLooping", "svc-1", "svc-1-7d9f8b6c5-bcdfg");
        Key a2 = new Key("KubePodCrashLooping", "svc-2", "svc-2-7d9f8b6c5-bcdfg");
        Key a3 = new Key("KubePodCrashLooping", "svc-3", "svc-3-7d9f8b6c5-bcdfg");
        Key b0 = new Key("KubeContainerOOMKilled", "svc-0", "svc-0-7d9f8b6c5-bcdfg");
        Key b1 = new Key("KubeContainerOOMKilled", "svc-1", "svc-1-7d9f8b6c5-bcdfg");
        Key b2 = new Key("KubeContainerOOMKilled", "svc-2", "svc-2-7d9f8b6c5-bcdfg");

        List<FaultResult> faults = new ArrayList<>();
        // 1: two groups, 5 and 2 alerts (two pods of svc-0 in one notification)
        phase("two multi-alert groups", model, startsAt, firing(a0p0, a0p1, a1, a2, a3, b0, b1), null);
        // 2: one more alert in the second group: the group is sent again, its earlier alerts repeat; svc-0's RR
        // refuses writes meanwhile, so b0 fails in each notification while b1 and b2 are counted
        faults.add(phase("a group grows: its alerts repeat", model, startsAt, firing(b2),
                new WriteFault("svc-0's RR refuses writes for 6 s", rrOf("svc-0"), Duration.ofSeconds(6))));
        // 3: two alerts of the first group resolve: sent with the still-firing ones (which repeat); every RR write
        // is refused for 4 s
        faults.add(phase("partial resolution", model, startsAt, resolved(a3, a0p1),
                new WriteFault("every RR write refused for 4 s", "", Duration.ofSeconds(4))));
        // 4: everything resolves: resolved-only notifications, nothing may be counted
        phase("full resolution", model, startsAt, resolved(a0p0, a1, a2, b0, b1, b2), null);

        long deliveries = (long) ALERTMANAGERS * GATEWAYS;
        long notifications = 0;
        long failedAttempts = 0;
        for (Alertmanager am : alertmanagers) {
            Metrics m = am.metrics();
            long sent = (long) m.sum("alertmanager_notifications_total", Map.of("integration", "webhook"));
            assertEquals(model.notificationsPerWebhook * GATEWAYS, sent, am.name() + " delivered every notification to every Gateway");
            assertEquals(0.0, m.sum("alertmanager_notifications_failed_total"), am.name() + " failed notifications\n" + am.logTail(40));
            assertEquals(sent, completed(m), am.name() + ": every notification it started completed");
            notifications += sent;
            failedAttempts += failedAttempts(m);
        }

        // one RR per workload, counting at least what was delivered (no alert lost), at most that plus the alerts
        // recorded in attempts answered 503 (measured below)
        List<GenericKubernetesResource> rrs = appRrs();
        Map<String, List<GenericKubernetesResource>> byWorkload = rrs.stream().collect(Collectors.groupingBy(AlertmanagerIT::targetName));
        assertEquals(model.occurrencesPerDelivery.keySet(), byWorkload.keySet(), "RRs by target Deployment");
        byWorkload.forEach((w, list) -> assertEquals(1, list.size(), "one RR for " + w + ": " + list.stream()
                .map(rr -> rr.getMetadata().getName()).toList()));
        Map<String, Long> expectedCounts = new TreeMap<>();
        model.occurrencesPerDelivery.forEach((w, n) -> expectedCounts.put(w, n * deliveries));
        Map<String, Long> counts = occurrenceCounts();
        expectedCounts.forEach((w, n) -> assertTrue(counts.get(w) >= n, "no alert lost: " + w + " counts "
                + counts.get(w) + ", " + n + " delivered; all: " + counts + " vs " + expectedCounts));
        long delivered = expectedCounts.values().stream().mapToLong(Long::longValue).sum();
        long stored = counts.values().stream().mapToLong(Long::longValue).sum();
        long overCount = stored - delivered;
        if (failedAttempts == 0) {
            assertEquals(expectedCounts, counts, "no attempt answered 503: exactly what was delivered");
        }

        // the Gateways saw the same: each notification answered 207 once (its last attempt), each attempt answered 503
        // is one Alertmanager counted as failed; every occurrence on an RR is an answer's created or duplicate
        Metrics gateways = Metrics.merge(system.gateways().replicas().stream().map(Replica::metrics).toList());
        assertEquals(notifications, delta(gateways, "gateway_http_responses_total", Map.of("code", "207")),
                "207 answers (every notification here carries several alerts): " + gateways.sumBy("gateway_http_responses_total", "code"));
        assertEquals(failedAttempts, delta(gateways, "gateway_http_responses_total", Map.of("code", "503")),
                "503 answers = the attempts Alertmanager retried");
        assertEquals(notifications + failedAttempts, delta(gateways, "gateway_http_responses_total", Map.of()), "no other answer");
        assertEquals(model.occurrencesPerDelivery.size(), delta(gateways, "gateway_crds_created_total", Map.of()), "RRs created");
        assertEquals(stored - model.occurrencesPerDelivery.size(), delta(gateways, "gateway_signals_deduplicated_total", Map.of()),
                "duplicates counted = what the RRs count beyond their creation");
        assertTrue(delta(gateways, "gateway_signals_rejected_total", Map.of("reason", "resolved_alert"))
                >= model.resolvedPerDelivery * deliveries, "resolved alerts rejected (again in retried attempts)");
        for (Replica gateway : system.gateways().replicas()) {
            assertEquals(model.notificationsPerWebhook * ALERTMANAGERS,
                    Math.round(gateway.metrics().sum("gateway_http_responses_total", Map.of("code", "207")) - baseline207.get(gateway.podName())),
                    gateway.podName() + " got every notification of every Alertmanager");
        }
        assertEquals(overCount, faults.stream().mapToLong(FaultResult::overCount).sum(), "the over-count arose in the faulted phases");
        System.out.printf("alertmanager: %d Alertmanagers x %d Gateways, %d notifications (%d multi-alert per webhook),"
                        + " %d firing alerts delivered, %d counted on %d RRs %s (delivered %s), %d resolved alerts rejected%n",
                ALERTMANAGERS, GATEWAYS, notifications, model.multiAlertNotificationsPerWebhook, delivered, stored,
                rrs.size(), counts, expectedCounts, model.resolvedPerDelivery * deliveries);
        faults.forEach(f -> System.out.printf("alertmanager fault: %s%n", f));
    }

    /** The API server refuses (503) writes of the RRs whose name starts with {@code rrPrefix} ("" = all) for a while. */
    private record WriteFault(String name, String rrPrefix, Duration duration) {
    }

    /**
     * What a faulted phase measured: the notification attempts answered 503 (Alertmanager retried each), and the
     * occurrences counted beyond what was delivered (the alerts recorded in those attempts, counted again).
     */
    private record FaultResult(String fault, boolean injected, long attemptsAnswered503, long delivered, long overCount) {
        @Override
        public String toString() {
            return fault + (injected ? "" : " (not injected: no fault control on this cluster)") + ": "
                    + attemptsAnswered503 + " notification attempts answered 503 and retried, " + delivered
                    + " alert occurrences delivered, over-count " + overCount
                    + (attemptsAnswered503 == 0 ? "" : String.format(" (%.1f per attempt answered 503)",
                    (double) overCount / attemptsAnswered503));
        }
    }

    /** The name of the RR of {@code workload} (one by now). */
    private static String rrOf(String workload) {
        return appRrs().stream().filter(rr -> workload.equals(targetName(rr))).findFirst().orElseThrow()
                .getMetadata().getName();
    }

    /**
     * Pushes the changes to every Alertmanager, then waits until each has delivered the resulting notifications. With
     * a fault: the API server refuses the writes from before the notifications go out until {@code duration} after
     * the first refusal (in the middle of them), and the phase's over-count is measured.
     */
    private static FaultResult phase(String what, Model model, Instant startsAt, Map<Key, Boolean> changes,
                                     WriteFault fault) {
        long deliveredBefore = model.occurrencesPerDelivery.values().stream().mapToLong(Long::longValue).sum();
        long storedBefore = occurrenceCounts().values().stream().mapToLong(Long::longValue).sum();
        long failedBefore = alertmanagers.stream().mapToLong(am -> failedAttempts(am.metrics())).sum();
        model.apply(changes);
        Optional<ApiServerControl> control = fault == null ? Optional.empty() : system.faults();
        ScheduledExecutorService ending = Executors.newSingleThreadScheduledExecutor();
        try {
            control.ifPresent(c -> {
                c.failRequests(ServiceKind.GATEWAY.serviceName(), "", "patch", "remediationrequests/status",
                        fault.rrPrefix(), 503, Integer.MAX_VALUE);
                c.failRequests(ServiceKind.GATEWAY.serviceName(), "", "create", "remediationrequests",
                        fault.rrPrefix(), 503, Integer.MAX_VALUE);
            });
            String body = alertsJson(changes, startsAt);
            for (Alertmanager am : alertmanagers) {
                am.postAlerts(body);
            }
            control.ifPresent(c -> {
                Awaitility.await(what + ": the first write refused").atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(100)).until(() -> !c.firedFaults().isEmpty());
                long refusedAt = System.nanoTime();
                // The fault lasts its duration from the first refusal (a scenario parameter) and on until Alertmanager
                // felt it: an attempt answered 503. Under load a fixed window could see writes whose retries all came
                // after it (answered 207: nothing measured; seen beside another scenario).
                Awaitility.await(what + ": a notification attempt answered 503").atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(100))
                        .until(() -> alertmanagers.stream().mapToLong(am -> failedAttempts(am.metrics())).sum() > failedBefore);
                long left = fault.duration().toNanos() - (System.nanoTime() - refusedAt);
                ending.schedule(c::clearFaults, Math.max(0, left), TimeUnit.NANOSECONDS);
            });
            long expected = model.notificationsPerWebhook * GATEWAYS;
            for (Alertmanager am : alertmanagers) {
                Awaitility.await(what + ": " + am.name() + " delivers " + expected + " notifications")
                        .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                        .failFast(am.name() + " failed a notification", () -> am.metrics().sum("alertmanager_notifications_failed_total") > 0)
                        .until(() -> completed(am.metrics()) >= expected);
            }
        } finally {
            ending.shutdownNow();
            control.ifPresent(ApiServerControl::clearFaults);
        }
        if (fault == null) {
            return null;
        }
        long delivered = model.occurrencesPerDelivery.values().stream().mapToLong(Long::longValue).sum() - deliveredBefore;
        long deliveredOccurrences = delivered * ALERTMANAGERS * GATEWAYS;
        // every delivered occurrence is stored once the last attempt of each notification was answered 207
        long stored = occurrenceCounts().values().stream().mapToLong(Long::longValue).sum() - storedBefore;
        long failed = alertmanagers.stream().mapToLong(am -> failedAttempts(am.metrics())).sum() - failedBefore;
        assertTrue(stored >= deliveredOccurrences, what + ": no alert lost (" + stored + " counted, "
                + deliveredOccurrences + " delivered)");
        if (control.isPresent()) {
            assertTrue(failed > 0, what + ": the fault was felt (attempts answered 503)");
        }
        return new FaultResult(fault.name(), control.isPresent(), failed, deliveredOccurrences,
                stored - deliveredOccurrences);
    }

    /**
     * Notifications delivered: each has exactly one successful attempt ({@code alertmanager_notifications_total}
     * counts a notification when it starts; the latency histogram counts every attempt, failed ones too).
     */
    private static long completed(Metrics alertmanager) {
        return (long) (alertmanager.sum("alertmanager_notification_requests_total", Map.of("integration", "webhook"))
                - failedAttempts(alertmanager));
    }

    /** Notification attempts that failed (here: answered 503) and were retried. */
    private static long failedAttempts(Metrics alertmanager) {
        return (long) alertmanager.sum("alertmanager_notification_requests_failed_total", Map.of("integration", "webhook"));
    }

    private static Map<Key, Boolean> firing(Key... keys) {
        return java.util.Arrays.stream(keys).collect(Collectors.toMap(Function.identity(), k -> true, (a, b) -> a, LinkedHashMap::new));
    }

    private static Map<Key, Boolean> resolved(Key... keys) {
        return java.util.Arrays.stream(keys).collect(Collectors.toMap(Function.identity(), k -> false, (a, b) -> a, LinkedHashMap::new));
    }

    /** Postable alerts (API v2): firing ones without endsAt (Alertmanager sets its resolve timeout), resolved ones ending now. */
    private static String alertsJson(Map<Key, Boolean> alerts, Instant startsAt) {
        ArrayNode list = JSON.createArrayNode();
        Instant endsAt = Instant.now().minusSeconds(1);
        alerts.forEach((key, firing) -> {
            ObjectNode a = list.addObject();
            ObjectNode labels = a.putObject("labels");
            key.labels(appNamespace).forEach(labels::put);
            a.putObject("annotations").put("summary", key.alertname() + " on " + key.pod())
                    .put("description", "AlertmanagerIT alert about deployment " + key.workload());
            a.put("startsAt", startsAt.toString());
            if (!firing) {
                a.put("endsAt", endsAt.toString());
            }
            a.put("generatorURL", "http://prometheus.monitoring.svc:9090/graph?g0.expr=up");
        });
        return list.toString();
    }

    private static Map<String, Long> occurrenceCounts() {
        Map<String, Long> counts = new TreeMap<>();
        for (GenericKubernetesResource rr : appRrs()) {
            counts.merge(targetName(rr), KubernautObjects.occurrenceCount(rr), Long::sum);
        }
        return counts;
    }

    /** The RRs about the test's application namespace (not the warm-up's). */
    private static List<GenericKubernetesResource> appRrs() {
        return KubernautObjects.listRrs(system.cluster().admin(), system.namespace()).stream()
                .filter(rr -> appNamespace.equals(target(rr).get("namespace"))).toList();
    }

    private static String targetName(GenericKubernetesResource rr) {
        return String.valueOf(target(rr).get("name"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> target(GenericKubernetesResource rr) {
        Map<String, Object> spec = (Map<String, Object>) rr.getAdditionalProperties().get("spec");
        return (Map<String, Object>) spec.get("targetResource");
    }

    /** {@code after - before} per Gateway counter, so the warm-up is not counted. */
    private static long delta(Metrics after, String name, Map<String, String> match) {
        return Math.round(after.sum(name, match) - gatewayBaseline.sum(name, match));
    }
}
