package ai.kubernaut.gateway.dedup;

import ai.kubernaut.gateway.cluster.TestApiServerResource;
import ai.kubernaut.gateway.model.RemediationRequest;
import ai.kubernaut.gateway.model.RemediationRequestStatus;
import ai.kubernaut.gateway.signal.Signal;
import ai.kubernaut.testserver.EmbeddedApiServer;
import ai.kubernaut.testserver.RequestRecord;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/** Signals, simulated replicas and RR reads for the dedup tests. */
final class TestSignals {

    static final String NAMESPACE = "kubernaut-test";

    private TestSignals() {
    }

    static String randomFingerprint() {
        byte[] b = new byte[32];
        ThreadLocalRandom.current().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    static Signal signal(String fingerprint) {
        return new Signal(fingerprint, "KubePodCrashLooping", "critical", "prometheus-alert", "alertmanager",
                new Signal.Resource("Deployment", "payments", "shop", "apps/v1"), "prod-eu-1",
                Instant.parse("2026-11-20T10:15:30Z"), Instant.now(),
                Map.of("alertname", "KubePodCrashLooping", "namespace", "shop"),
                Map.of("summary", "Pod is crash looping"), "{\"labels\":{\"alertname\":\"KubePodCrashLooping\"}}");
    }

    /** All RRs of a fingerprint, read with the admin client. */
    static List<RemediationRequest> rrsOf(EmbeddedApiServer cluster, String fingerprint) {
        return cluster.admin().resources(RemediationRequest.class).inNamespace(NAMESPACE)
                .withLabel(DedupRules.FINGERPRINT_LABEL, DedupRules.fingerprintLabelValue(fingerprint)).list()
                .getItems().stream().filter(rr -> fingerprint.equals(rr.getSpec().getSignalFingerprint())).toList();
    }

    /** What the code under test (not the test's admin client) sent from {@code mark} on, that matches. */
    static List<RequestRecord> sentByGateway(EmbeddedApiServer cluster, long mark,
            java.util.function.Predicate<RequestRecord> which) {
        return cluster.requestsSince(mark, r -> r.byService() && which.test(r));
    }

    static boolean isRemediationRequest(RequestRecord r) {
        return r.resource().equals("remediationrequests");
    }

    static long countOf(RemediationRequest rr) {
        return rr.getStatus().getDeduplication().getOccurrenceCount();
    }

    /** Moves an RR to a phase as the orchestrator would (a status write of its own). */
    static void setPhase(EmbeddedApiServer cluster, String name, RemediationRequestStatus.OverallPhase phase) {
        cluster.admin().resources(RemediationRequest.class).inNamespace(NAMESPACE).withName(name)
                .editStatus(rr -> {
                    if (rr.getStatus() == null) {
                        rr.setStatus(new RemediationRequestStatus());
                    }
                    rr.getStatus().setOverallPhase(phase);
                    return rr;
                });
    }

    /** N simulated replicas of the Gateway sharing the test API server, each with its own client and metrics. */
    static final class Replicas implements AutoCloseable {
        final List<DeduplicatingSignalRecorder> recorders = new ArrayList<>();
        final List<SimpleMeterRegistry> registries = new ArrayList<>();
        private final List<KubernetesClient> clients = new ArrayList<>();

        Replicas(EmbeddedApiServer cluster, int n, java.util.function.UnaryOperator<RecorderSettings> tune) {
            this(cluster, n, tune, i -> b -> { });
        }

        Replicas(EmbeddedApiServer cluster, int n, java.util.function.UnaryOperator<RecorderSettings> tune,
                java.util.function.IntFunction<java.util.function.Consumer<
                        io.fabric8.kubernetes.client.http.HttpClient.Builder>> http) {
            for (int i = 0; i < n; i++) {
                String pod = "gateway-" + i;
                KubernetesClient client = TestApiServerResource.gatewayClient(pod, http.apply(i));
                SimpleMeterRegistry registry = new SimpleMeterRegistry();
                clients.add(client);
                registries.add(registry);
                recorders.add(new DeduplicatingSignalRecorder(tune.apply(RecorderSettings.defaults(NAMESPACE, pod)),
                        client, registry));
            }
            // each replica decides from its view: wait for every first sync, as readiness does
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20))
                    .until(() -> recorders.stream().allMatch(DeduplicatingSignalRecorder::ready));
        }

        DeduplicatingSignalRecorder get(int i) {
            return recorders.get(i);
        }

        double counter(int replica, String name, String... tags) {
            var c = registries.get(replica).find(name).tags(tags).counters();
            return c.stream().mapToDouble(x -> x.count()).sum();
        }

        double counterSum(String name, String... tags) {
            double sum = 0;
            for (int i = 0; i < registries.size(); i++) {
                sum += counter(i, name, tags);
            }
            return sum;
        }

        @Override
        public void close() {
            recorders.forEach(DeduplicatingSignalRecorder::close);
            clients.forEach(KubernetesClient::close);
        }
    }

    static Duration seconds(long s) {
        return Duration.ofSeconds(s);
    }
}
