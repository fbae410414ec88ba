package ai.kubernaut.e2e.bench;

import ai.kubernaut.e2e.executor.TestWorkflowExecutor;
import ai.kubernaut.e2e.observe.KubernautObjects;
import ai.kubernaut.e2e.replica.Replica;
import ai.kubernaut.e2e.replica.ServiceKind;
import ai.kubernaut.e2e.system.KubernautSystem;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.awaitility.Awaitility;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The last part of the history phase: the orchestrator's retention sweep on the history with a compressed clock.
 * The history's RRs ended minutes to days ago ({@link History}); three orchestrator replicas start with a
 * retention of {@code bench.retention} (1 h) and a head retention of {@code bench.headRetention} (4 h), sweeping every
 * 2 s, and the store shrinks to each fingerprint's head ended within the head retention, plus the RRs ended within the
 * retention, plus what the Gateway created in this phase. Also the stored JSON size of an RR as the Gateway writes it,
 * as the orchestrator finishes it, and of its WFE: what each costs in etcd, the watch cache and every informer.
 */
final class RetentionPhase {

    static final Duration RETENTION = Duration.parse("PT" + System.getProperty("bench.retention", "1h").toUpperCase());
    static final Duration HEAD_RETENTION = Duration.parse("PT"
            + System.getProperty("bench.headRetention", "4h").toUpperCase());

    record Figures(int history, long rrsBefore, long wfesBefore, long rrsAfter, long wfesAfter, long expectedHistory,
                   double minutesSinceHistory, long gatewayRrs, double deletedRrs, double deletedWfes, double seconds, double bounded,
                   double rrAsWritten, double rrFinished, double wfeFinished, int sampled) {
    }

    private RetentionPhase() {
    }

    /** @param base what the history's ages are counted from ({@link History#fill}) */
    static Figures run(KubernautSystem system, int history, java.time.Instant base) {
        KubernetesClient admin = system.cluster().admin();
        String ns = system.namespace();
        // every count pages through the namespace: 100,000 RRs do not fit one answer
        List<String> gatewayMade = new java.util.ArrayList<>();
        KubernautObjects.forEachPaged(KubernautObjects.rrs(admin), ns, rr -> {
            if (!"bench-history".equals(spec(rr).get("clusterID"))) {
                gatewayMade.add(rr.getMetadata().getName());
            }
        });
        List<String> sample = gatewayMade.stream().limit(50).toList();
        double asWritten = meanBytes(admin, ns, "remediationrequests", sample);
        long rrsBefore = KubernautObjects.countPaged(KubernautObjects.rrs(admin), ns);
        long wfesBefore = KubernautObjects.countPaged(KubernautObjects.wfes(admin), ns);
        // the window moves while the sweeps run: an upper bound now, the exact figure at the final count
        long atMost = History.kept(history, RETENTION, HEAD_RETENTION, Duration.between(base, java.time.Instant.now()));
        Map<String, String> settings = Map.of(
                "ORCHESTRATOR_RETENTION_RETENTION", RETENTION.toMinutes() + "m",
                "ORCHESTRATOR_RETENTION_HEAD_RETENTION", HEAD_RETENTION.toMinutes() + "m",
                "ORCHESTRATOR_RETENTION_INTERVAL", "2s",
                "ORCHESTRATOR_RETENTION_MAX_DELETES_PER_SWEEP", "4000",
                "ORCHESTRATOR_RETENTION_DELETES_PER_SECOND", "1000");
        long started = System.nanoTime();
        try (TestWorkflowExecutor executor = new TestWorkflowExecutor(admin, ns, Duration.ofMillis(100))
                .skippingLabelled(History.LABEL).start()) {
            for (int i = 0; i < 3; i++) {
                system.addReplica(ServiceKind.ORCHESTRATOR, settings, Duration.ofSeconds(180));
            }
            long target = atMost + gatewayMade.size();
            Awaitility.await("the store shrinks to heads + the retention window").atMost(Duration.ofMinutes(10))
                    .pollInterval(Duration.ofSeconds(2)).until(() -> {
                        long[] stored = {0, 0};
                        KubernautObjects.forEachPaged(KubernautObjects.rrs(admin), ns, rr -> {
                            stored[0]++;
                            stored[1] += KubernautObjects.rrActive(rr) ? 1 : 0;
                        });
                        return stored[0] <= target && stored[1] == 0;
                    });
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        List<String> finished = sample.stream().filter(n -> KubernautObjects.rrs(admin).inNamespace(ns).withName(n)
                .get() != null).toList();
        List<String> theirWfes = new java.util.ArrayList<>();
        KubernautObjects.forEachPaged(KubernautObjects.wfes(admin), ns, w -> {
            if (finished.contains(KubernautObjects.wfeRemediationRequest(w))) {
                theirWfes.add(w.getMetadata().getName());
            }
        });
        // the orchestrators started with the history were stopped before the Gateways' load: only ours count
        List<Replica> ros = system.orchestrators().replicas().stream().filter(Replica::isAlive).toList();
        // the window keeps moving: the sweeps (every 2 s) follow it; take the count once it matches the window of
        // its moment (or after 30 s, as it is)
        try {
            Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).until(() ->
                    KubernautObjects.countPaged(KubernautObjects.rrs(admin), ns) == gatewayMade.size() + History.kept(history, RETENTION,
                            HEAD_RETENTION, Duration.between(base, java.time.Instant.now())));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            System.out.println("history: the count did not meet the moving window within 30 s: " + e.getMessage());
        }
        Duration since = Duration.between(base, java.time.Instant.now());
        return new Figures(history, rrsBefore, wfesBefore, KubernautObjects.countPaged(KubernautObjects.rrs(admin), ns),
                KubernautObjects.countPaged(KubernautObjects.wfes(admin), ns),
                History.kept(history, RETENTION, HEAD_RETENTION, since), since.toSeconds() / 60.0, gatewayMade.size(),
                sum(ros, "orchestrator_retention_deleted_total", "RemediationRequest"),
                sum(ros, "orchestrator_retention_deleted_total", "WorkflowExecution"), seconds,
                ros.stream().mapToDouble(r -> r.metrics().sum("orchestrator_retention_sweeps_total",
                        Map.of("result", "bounded"))).sum(),
                asWritten, meanBytes(admin, ns, "remediationrequests", finished),
                meanBytes(admin, ns, "workflowexecutions", theirWfes), finished.size());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> spec(GenericKubernetesResource rr) {
        Object spec = rr.getAdditionalProperties().get("spec");
        return spec instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static double sum(List<Replica> replicas, String metric, String kind) {
        return replicas.stream().mapToDouble(r -> r.metrics().sum(metric, Map.of("kind", kind))).sum();
    }

    /** The mean size of the objects' JSON as the API server stores and serves it (a GET's body, in UTF-8 bytes). */
    private static double meanBytes(KubernetesClient admin, String ns, String plural, List<String> names) {
        return names.stream().mapToInt(n -> {
            String json = admin.raw("/apis/kubernaut.ai/v1alpha1/namespaces/" + ns + "/" + plural + "/" + n);
            return json == null ? 0 : json.getBytes(StandardCharsets.UTF_8).length;
        }).average().orElse(0);
    }

    static void print(PrintStream out, Figures f) {
        out.println();
        out.printf("| retention, compressed clock: %d RRs of history ended 0-%d min ago, 3 orchestrators, retention %s, "
                        + "head-retention %s, a sweep every 2 s | RRs | WFEs |%n", f.history(),
                History.ageMinutes(f.history() - 1), RETENTION, HEAD_RETENTION);
        out.println("| --- | --- | --- |");
        out.printf("| stored before (history + %d RRs the Gateway made in this phase, not yet run) | %d | %d |%n",
                f.gatewayRrs(), f.rrsBefore(), f.wfesBefore());
        out.printf("| stored after the sweeps (%.0f s from the orchestrators' start; %.0f sweeps hit the per-sweep "
                + "limit) | %d | %d |%n", f.seconds(), f.bounded(), f.rrsAfter(), f.wfesAfter());
        out.printf("| expected at the final count (%.1f min after the history's base): its heads ended < %s and RRs "
                + "ended < %s (%d), plus the Gateway's (%d) | %d | %d |%n", f.minutesSinceHistory(), HEAD_RETENTION,
                RETENTION, f.expectedHistory(), f.gatewayRrs(),
                f.expectedHistory() + f.gatewayRrs(), f.expectedHistory() + f.gatewayRrs());
        out.printf("| deleted (orchestrator_retention_deleted_total) | %.0f | %.0f |%n", f.deletedRrs(), f.deletedWfes());
        out.println();
        out.printf("| stored JSON per object (mean of %d, GET body) | bytes |%n", f.sampled());
        out.println("| --- | --- |");
        out.printf("| RR as the Gateway writes it (created, first status: Pending, deduplication) | %.0f |%n",
                f.rrAsWritten());
        out.printf("| the same RR Completed by the orchestrator (+ completionStatus, selectedWorkflow, terminal label) | "
                + "%.0f |%n", f.rrFinished());
        out.printf("| its WorkflowExecution, Completed | %.0f |%n", f.wfeFinished());
    }
}
