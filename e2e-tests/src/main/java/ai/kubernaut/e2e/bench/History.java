package ai.kubernaut.e2e.bench;

import ai.kubernaut.e2e.observe.KubernautObjects;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

/**
 * Fills a namespace with terminal RemediationRequests shaped like the Gateway's own: its labels and annotations,
 * the full spec with an Alertmanager payload of about 1 KiB, signal labels and annotations, and a Completed status
 * with a deduplication block, each with the Completed WorkflowExecution the orchestrator would have run for it and
 * the orchestrator's terminal label. What a long-running installation accumulates, so the benchmark can show what
 * the Gateway's watch-backed view costs (memory, start-up), that the signal path does not slow down with it, and
 * what the orchestrator's retention sweep leaves of it.
 *
 * <p>Shape: {@link #WORKLOADS} workloads, one fingerprint each; RR {@code i} belongs to workload {@code i % 500},
 * generation {@code i / 500} of its chain (0 = the newest, the chain's head; each RR supersedes the one of the next
 * generation, named as the Gateway names them), and ended {@code 10 * generation + workload} minutes ago.
 */
final class History {

    private static final int WRITERS = 8;
    static final int WORKLOADS = 500;
    /** On the history's WFEs only: the benchmark's workflow executor leaves them alone (they are finished). */
    static final String LABEL = "bench.kubernaut.ai/history";
    static final int GENERATION_MINUTES = 10;

    private History() {
    }

    /**
     * Writes {@code count} RRs with their WFEs; RR {@code i} ended {@link #ageMinutes} before the returned instant
     * (one base for all, so that what a sweep keeps at any later moment is {@link #kept} with the time since it).
     */
    static Instant fill(KubernetesClient admin, String namespace, int count) {
        Instant base = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        try {
            List<Future<?>> done = IntStream.range(0, WRITERS).<Future<?>>mapToObj(w -> pool.submit(() -> {
                for (int i = w; i < count; i += WRITERS) {
                    write(admin, namespace, i, count, base);
                }
            })).toList();
            for (Future<?> f : done) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while filling the history", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("filling the history failed", e.getCause());
        } finally {
            pool.shutdownNow();
        }
        return base;
    }

    /** Minutes since RR {@code i} ended. */
    static long ageMinutes(int i) {
        return (long) (i / WORKLOADS) * GENERATION_MINUTES + i % WORKLOADS;
    }

    /** The newest generation of workload {@code w}'s chain in a history of {@code count}. */
    private static int oldestGeneration(int w, int count) {
        return (count - 1 - w) / WORKLOADS;
    }

    /** The Gateway's name of generation {@code g} of the chain of fingerprint {@code fp} (oldest first). */
    private static String name(String fp, int g, int oldest) {
        String name = null;
        for (int k = oldest; k >= g; k--) {
            name = "rr-" + fp.substring(0, 12) + "-" + sha256Hex(fp + "|" + (name == null ? "" : name)).substring(0, 8);
        }
        return name;
    }

    private static void write(KubernetesClient admin, String namespace, int i, int count, Instant base) {
        int w = i % WORKLOADS;
        int g = i / WORKLOADS;
        int oldest = oldestGeneration(w, count);
        String workload = "history-app-" + w;
        String fingerprint = sha256Hex("history-apps:Deployment:" + workload);
        String name = name(fingerprint, g, oldest);
        String predecessor = g == oldest ? null : name(fingerprint, g + 1, oldest);
        String at = base.minus(ageMinutes(i), ChronoUnit.MINUTES).toString();
        String targetKey = "history-apps/Deployment/" + workload;
        String targetHash = sha256Hex(targetKey).substring(0, 16);
        long sequence = oldest - g + 1;
        String wfeName = "wfe-" + targetHash + "-" + sequence;
        Map<String, Object> target = new LinkedHashMap<>();
        target.put("kind", "Deployment");
        target.put("name", workload);
        target.put("namespace", "history-apps");
        target.put("apiVersion", "apps/v1");
        Map<String, String> labels = Map.of("alertname", "KubePodCrashLooping", "severity", "critical",
                "namespace", "history-apps", "deployment", workload, "pod", workload + "-7d9f8b6c5-x2x7k",
                "container", "app", "job", "kube-state-metrics", "prometheus", "monitoring/k8s");
        Map<String, String> annotations = Map.of("summary", "Pod history-apps/" + workload + " is crash looping",
                "description", "Pod history-apps/" + workload + " (container app) is in waiting state (reason: "
                        + "CrashLoopBackOff) for more than 15 minutes.",
                "runbook_url", "https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubepodcrashlooping");
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("signalFingerprint", fingerprint);
        spec.put("signalName", "KubePodCrashLooping");
        spec.put("severity", "critical");
        spec.put("signalType", "prometheus-alert");
        spec.put("signalSource", "alertmanager");
        spec.put("targetType", "kubernetes");
        spec.put("targetResource", target);
        spec.put("clusterID", "bench-history");
        spec.put("firingTime", at);
        spec.put("receivedTime", at);
        spec.put("signalLabels", labels);
        spec.put("signalAnnotations", annotations);
        spec.put("originalPayload", "{\"status\":\"firing\",\"labels\":" + json(labels) + ",\"annotations\":"
                + json(annotations) + ",\"startsAt\":\"" + at + "\",\"endsAt\":\"0001-01-01T00:00:00Z\","
                + "\"generatorURL\":\"http://prometheus-k8s-0:9090/graph?g0.expr=max_over_time%28kube_pod_container_"
                + "status_waiting_reason%7Breason%3D%22CrashLoopBackOff%22%7D%5B5m%5D%29+%3E%3D+1\",\"fingerprint\":\""
                + fingerprint.substring(0, 16) + "\"}");
        var metadata = new GenericKubernetesResourceBuilder()
                .withApiVersion(KubernautObjects.API_VERSION).withKind(KubernautObjects.RR_KIND)
                .withNewMetadata().withName(name).withNamespace(namespace)
                .addToLabels("app.kubernetes.io/managed-by", "gateway-service")
                .addToLabels("app.kubernetes.io/component", "remediation")
                .addToLabels("kubernaut.ai/fingerprint", fingerprint.substring(0, 63))
                .addToLabels("kubernaut.ai/shard", targetHash.substring(0, 2))
                .addToLabels("kubernaut.ai/terminal", "true")
                .addToAnnotations("kubernaut.ai/creation-token", fingerprint.substring(16, 32));
        if (predecessor != null) {
            metadata.addToAnnotations("kubernaut.ai/supersedes", predecessor);
        }
        GenericKubernetesResource rr = metadata.endMetadata().addToAdditionalProperties("spec", spec).build();
        var rrs = KubernautObjects.rrs(admin).inNamespace(namespace);
        GenericKubernetesResource created = rrs.resource(rr).create();
        rrs.withName(name).subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"status\":{\"overallPhase\":\"Completed\",\"phaseStartedAt\":\"" + at + "\",\"deduplication\":"
                        + "{\"firstSeenAt\":\"" + at + "\",\"lastSeenAt\":\"" + at + "\",\"occurrenceCount\":"
                        + (1 + i % 7) + "},\"workflowExecutionRef\":\"" + wfeName + "\",\"completionStatus\":"
                        + "{\"outcome\":\"Remediated\",\"completedAt\":\"" + at + "\",\"workflowExecutionRef\":\""
                        + wfeName + "\"}}}");
        String uid = created.getMetadata().getUid();
        GenericKubernetesResource wfe = new GenericKubernetesResourceBuilder()
                .withApiVersion(KubernautObjects.API_VERSION).withKind(KubernautObjects.WFE_KIND)
                .withNewMetadata().withName(wfeName).withNamespace(namespace)
                .addToLabels(LABEL, "true")
                .addToLabels("kubernaut.ai/target-hash", targetHash)
                .addToLabels("kubernaut.ai/shard", targetHash.substring(0, 2))
                .addToLabels("kubernaut.ai/remediation-request", name)
                .addToLabels("app.kubernetes.io/managed-by", "remediation-orchestrator")
                .addNewOwnerReference().withApiVersion(KubernautObjects.API_VERSION).withKind(KubernautObjects.RR_KIND)
                .withName(name).withUid(uid).withController(true).endOwnerReference()
                .endMetadata()
                .addToAdditionalProperties("spec", Map.of(
                        "remediationRequestRef", Map.of("apiVersion", KubernautObjects.API_VERSION,
                                "kind", KubernautObjects.RR_KIND, "name", name, "namespace", namespace, "uid", uid),
                        "workflowRef", Map.of("workflowId", "restart-deployment", "workflowName", "Restart",
                                "actionType", "restart", "version", "1.0.0",
                                "executionBundle", "bundles/restart-deployment:1.0.0"),
                        "targetResource", targetKey))
                .build();
        var wfes = KubernautObjects.wfes(admin).inNamespace(namespace);
        wfes.resource(wfe).create();
        wfes.withName(wfeName).subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"status\":{\"phase\":\"Completed\",\"startTime\":\"" + at + "\",\"completionTime\":\"" + at
                        + "\"}}");
    }

    /**
     * How many of a history of {@code count} a retention sweep keeps {@code since} after the history's base instant:
     * the heads (generation 0) ended less than {@code headRetention} ago and the other RRs ended less than
     * {@code retention} ago, each with its WFE (an RR kept keeps every newer RR of its chain: they ended later).
     */
    static long kept(int count, Duration retention, Duration headRetention, Duration since) {
        long kept = 0;
        for (int i = 0; i < count; i++) {
            Duration age = Duration.ofMinutes(ageMinutes(i)).plus(since);
            boolean head = i / WORKLOADS == 0;
            if (age.compareTo(head ? headRetention : retention) < 0) {
                kept++;
            }
        }
        return kept;
    }

    private static String json(Map<String, String> m) {
        StringBuilder b = new StringBuilder("{");
        m.forEach((k, v) -> b.append(b.length() > 1 ? "," : "").append('"').append(k).append("\":\"")
                .append(v.replace("\"", "\\\"")).append('"'));
        return b.append('}').toString();
    }

    private static String sha256Hex(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
