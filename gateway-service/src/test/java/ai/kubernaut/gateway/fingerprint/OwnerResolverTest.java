package ai.kubernaut.gateway.fingerprint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.gateway.ingest.testing.IngestTestCluster;
import ai.kubernaut.gateway.kube.KubernetesUnavailableException;
import ai.kubernaut.gateway.testing.MutableClock;
import ai.kubernaut.gateway.signal.Signal;
import ai.kubernaut.testserver.ApiServerControl;
import ai.kubernaut.testserver.EmbeddedApiServer;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Owner resolution with the Gateway's token and RBAC on the strict test API server (and a 403, a slow answer). */
class OwnerResolverTest {

    private static final String NS = "shop";

    private EmbeddedApiServer server;
    /**
     * The Gateway's client (its deploy RBAC: get pods, replicasets, jobs, statefulsets, daemonsets); the test sets
     * up with the admin's.
     */
    private KubernetesClient client;
    private KubernetesClient admin;
    private MutableClock clock;
    private SimpleMeterRegistry meters;
    private OwnerResolver resolver;

    @BeforeEach
    void start() {
        server = IngestTestCluster.startServer();
        client = server.client(IngestTestCluster.GATEWAY_TOKEN);
        admin = server.admin();
        clock = new MutableClock(Instant.parse("2024-05-01T10:00:00Z"));
        meters = new SimpleMeterRegistry();
        resolver = new OwnerResolver(client, true, Duration.ofMillis(500), Duration.ofSeconds(60), 100, meters, clock);
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    private static OwnerReference controller(String apiVersion, String kind, String name) {
        return new OwnerReferenceBuilder().withApiVersion(apiVersion).withKind(kind).withName(name)
                .withUid("uid-" + name).withController(true).build();
    }

    private void pod(String name, OwnerReference... owners) {
        admin.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName(name)
                .withOwnerReferences(owners).endMetadata().build()).create();
    }

    private void replicaSet(String name, OwnerReference... owners) {
        admin.apps().replicaSets().inNamespace(NS).resource(new ReplicaSetBuilder().withNewMetadata()
                .withName(name).withOwnerReferences(owners).endMetadata().build()).create();
    }

    private void job(String name, OwnerReference... owners) {
        admin.batch().v1().jobs().inNamespace(NS).resource(new JobBuilder().withNewMetadata().withName(name)
                .withOwnerReferences(owners).endMetadata().build()).create();
    }

    private static final Signal.Resource DEPLOYMENT_WEB = new Signal.Resource("Deployment", "web", NS, "apps/v1");

    private static Signal.Resource pod(String name) {
        return new Signal.Resource("Pod", name, NS, "v1");
    }

    private double count(String result) {
        var c = meters.find("gateway.owner.resolutions").tag("result", result).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void podOfAReplicaSetResolvesToItsDeployment() {
        replicaSet("web-7d9", controller("apps/v1", "Deployment", "web"));
        pod("web-7d9-x1", controller("apps/v1", "ReplicaSet", "web-7d9"));
        assertEquals(new Signal.Resource("Deployment", "web", NS, "apps/v1"), resolver.resolve(pod("web-7d9-x1")));
        // a ReplicaSet named in a signal resolves too
        assertEquals(new Signal.Resource("Deployment", "web", NS, "apps/v1"),
                resolver.resolve(new Signal.Resource("ReplicaSet", "web-7d9", NS, "apps/v1")));
    }

    @Test
    void podOfAJobResolvesToItsCronJob() {
        admin.batch().v1().jobs().inNamespace(NS).resource(new JobBuilder().withNewMetadata().withName("backup-28")
                .withOwnerReferences(controller("batch/v1", "CronJob", "backup")).endMetadata().build()).create();
        pod("backup-28-abc", controller("batch/v1", "Job", "backup-28"));
        assertEquals(new Signal.Resource("CronJob", "backup", NS, "batch/v1"), resolver.resolve(pod("backup-28-abc")));
    }

    @Test
    void statefulSetPodsStopAtTheStatefulSetWithOneGet() {
        pod("db-0", controller("apps/v1", "StatefulSet", "db"));
        long before = server.mark();
        assertEquals(new Signal.Resource("StatefulSet", "db", NS, "apps/v1"), resolver.resolve(pod("db-0")));
        assertEquals(1, server.mark() - before, "StatefulSets are top-level: no GET for them");
    }

    @Test
    void podWithoutControllerIsItsOwnTopLevel() {
        pod("bare", new OwnerReferenceBuilder().withApiVersion("v1").withKind("Node").withName("n1").withUid("u")
                .withController(false).build());
        assertEquals(pod("bare"), resolver.resolve(pod("bare")));
        assertEquals(1, count("top_level"));
    }

    @Test
    void resultsAreCachedForTheTtl() {
        replicaSet("web-7d9", controller("apps/v1", "Deployment", "web"));
        pod("web-7d9-x1", controller("apps/v1", "ReplicaSet", "web-7d9"));
        resolver.resolve(pod("web-7d9-x1"));
        long before = server.mark();
        resolver.resolve(pod("web-7d9-x1"));
        assertEquals(before, server.mark(), "second lookup served from the cache");
        clock.advance(Duration.ofSeconds(61));
        resolver.resolve(pod("web-7d9-x1"));
        assertEquals(before + 2, server.mark(), "expired: pod and replicaset read again");
        assertEquals(1, count("cached"));
    }

    @Test
    void missingPodWithNothingToDeriveFallsBackToThePodAndThatIsNotCached() {
        assertEquals(pod("gone"), resolver.resolve(pod("gone")));
        long before = server.mark();
        assertEquals(pod("gone"), resolver.resolve(pod("gone")));
        assertEquals(before + 1, server.mark(), "asked again: the Pod may exist again by now");
        assertEquals(2, count("fallback_not_found"));
        assertEquals(0, count("cached"));
    }

    /** The issue-18 bug: the self-owner of a missing StatefulSet pod was served for 60 s after it came back. */
    @Test
    void podThatExistsAgainIsResolvedAfreshNotServedTheFallback() {
        // db-0 is being recreated by its StatefulSet: between the deletion and the new pod a signal names it, and
        // neither the pod, nor (for this Gateway) a StatefulSet "db" can be read yet
        assertEquals(pod("db-0"), resolver.resolve(pod("db-0")));
        pod("db-0", controller("apps/v1", "StatefulSet", "db"));
        assertEquals(new Signal.Resource("StatefulSet", "db", NS, "apps/v1"), resolver.resolve(pod("db-0")));
        assertEquals(1, count("fallback_not_found"));
        assertEquals(1, count("top_level") + count("resolved"));
    }

    // ---- a Pod that is gone: its owner derived the way its controller named it ----------------------------

    @Test
    void goneDeploymentPodIsResolvedThroughTheReplicaSetItsNameGives() {
        replicaSet("web-7d9f8b6c5", controller("apps/v1", "Deployment", "web"));
        long before = server.mark();
        // a Warning event names only the pod: web-7d9f8b6c5-xk2lp was replaced by web-7d9f8b6c5-q9z4t
        assertEquals(DEPLOYMENT_WEB, resolver.resolve(pod("web-7d9f8b6c5-xk2lp")));
        assertEquals(before + 2, server.mark(), "GET pod (404), GET replicaset");
        assertEquals(1, count("derived"));
        // what was derived from a read is an answer: cached like a resolution
        assertEquals(DEPLOYMENT_WEB, resolver.resolve(pod("web-7d9f8b6c5-xk2lp")));
        assertEquals(before + 2, server.mark());
    }

    @Test
    void goneDeploymentPodIsResolvedFromItsPodTemplateHashLabelWithoutItsReplicaSet() {
        long before = server.mark();
        for (String label : List.of("pod-template-hash", "pod_template_hash", "label_pod_template_hash")) {
            OwnerResolver fresh = new OwnerResolver(client, true, Duration.ofMillis(500), Duration.ofSeconds(60), 100,
                    meters, clock);
            assertEquals(DEPLOYMENT_WEB, fresh.resolve(pod("web-7d9f8b6c5-xk2lp"),
                    Map.of(label, "7d9f8b6c5", "alertname", "KubePodCrashLooping")), label);
        }
        assertEquals(before + 3, server.mark(), "one GET of the pod each: the label says the rest");
        assertEquals(3, count("derived"));
    }

    @Test
    void aDeploymentIsNeverGuessedFromANameAlone() {
        // web-7d9f8b6c5-xk2lp could be a DaemonSet's or a Job's pod as well: without its ReplicaSet, no Deployment
        assertEquals(pod("web-7d9f8b6c5-xk2lp"), resolver.resolve(pod("web-7d9f8b6c5-xk2lp")));
        // a hash label that does not fit the name is no evidence either
        assertEquals(pod("web-7d9f8b6c5-xk2lp"), resolver.resolve(pod("web-7d9f8b6c5-xk2lp"),
                Map.of("pod_template_hash", "6b5c4d8f9")));
        assertEquals(0, count("derived"));
        assertEquals(2, count("fallback_not_found"));
    }

    @Test
    void goneStatefulSetPodIsResolvedFromItsLabelsOrFromTheStatefulSetItsNameGives() {
        assertEquals(new Signal.Resource("StatefulSet", "db", NS, "apps/v1"),
                resolver.resolve(pod("db-1"), Map.of("statefulset_kubernetes_io_pod_name", "db-1")));
        assertEquals(new Signal.Resource("StatefulSet", "cache", NS, "apps/v1"),
                resolver.resolve(pod("cache-0"), Map.of("controller-revision-hash", "cache-6c8f9b7d4")));
        // a Kubernetes Event: the name alone, confirmed by reading the StatefulSet
        admin.apps().statefulSets().inNamespace(NS).resource(new StatefulSetBuilder().withNewMetadata()
                .withName("queue").endMetadata().build()).create();
        long before = server.mark();
        assertEquals(new Signal.Resource("StatefulSet", "queue", NS, "apps/v1"), resolver.resolve(pod("queue-2")));
        assertEquals(before + 2, server.mark(), "GET pod (404), GET statefulset");
        assertEquals(3, count("derived"));
        // no such StatefulSet: a bare pod named like one stays the pod
        assertEquals(pod("worker-1"), resolver.resolve(pod("worker-1")));
    }

    @Test
    void goneDaemonSetPodIsResolvedFromItsLabelOrFromTheDaemonSetItsNameGives() {
        assertEquals(new Signal.Resource("DaemonSet", "node-agent", NS, "apps/v1"),
                resolver.resolve(pod("node-agent-x7k2p"), Map.of("label_pod_template_generation", "3")));
        admin.apps().daemonSets().inNamespace(NS).resource(new DaemonSetBuilder().withNewMetadata()
                .withName("log-shipper").endMetadata().build()).create();
        assertEquals(new Signal.Resource("DaemonSet", "log-shipper", NS, "apps/v1"),
                resolver.resolve(pod("log-shipper-q9z4t")));
        assertEquals(2, count("derived"));
    }

    @Test
    void goneJobPodIsResolvedThroughItsJobToTheCronJob() {
        job("backup-28575960", controller("batch/v1", "CronJob", "backup"));
        job("migrate", new OwnerReference[0]);
        // by label (an alert), and by name (an event); the Job still exists, its pod was replaced
        assertEquals(new Signal.Resource("CronJob", "backup", NS, "batch/v1"),
                resolver.resolve(pod("backup-28575960-x7k2p"), Map.of("batch.kubernetes.io/job-name",
                        "backup-28575960")));
        assertEquals(new Signal.Resource("Job", "migrate", NS, "batch/v1"), resolver.resolve(pod("migrate-q9z4t")));
        assertEquals(2, count("derived"));
    }

    @Test
    void goneCronJobPodWhoseJobIsGoneTooIsResolvedByTheScheduleTimeInTheJobName() {
        long minutes = clock.instant().getEpochSecond() / 60;
        // the Job was deleted with its pod (history limit, TTL): its name still says which CronJob made it
        assertEquals(new Signal.Resource("CronJob", "report", NS, "batch/v1"),
                resolver.resolve(pod("report-" + minutes + "-x7k2p")));
        assertEquals(new Signal.Resource("CronJob", "report", NS, "batch/v1"),
                resolver.resolve(pod("report-" + minutes + "-q9z4t"), Map.of("job-name", "report-" + minutes)));
        // a Job of that label that no CronJob made stays the Job
        assertEquals(new Signal.Resource("Job", "import", NS, "batch/v1"),
                resolver.resolve(pod("import-b7x2q"), Map.of("job_name", "import")));
        // a number that is no schedule time (the year 2000) is no evidence
        assertEquals(pod("report-15778080-x7k2p"), resolver.resolve(pod("report-15778080-x7k2p")));
        // a Job named in a signal and gone: its CronJob by the same rule
        assertEquals(new Signal.Resource("CronJob", "report", NS, "batch/v1"),
                resolver.resolve(new Signal.Resource("Job", "report-" + minutes, NS, "batch/v1")));
        assertEquals(4, count("derived"));
    }

    @Test
    void aRefusedCandidateReadIsNoEvidenceAndATransientOneIsUnavailable() {
        replicaSet("web-7d9f8b6c5", controller("apps/v1", "Deployment", "web"));
        server.hook((request, caller) -> request.getPath().equals(
                "/apis/apps/v1/namespaces/shop/replicasets/web-7d9f8b6c5")
                        ? EmbeddedApiServer.failure(403, "Forbidden", "replicasets is forbidden") : null);
        assertEquals(pod("web-7d9f8b6c5-xk2lp"), resolver.resolve(pod("web-7d9f8b6c5-xk2lp")));
        assertEquals(1, count("fallback_not_found"), "not cached, not a 'forbidden' answer about the pod");
        server.hook((request, caller) -> request.getPath().equals(
                "/apis/apps/v1/namespaces/shop/replicasets/web-7d9f8b6c5")
                        ? EmbeddedApiServer.failure(503, "ServiceUnavailable", "busy") : null);
        // hashing the pod only because the server was busy would open a second target for the Deployment
        assertThrows(KubernetesUnavailableException.class, () -> resolver.resolve(pod("web-7d9f8b6c5-xk2lp")));
        server.hook(null);
        assertEquals(DEPLOYMENT_WEB, resolver.resolve(pod("web-7d9f8b6c5-xk2lp")));
    }

    @Test
    void brokenChainFallsBackToThePodNotToTheIntermediate() {
        pod("orphan-x1", controller("apps/v1", "ReplicaSet", "deleted-rs"));
        assertEquals(pod("orphan-x1"), resolver.resolve(pod("orphan-x1")));
    }

    @Test
    void forbiddenFallsBackToThePod() {
        server.hook((request, caller) -> request.getPath().equals("/api/v1/namespaces/shop/pods/secret-1")
                ? EmbeddedApiServer.failure(403, "Forbidden", "pods \"secret-1\" is forbidden") : null);
        assertEquals(pod("secret-1"), resolver.resolve(pod("secret-1")));
        assertEquals(1, count("fallback_forbidden"));
    }

    @Test
    void slowServerIsUnavailableWithinTheTimeoutAndIsNotCached() {
        pod("slow-1", controller("apps/v1", "StatefulSet", "slow"));
        // the Gateway's two GETs of the Pod are answered 5 s late
        new ApiServerControl(server.url()).delayAnswers(IngestTestCluster.GATEWAY_SERVICE, "", "get", "pods", "slow-1",
                Duration.ofSeconds(5), 2);
        long start = System.nanoTime();
        // not a fallback: hashing the pod would give its workload a second RR only because the server was slow
        assertThrows(KubernetesUnavailableException.class, () -> resolver.resolve(pod("slow-1")));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(ms < 3000, "bounded by the 500 ms timeout, took " + ms + " ms");
        assertEquals(1, count("unavailable"));
        long before = server.mark();
        assertThrows(KubernetesUnavailableException.class, () -> resolver.resolve(pod("slow-1")));
        assertTrue(server.mark() > before, "a timeout is not cached: the next signal asks again");
    }

    @Test
    void serverErrorsAreUnavailableAndOtherRefusalsFallBack() {
        server.hook((request, caller) -> switch (request.getPath()) {
            case "/api/v1/namespaces/shop/pods/busy-1" -> EmbeddedApiServer.failure(503, "ServiceUnavailable", "busy");
            case "/api/v1/namespaces/shop/pods/throttled-1" -> EmbeddedApiServer.failure(429, "TooManyRequests", "slow down");
            case "/api/v1/namespaces/shop/pods/odd-1" -> EmbeddedApiServer.failure(400, "BadRequest", "odd");
            default -> null;
        });
        assertThrows(KubernetesUnavailableException.class, () -> resolver.resolve(pod("busy-1")));
        assertThrows(KubernetesUnavailableException.class, () -> resolver.resolve(pod("throttled-1")));
        assertEquals(2, count("unavailable"));
        assertEquals(pod("odd-1"), resolver.resolve(pod("odd-1")));
        assertEquals(1, count("fallback_error"));
    }

    @Test
    void disabledResolutionNeverCallsTheApi() {
        OwnerResolver off = new OwnerResolver(client, false, Duration.ofSeconds(1), Duration.ofSeconds(60), 100,
                meters, clock);
        long before = server.mark();
        assertEquals(pod("web-1"), off.resolve(pod("web-1")));
        assertEquals(before, server.mark());
    }

    @Test
    void onlyBuiltInKindsAreLookedUp() {
        long before = server.mark();
        Signal.Resource crdJob = new Signal.Resource("Job", "train", NS, "kubeflow.org/v1");
        assertEquals(crdJob, resolver.resolve(crdJob));
        Signal.Resource deployment = new Signal.Resource("Deployment", "web", NS, "apps/v1");
        assertEquals(deployment, resolver.resolve(deployment));
        Signal.Resource node = new Signal.Resource("Node", "n1", "", "v1");
        assertEquals(node, resolver.resolve(node));
        assertEquals(before, server.mark());
    }
}
