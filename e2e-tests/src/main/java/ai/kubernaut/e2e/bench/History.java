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
 * Fills a namespace with the history a long-running installation accumulates: terminal RemediationRequests shaped
 * like the Gateway's own (its labels and annotations, the full spec with an Alertmanager payload of about 1 KiB,
 * signal labels and annotations, fenced names chained per fingerprint by {@code kubernaut.ai/supersedes}), finished
 * as the orchestrator finishes them (a Completed status with the Gateway's deduplication block and the
 * orchestrator's completion, workflow and WFE reference, then the label {@code kubernaut.ai/terminal: "true"}), and
 * with {@code executions} each RR's Completed WorkflowExecution as the orchestrator creates it (its labels, owner,
 * a sequence per target). The RRs are spread over {@code targets} workloads, so each fingerprint's chain is
 * {@code count / targets} long: a recurring alert per workload over months. The benchmark shows what the services'
 * caches cost with it (memory, start-up) and that the signal path does not slow down.
 */
final class History {

    private static final int WRITERS = 8;
    static final String APPS = "history-apps";

    private History() {
    }

    static void fill(KubernetesClient admin, String namespace, int count, int targets, boolean executions) {
        int perTarget = Math.max(1, count / targets);
        int chains = (count + perTarget - 1) / perTarget;
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        try {
            List<Future<?>> done = IntStream.range(0, WRITERS).<Future<?>>mapToObj(w -> pool.submit(() -> {
                for (int t = w; t < chains; t += WRITERS) {
                    writeChain(admin, namespace, t, Math.min(perTarget, count - t * perTarget), executions);
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

    /** The RRs (and WFEs) of one workload, oldest first: each supersedes the one before. */
    private static void writeChain(KubernetesClient admin, String namespace, int target, int length,
            boolean executions) {
        String workload = "history-app-" + target;
        String fingerprint = sha256Hex("history:" + APPS + ":Deployment:" + workload);
        String targetKey = APPS + "/Deployment/" + workload;
        String targetHash = sha256Hex(targetKey).substring(0, 16);
        String predecessor = null;
        for (int i = 0; i < length; i++) {
            String name = "rr-" + fingerprint.substring(0, 12) + "-"
                    + sha256Hex(fingerprint + "|" + (predecessor == null ? "" : predecessor)).substring(0, 8);
            // one incident every few hours, the newest an hour ago
            String at = Instant.now().minus(1 + 3L * (length - i), ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS)
                    .toString();
            String wfe = "wfe-" + targetHash + "-" + (i + 1);
            GenericKubernetesResource rr = request(namespace, name, predecessor, fingerprint, workload, targetHash, at);
            var rrs = KubernautObjects.rrs(admin).inNamespace(namespace);
            String uid = rrs.resource(rr).create().getMetadata().getUid();
            rrs.withName(name).subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE),
                    "{\"status\":{\"overallPhase\":\"Completed\",\"phaseStartedAt\":\"" + at + "\",\"deduplication\":"
                            + "{\"firstSeenAt\":\"" + at + "\",\"lastSeenAt\":\"" + at + "\",\"occurrenceCount\":"
                            + (1 + i % 7) + "},\"workflowExecutionRef\":\"" + wfe + "\",\"selectedWorkflow\":"
                            + "{\"workflowId\":\"restart-deployment\",\"actionType\":\"restart\"},\"completionStatus\":"
                            + "{\"outcome\":\"Remediated\",\"message\":\"WorkflowExecution " + wfe + " completed\","
                            + "\"completedAt\":\"" + at + "\",\"workflowExecutionRef\":\"" + wfe + "\"}}}");
            if (executions) {
                var wfes = KubernautObjects.wfes(admin).inNamespace(namespace);
                wfes.resource(execution(namespace, wfe, name, uid, targetKey, targetHash)).create();
                wfes.withName(wfe).subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE),
                        "{\"status\":{\"phase\":\"Completed\",\"startTime\":\"" + at + "\",\"completionTime\":\"" + at
                                + "\"}}");
            }
            predecessor = name;
        }
    }

    private static GenericKubernetesResource request(String namespace, String name, String predecessor,
            String fingerprint, String workload, String targetHash, String at) {
        Map<String, Object> target = new LinkedHashMap<>();
        target.put("kind", "Deployment");
        target.put("name", workload);
        target.put("namespace", APPS);
        target.put("apiVersion", "apps/v1");
        Map<String, String> labels = Map.of("alertname", "KubePodCrashLooping", "severity", "critical",
                "namespace", APPS, "deployment", workload, "pod", workload + "-7d9f8b6c5-x2x7k",
                "container", "app", "job", "kube-state-metrics", "prometheus", "monitoring/k8s");
        Map<String, String> annotations = Map.of("summary", "Pod " + APPS + "/" + workload + " is crash looping",
                "description", "Pod " + APPS + "/" + workload + " (container app) is in waiting state (reason: "
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
        GenericKubernetesResourceBuilder rr = new GenericKubernetesResourceBuilder()
                .withApiVersion(KubernautObjects.API_VERSION).withKind(KubernautObjects.RR_KIND)
                .withNewMetadata().withName(name).withNamespace(namespace)
                .addToLabels("app.kubernetes.io/managed-by", "gateway-service")
                .addToLabels("app.kubernetes.io/component", "remediation")
                .addToLabels("kubernaut.ai/fingerprint", fingerprint.substring(0, 63))
                .addToLabels("kubernaut.ai/shard", targetHash.substring(0, 2))
                // written by the orchestrator after the terminal status (written here at once: same end state)
                .addToLabels("kubernaut.ai/terminal", "true")
                .addToAnnotations("kubernaut.ai/creation-token", fingerprint.substring(16, 32))
                .endMetadata()
                .addToAdditionalProperties("spec", spec);
        if (predecessor != null) {
            rr.editMetadata().addToAnnotations("kubernaut.ai/supersedes", predecessor).endMetadata();
        }
        return rr.build();
    }

    private static GenericKubernetesResource execution(String namespace, String name, String rrName, String rrUid,
            String targetKey, String targetHash) {
        Map<String, Object> ref = new LinkedHashMap<>();
        ref.put("apiVersion", KubernautObjects.API_VERSION);
        ref.put("kind", KubernautObjects.RR_KIND);
        ref.put("name", rrName);
        ref.put("namespace", namespace);
        ref.put("uid", rrUid);
        Map<String, Object> workflow = new LinkedHashMap<>();
        workflow.put("workflowId", "restart-deployment");
        workflow.put("workflowName", "Restart Deployment");
        workflow.put("actionType", "restart");
        workflow.put("version", "1.0.0");
        workflow.put("executionBundle", "quay.io/kubernaut/workflows/restart-deployment:1.0.0");
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("remediationRequestRef", ref);
        spec.put("workflowRef", workflow);
        spec.put("targetResource", targetKey);
        spec.put("parameters", Map.of("strategy", "rolling", "timeout", "10m"));
        return new GenericKubernetesResourceBuilder()
                .withApiVersion(KubernautObjects.API_VERSION).withKind(KubernautObjects.WFE_KIND)
                .withNewMetadata().withName(name).withNamespace(namespace)
                .addToLabels("kubernaut.ai/target-hash", targetHash)
                .addToLabels("kubernaut.ai/shard", targetHash.substring(0, 2))
                .addToLabels("kubernaut.ai/remediation-request", rrName)
                .addToLabels("app.kubernetes.io/managed-by", "remediation-orchestrator")
                .addNewOwnerReference().withApiVersion(KubernautObjects.API_VERSION).withKind(KubernautObjects.RR_KIND)
                .withName(rrName).withUid(rrUid).withController(true).endOwnerReference()
                .endMetadata()
                .addToAdditionalProperties("spec", spec)
                .build();
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
