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
 * with a deduplication block. What a long-running installation accumulates, so the benchmark can show what the
 * Gateway's watch-backed view costs (memory, start-up) and that the signal path does not slow down with it.
 */
final class History {

    private static final int WRITERS = 8;

    private History() {
    }

    static void fill(KubernetesClient admin, String namespace, int count) {
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        try {
            List<Future<?>> done = IntStream.range(0, WRITERS).<Future<?>>mapToObj(w -> pool.submit(() -> {
                for (int i = w; i < count; i += WRITERS) {
                    write(admin, namespace, i);
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
    }

    private static void write(KubernetesClient admin, String namespace, int i) {
        String fingerprint = sha256Hex("history-" + i);
        String name = "rr-" + fingerprint.substring(0, 12) + "-" + sha256Hex(fingerprint + "|").substring(0, 8);
        String at = Instant.now().minus(i, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS).toString();
        String workload = "history-app-" + (i % 500);
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
        GenericKubernetesResource rr = new GenericKubernetesResourceBuilder()
                .withApiVersion(KubernautObjects.API_VERSION).withKind(KubernautObjects.RR_KIND)
                .withNewMetadata().withName(name).withNamespace(namespace)
                .addToLabels("app.kubernetes.io/managed-by", "gateway-service")
                .addToLabels("app.kubernetes.io/component", "remediation")
                .addToLabels("kubernaut.ai/fingerprint", fingerprint.substring(0, 63))
                .addToAnnotations("kubernaut.ai/creation-token", fingerprint.substring(16, 32))
                .endMetadata()
                .addToAdditionalProperties("spec", spec)
                .build();
        var rrs = KubernautObjects.rrs(admin).inNamespace(namespace);
        rrs.resource(rr).create();
        rrs.withName(name).subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"status\":{\"overallPhase\":\"Completed\",\"phaseStartedAt\":\"" + at + "\",\"deduplication\":"
                        + "{\"firstSeenAt\":\"" + at + "\",\"lastSeenAt\":\"" + at + "\",\"occurrenceCount\":"
                        + (1 + i % 7) + "}}}");
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
