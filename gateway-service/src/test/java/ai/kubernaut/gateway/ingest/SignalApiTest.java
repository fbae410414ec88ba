package ai.kubernaut.gateway.ingest;

import static ai.kubernaut.gateway.ingest.testing.Payloads.alert;
import static ai.kubernaut.gateway.ingest.testing.Payloads.event;
import static ai.kubernaut.gateway.ingest.testing.Payloads.podAlert;
import static ai.kubernaut.gateway.ingest.testing.Payloads.webhook;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.gateway.dedup.RecordingFailure;
import ai.kubernaut.gateway.fingerprint.Fingerprints;
import ai.kubernaut.gateway.ingest.testing.FakeSignalRecorder;
import ai.kubernaut.gateway.ingest.testing.IngestTestCluster;
import ai.kubernaut.gateway.ingest.testing.IngestTestProfile;
import ai.kubernaut.gateway.signal.Signal;
import ai.kubernaut.testserver.ApiServerControl;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.micrometer.core.instrument.MeterRegistry;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

@QuarkusTest
@TestProfile(IngestTestProfile.class)
class SignalApiTest extends IngestTestBase {

    @Inject
    MeterRegistry registry;

    @Test
    void oneAlertIsCreatedThenCountedAsDuplicate() {
        String fp = Fingerprints.sha256Hex("demo:Pod:web-1");
        postAlertmanager(webhook(podAlert("KubePodCrashLooping", "demo", "web-1")))
                .statusCode(201)
                .contentType("application/json")
                .body("status", equalTo("created"))
                .body("fingerprint", equalTo(fp))
                .body("duplicate", equalTo(false))
                .body("remediationRequestName", equalTo(FakeSignalRecorder.rrName(fp)))
                .body("remediationRequestNamespace", equalTo(IngestTestCluster.NAMESPACE))
                .body("occurrenceCount", equalTo(1))
                .body("firstOccurrence", containsString("T"))
                .body("lastOccurrence", containsString("T"));
        postAlertmanager(webhook(podAlert("KubePodCrashLooping", "demo", "web-1")))
                .statusCode(202)
                .body("status", equalTo("duplicate"))
                .body("duplicate", equalTo(true))
                .body("occurrenceCount", equalTo(2));

        Signal s = recorder.seen().get(0);
        assertEquals(fp, s.fingerprint());
        assertEquals("KubePodCrashLooping", s.signalName());
        assertEquals("critical", s.severity());
        assertEquals("prometheus-alert", s.signalType());
        assertEquals("kubernaut", s.signalSource());
        // the pod does not exist in the cluster: owner lookup 404 -> the pod itself
        assertEquals(new Signal.Resource("Pod", "web-1", "demo", "v1"), s.resource());
        assertEquals("", s.clusterId());
        assertEquals(Instant.parse("2024-05-01T10:00:00.123Z"), s.firingTime());
        assertEquals("kube-state-metrics", s.labels().get("job"));
        assertEquals("pod is crash looping", s.annotations().get("summary"));
        assertTrue(s.originalPayload().contains("\"alertname\":\"KubePodCrashLooping\""), s.originalPayload());
        assertTrue(Duration.between(s.receivedTime(), Instant.now()).abs().toSeconds() < 60);
    }

    @Test
    void podAlertIsFingerprintedOnItsDeployment() {
        String ns = "shop";
        cluster.apps().deployments().inNamespace(ns).resource(new DeploymentBuilder().withNewMetadata()
                .withName("cart").withUid("uid-dep").endMetadata().build()).create();
        cluster.apps().replicaSets().inNamespace(ns).resource(new ReplicaSetBuilder().withNewMetadata()
                .withName("cart-7d9f").withUid("uid-rs").addNewOwnerReference().withApiVersion("apps/v1")
                .withKind("Deployment").withName("cart").withUid("uid-dep").withController(true).endOwnerReference()
                .endMetadata().build()).create();
        cluster.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName("cart-7d9f-x2x4z")
                .addNewOwnerReference().withApiVersion("apps/v1").withKind("ReplicaSet").withName("cart-7d9f")
                .withUid("uid-rs").withController(true).endOwnerReference().endMetadata().build()).create();

        String fp = Fingerprints.sha256Hex("shop:Deployment:cart");
        postAlertmanager(webhook(podAlert("KubePodCrashLooping", ns, "cart-7d9f-x2x4z")))
                .statusCode(201).body("fingerprint", equalTo(fp));
        // another pod of the same deployment, another alert name: same fingerprint
        cluster.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName("cart-7d9f-abcde")
                .addNewOwnerReference().withApiVersion("apps/v1").withKind("ReplicaSet").withName("cart-7d9f")
                .withUid("uid-rs").withController(true).endOwnerReference().endMetadata().build()).create();
        postAlertmanager(webhook(podAlert("KubePodNotReady", ns, "cart-7d9f-abcde")))
                .statusCode(202).body("fingerprint", equalTo(fp));
        assertEquals(new Signal.Resource("Deployment", "cart", ns, "apps/v1"), recorder.seen().get(0).resource());
    }

    @Test
    void clusterIdComesFromTheAlertOrCommonLabels() {
        ObjectNode body = webhook(podAlert("KubePodCrashLooping", "demo", "api-0"));
        ((ObjectNode) body.get("commonLabels")).put("cluster", "prod-eu");
        postAlertmanager(body).statusCode(201)
                .body("fingerprint", equalTo(Fingerprints.sha256Hex("prod-eu:demo:Pod:api-0")));
        postAlertmanager(webhook(alert("alertname", "NodeDown", "node", "worker-1", "cluster", "prod-us")))
                .statusCode(201)
                .body("fingerprint", equalTo(Fingerprints.sha256Hex("prod-us::Node:worker-1")));
        assertEquals("prod-eu", recorder.seen().get(0).clusterId());
        assertEquals(new Signal.Resource("Node", "worker-1", "", "v1"), recorder.seen().get(1).resource());
    }

    @Test
    void outOfScopeAndResolvedAlertsAreRejectedWithoutRecording() {
        postAlertmanager(webhook(podAlert("KubePodCrashLooping", IngestTestProfile.DENIED_NAMESPACE, "coredns-1")))
                .statusCode(200)
                .contentType("application/json")
                .body("status", equalTo("rejected"))
                .body("reason", equalTo("out_of_scope"))
                .body("message", containsString("kube-system"))
                .body("remediationRequestName", nullValue());
        ObjectNode resolved = podAlert("KubePodCrashLooping", "demo", "web-1");
        resolved.put("status", "resolved");
        postAlertmanager(webhook(resolved)).statusCode(200)
                .body("status", equalTo("rejected")).body("reason", equalTo("resolved_alert"));
        assertNothingRecordedOrCreated();
    }

    @Test
    void unknownFieldsAreIgnored() {
        ObjectNode a = podAlert("KubePodCrashLooping", "demo", "web-9");
        a.put("somethingNew", 42).putObject("nested").putArray("x").add(1);
        ObjectNode body = webhook(a);
        body.put("version", "5");
        body.putObject("futureField").put("a", "b");
        postAlertmanager(body).statusCode(201);
        assertEquals(1, recorder.seen().size());
    }

    @Test
    void warningEventsAreSignalsAndNormalEventsAreRejected() {
        String fp = Fingerprints.sha256Hex("demo:Pod:db-0");
        postEvent(event("Warning", "BackOff", "Pod", "demo", "db-0")).statusCode(201)
                .body("status", equalTo("created")).body("fingerprint", equalTo(fp));
        Signal s = recorder.seen().get(0);
        assertEquals("BackOff", s.signalName());
        assertEquals("kubernetes-event", s.signalType());
        assertEquals("warning", s.severity());
        assertEquals("kubelet", s.signalSource());
        assertEquals("Back-off restarting failed container", s.annotations().get("message"));

        postEvent(event("Error", "FailedMount", "Pod", "demo", "db-0")).statusCode(202);
        postEvent(event("Normal", "Pulled", "Pod", "demo", "db-0")).statusCode(200)
                .body("status", equalTo("rejected")).body("reason", equalTo("normal_event"));
        assertEquals(2, recorder.seen().size());
        postEvent(event("Warning", "NodeNotReady", "Node", "default", "worker-2")).statusCode(201)
                .body("fingerprint", equalTo(Fingerprints.sha256Hex(":Node:worker-2")));
    }

    @Test
    void severalAlertsAnswer207WithOneResultEach() {
        postAlertmanager(webhook(podAlert("KubePodCrashLooping", "demo", "batch-0"))).statusCode(201);
        ObjectNode invalid = alert("severity", "warning", "namespace", "demo", "pod", "x");
        postAlertmanager(webhook(
                podAlert("KubePodCrashLooping", "demo", "batch-1"),
                podAlert("KubePodCrashLooping", "demo", "batch-0"),
                podAlert("KubePodCrashLooping", IngestTestProfile.DENIED_NAMESPACE, "batch-2"),
                invalid))
                .statusCode(207)
                .contentType("application/json")
                .body("results", hasSize(4))
                .body("results[0].status", equalTo("created"))
                .body("results[0].fingerprint", equalTo(Fingerprints.sha256Hex("demo:Pod:batch-1")))
                .body("results[1].status", equalTo("duplicate"))
                .body("results[2].status", equalTo("rejected"))
                .body("results[3].status", equalTo("failed"))
                .body("results[3].error", containsString("alerts[3].labels.alertname"))
                .body("summary.total", equalTo(4))
                .body("summary.created", equalTo(1))
                .body("summary.deduplicated", equalTo(1))
                .body("summary.rejected", equalTo(1))
                .body("summary.failed", equalTo(1));
        assertEquals(3, recorder.seen().size(), "batch-0 twice and batch-1; not the denied or invalid ones");
    }

    @Test
    void recordingFailuresMapToTheirStatusCodes() {
        recorder.failWith(RecordingFailure.Reason.LOCK_TIMEOUT, Duration.ofMillis(2500), null);
        postAlertmanager(webhook(podAlert("A", "demo", "p-1"))).statusCode(503)
                .contentType("application/problem+json")
                .header("Retry-After", "3")
                .body("type", equalTo("https://kubernaut.ai/problems/lock-timeout"))
                .body("status", equalTo(503))
                .body("instance", equalTo(PROMETHEUS));

        // every 503 and 504 carries Retry-After: the failure's own, else gateway.http.retry-after (1 s)
        recorder.failWith(RecordingFailure.Reason.KUBERNETES_DEADLINE, null, null);
        postAlertmanager(webhook(podAlert("A", "demo", "p-1"))).statusCode(504)
                .contentType("application/problem+json").body("title", equalTo("Kubernetes deadline exceeded"))
                .header("Retry-After", "1");
        recorder.failWith(RecordingFailure.Reason.KUBERNETES_DEADLINE, Duration.ofSeconds(5), null);
        postAlertmanager(webhook(podAlert("A", "demo", "p-1"))).statusCode(504).header("Retry-After", "5");

        recorder.failWith(RecordingFailure.Reason.API_UNAVAILABLE, Duration.ofSeconds(5),
                new KubernetesClientException("no answer"));
        postAlertmanager(webhook(podAlert("A", "demo", "p-1"))).statusCode(503)
                .contentType("application/problem+json").header("Retry-After", "5")
                .body("type", equalTo("https://kubernaut.ai/problems/kubernetes-unavailable"));

        // API_ERROR is 500 unless the one classifier calls its cause transient
        recorder.failWith(RecordingFailure.Reason.API_ERROR, null, new KubernetesClientException("boom", 500, null));
        postAlertmanager(webhook(podAlert("A", "demo", "p-1"))).statusCode(503)
                .contentType("application/problem+json").header("Retry-After", "1");
        recorder.failWith(RecordingFailure.Reason.API_ERROR, null, new KubernetesClientException("slow", 429, null));
        postAlertmanager(webhook(podAlert("A", "demo", "p-1"))).statusCode(503).header("Retry-After", "1");

        recorder.failWith(RecordingFailure.Reason.API_ERROR, null, new KubernetesClientException("bad", 422, null));
        postAlertmanager(webhook(podAlert("A", "demo", "p-1"))).statusCode(500).header("Retry-After", nullValue())
                .contentType("application/problem+json").body("type", equalTo("https://kubernaut.ai/problems/kubernetes-error"));

        recorder.respond(s -> {
            throw new IllegalStateException("bug with secret detail");
        });
        postAlertmanager(webhook(podAlert("A", "demo", "p-1"))).statusCode(500)
                .contentType("application/problem+json")
                .body("detail", equalTo("internal error (IllegalStateException)"));

        recorder.failWith(RecordingFailure.Reason.LOCK_TIMEOUT, Duration.ofSeconds(1), null);
        postAlertmanager(webhook(podAlert("A", "demo", "p-1"), podAlert("B", "demo", "p-2"))).statusCode(503)
                .contentType("application/problem+json")
                .body("summary.failed", equalTo(2))
                .body("results[0].error", equalTo("scripted LOCK_TIMEOUT"));
        assertEquals(10, recorder.seen().size());
    }

    /** How one alert of a notification fails, and whether a retry of the notification can fix it. */
    record ItemFailure(String name, RecordingFailure failure, String problemType, boolean retryable) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<ItemFailure> itemFailures() {
        return List.of(
                new ItemFailure("lock timeout", new RecordingFailure(RecordingFailure.Reason.LOCK_TIMEOUT, "held",
                        Duration.ofMillis(2500), null), "lock-timeout", true),
                new ItemFailure("recorder deadline", new RecordingFailure(RecordingFailure.Reason.KUBERNETES_DEADLINE,
                        "late", null, null), "kubernetes-deadline", true),
                new ItemFailure("API unavailable", new RecordingFailure(RecordingFailure.Reason.API_UNAVAILABLE,
                        "no answer", Duration.ofSeconds(5), null), "kubernetes-unavailable", true),
                new ItemFailure("API 500 (transient)", new RecordingFailure(RecordingFailure.Reason.API_ERROR, "boom",
                        null, new KubernetesClientException("boom", 500, null)), "kubernetes-unavailable", true),
                new ItemFailure("API 422 (for good)", new RecordingFailure(RecordingFailure.Reason.API_ERROR, "bad",
                        null, new KubernetesClientException("bad", 422, null)), "kubernetes-error", false),
                new ItemFailure("a bug", null, "internal-error", false));
    }

    /**
     * Every item failure type of a notification: one a retry can fix answers the whole notification 503 +
     * Retry-After (the failures' longest) with every alert listed, so that Alertmanager sends it again; one it cannot
     * keeps the 207. Each failure is counted in gateway_signals_failed_total{type}.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("itemFailures")
    void aNotificationIs503WhenAnAlertFailedInAWayARetryCanFixElse207(ItemFailure item) {
        recorder.respond(s -> {
            if (!s.resource().name().startsWith("fails")) {
                return FakeSignalRecorder.created(s);
            }
            if (item.failure() == null) {
                throw new IllegalStateException("bug");
            }
            throw item.failure();
        });
        double failedBefore = failedCount(item.problemType());
        ValidatableResponse answer = postAlertmanager(webhook(podAlert("A", "demo", "ok-1"),
                podAlert("A", "demo", "fails-1"), alert("severity", "warning", "namespace", "demo", "pod", "x"),
                podAlert("A", "demo", "ok-2")));
        if (item.retryable()) {
            answer.statusCode(503).contentType("application/problem+json")
                    .header("Retry-After", item.failure().retryAfter() == null ? "1"
                            : Problems.retryAfterSeconds(item.failure().retryAfter()))
                    .body("type", equalTo("https://kubernaut.ai/problems/alerts-not-recorded"))
                    .body("status", equalTo(503))
                    .body("instance", equalTo(PROMETHEUS))
                    .body("detail", containsString("1 of 4 alerts not recorded (" + item.problemType() + ")"))
                    .body("detail", containsString("the 2 recorded now will be counted again"));
        } else {
            answer.statusCode(207).contentType("application/json").header("Retry-After", nullValue());
        }
        answer.body("results", hasSize(4))
                .body("results[0].status", equalTo("created"))
                .body("results[1].status", equalTo("failed"))
                .body("results[1].message", equalTo("signal not recorded"))
                .body("results[2].status", equalTo("failed"))
                .body("results[2].message", equalTo("invalid signal"))
                .body("results[3].status", equalTo("created"))
                .body("summary.created", equalTo(2))
                .body("summary.failed", equalTo(2));
        assertEquals(failedBefore + 1, failedCount(item.problemType()), "gateway_signals_failed_total{type}");
    }

    @Test
    void aNotificationWhoseOnlyFailureIsAnInvalidAlertStays207AndCountsNoFailure() {
        double failed = IngestMetrics.SIGNAL_FAILURES.stream().mapToDouble(t -> failedCount(t.slug())).sum();
        postAlertmanager(webhook(podAlert("A", "demo", "fine-1"), alert("severity", "warning"))).statusCode(207)
                .body("summary.failed", equalTo(1));
        assertEquals(failed, IngestMetrics.SIGNAL_FAILURES.stream().mapToDouble(t -> failedCount(t.slug())).sum(),
                "an invalid alert is a rejection (gateway_signals_rejected_total{reason=invalid_signal}), no failure");
    }

    @Test
    void aSingleSignalsFailureIsCountedToo() {
        double before = failedCount("lock-timeout");
        recorder.failWith(RecordingFailure.Reason.LOCK_TIMEOUT, Duration.ofSeconds(1), null);
        postAlertmanager(webhook(podAlert("A", "demo", "single-1"))).statusCode(503);
        assertEquals(before + 1, failedCount("lock-timeout"));
    }

    private double failedCount(String type) {
        return registry.counter("gateway.signals.failed", "type", type).count();
    }

    @Test
    void aTransientFaultOfAnOwnerLookupInANotificationIs503ForTheWholeNotification() {
        new ApiServerControl(server.url()).failRequests(IngestTestCluster.GATEWAY_SERVICE, "", "get", "pods",
                "flaky-2", 503, 1);
        postAlertmanager(webhook(podAlert("A", "demo", "steady-2"), podAlert("A", "demo", "flaky-2"))).statusCode(503)
                .header("Retry-After", "1")
                .body("results[0].status", equalTo("created"))
                .body("results[1].error", containsString("Pod demo/flaky-2"))
                .body("detail", containsString("(kubernetes-unavailable)"));
    }

    @Test
    void aTransientFaultOfTheOwnerLookupIs503AndNothingIsRecorded() {
        new ApiServerControl(server.url()).failRequests(IngestTestCluster.GATEWAY_SERVICE, "", "get", "pods",
                "flaky-1", 503, 1);
        postAlertmanager(webhook(podAlert("A", "demo", "flaky-1"))).statusCode(503)
                .contentType("application/problem+json").header("Retry-After", "1")
                .body("type", equalTo("https://kubernaut.ai/problems/kubernetes-unavailable"))
                .body("detail", containsString("Pod demo/flaky-1"));
        assertEquals(0, recorder.seen().size(), "hashing the pod instead would have given it its own RR");
    }

    @Test
    void batchAlertsAreProcessedConcurrently() throws Exception {
        java.util.concurrent.CountDownLatch bothInside = new java.util.concurrent.CountDownLatch(2);
        recorder.respond(s -> {
            bothInside.countDown();
            try {
                // each alert waits for the other: only concurrent processing gets both through
                if (!bothInside.await(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    throw new IllegalStateException("alerts were processed one after the other");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return FakeSignalRecorder.created(s);
        });
        postAlertmanager(webhook(podAlert("A", "demo", "c-1"), podAlert("A", "demo", "c-2"))).statusCode(207)
                .body("summary.created", equalTo(2));
        assertEquals(List.of("c-1", "c-2"), recorder.seen().stream().map(s -> s.resource().name()).sorted().toList());
    }
}
