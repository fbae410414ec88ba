package ai.kubernaut.gateway.dedup;

import ai.kubernaut.backoff.BackoffPolicy;
import ai.kubernaut.gateway.cluster.TestApiServerResource;
import ai.kubernaut.gateway.kube.InformerRestarts;
import ai.kubernaut.gateway.lock.Fabric8LeaseApi;
import ai.kubernaut.gateway.model.RemediationRequest;
import ai.kubernaut.gateway.model.RemediationRequestStatus;
import ai.kubernaut.gateway.signal.Signal;
import ai.kubernaut.testserver.EmbeddedApiServer;
import ai.kubernaut.testserver.RequestRecord;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

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

    /**
     * The production informer-restart schedule ({@link InformerRestarts#BACKOFF}: doubling, &plusmn;20 % jitter, never
     * sooner than the server's Retry-After) scaled down to 50 ms .. 1 s, so that a view which met an outage the test
     * made (a type not served, a restart) lists again soon after it ends instead of after seconds of backoff the test
     * would only wait out (as SupervisedInformerTest does with its own 20 ms .. 200 ms schedule).
     */
    static InformerRestarts quickInformerRestarts(String podName) {
        BackoffPolicy quick = BackoffPolicy.builder().baseDelay(Duration.ofMillis(50)).maxDelay(Duration.ofSeconds(1))
                .multiplier(2).jitter(0.2).build();
        var timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "test-informer-restarts-" + podName);
            t.setDaemon(true);
            return t;
        });
        return new InformerRestarts(quick, RandomGenerator.getDefault(), timer, Clock.systemUTC(),
                Duration.ofMinutes(2), Duration.ofMinutes(1));
    }

    /** A replica's recorder wired as in production, but its view restarts on {@link #quickInformerRestarts}. */
    static DeduplicatingSignalRecorder recorder(RecorderSettings settings, KubernetesClient client,
            MeterRegistry registry) {
        InformerView view = InformerView.start(client, settings.namespace(),
                quickInformerRestarts(settings.podName()));
        return new DeduplicatingSignalRecorder(settings, client, view, view,
                new Fabric8LeaseApi(client, settings.namespace()), registry, Clock.systemUTC(), System::nanoTime,
                DeduplicatingSignalRecorder.backgroundExecutor(settings.podName()));
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
                recorders.add(recorder(tune.apply(RecorderSettings.defaults(NAMESPACE, pod)), client, registry));
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
