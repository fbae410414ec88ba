package ai.kubernaut.orchestrator.it;

import static ai.kubernaut.orchestrator.model.RemediationRequestStatus.OverallPhase.COMPLETED;
import static ai.kubernaut.orchestrator.model.RemediationRequestStatus.OverallPhase.EXECUTING;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.orchestrator.cluster.TestApiServerResource;
import ai.kubernaut.orchestrator.cluster.TestCatalog;
import ai.kubernaut.orchestrator.controller.RemediationController;
import ai.kubernaut.orchestrator.model.WorkflowExecutionStatus;
import ai.kubernaut.orchestrator.reconcile.CreationHook;
import ai.kubernaut.orchestrator.testing.ClusterOps;
import ai.kubernaut.orchestrator.testing.Fixtures;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The first start after an install and an API server restart, as a current API server answers them: replicas start
 * while the custom types are not served (404 without a Status naming an object) and then while their watch caches
 * initialize (429 with Retry-After); none throws, none is ready before every informer has listed, the readiness
 * data says what it waits for, and once the types are served they work. And a restart of the API server under work
 * (watches dropped, custom types not served, caches initializing) ends no replica and fails no RR.
 */
@QuarkusTest
@QuarkusTestResource(value = TestApiServerResource.class, restrictToAnnotatedClass = false)
class StartBeforeTypesServedTest extends ReplicasTestBase {

    static final String NS = "ro-install";

    static boolean customTypeRequest(RecordedRequest request, String namespace) {
        String path = request.getPath();
        return path.startsWith("/apis/kubernaut.ai/") && path.contains("/namespaces/" + namespace + "/");
    }

    static boolean isListOrWatch(RecordedRequest request) {
        String path = request.getPath().split("\\?")[0];
        return request.getMethod().equals("GET")
                && (path.endsWith("/remediationrequests") || path.endsWith("/workflowexecutions"));
    }

    /** A LIST or WATCH of the built-in types the RO informs on (member Leases, the catalog ConfigMap) in ns. */
    static boolean isBuiltInListOrWatch(RecordedRequest request, String namespace) {
        String path = request.getPath().split("\\?")[0];
        return request.getMethod().equals("GET") && (path.endsWith("/namespaces/" + namespace + "/leases")
                || path.endsWith("/namespaces/" + namespace + "/configmaps"));
    }

    static MockResponse pageNotFound() {
        return new MockResponse().setResponseCode(404).setHeader("Content-Type", "text/plain")
                .setBody("404 page not found\n");
    }

    static MockResponse initializing() {
        return new MockResponse().setResponseCode(429).setHeader("Retry-After", "1")
                .setHeader("Content-Type", "application/json")
                .setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
                        + "\"message\":\"storage is (re)initializing\",\"reason\":\"TooManyRequests\","
                        + "\"details\":{\"retryAfterSeconds\":1},\"code\":429}");
    }

    @Test
    void replicasStartedBeforeTheTypesAreServedWaitNotReadyThenWork() {
        ClusterOps cluster = inNamespace(NS);
        AtomicBoolean served = new AtomicBoolean(false);
        AtomicInteger initializing = new AtomicInteger();
        AtomicInteger notServedAnswers = new AtomicInteger();
        AtomicInteger builtInInitializing = new AtomicInteger();
        TestApiServerResource.server().hook((request, caller) -> {
            if (!caller.isAdmin() && isBuiltInListOrWatch(request, NS)) {
                // the member Lease and catalog informers meet an initializing cache too (1.31+ after a restart)
                return builtInInitializing.incrementAndGet() <= 4 ? initializing() : null;
            }
            if (caller.isAdmin() || !customTypeRequest(request, NS)) {
                return null;
            }
            if (!served.get()) {
                notServedAnswers.incrementAndGet();
                return pageNotFound();
            }
            // the first lists and watches after the CRDs are established: the new type's watch cache fills
            return isListOrWatch(request) && initializing.incrementAndGet() <= 4 ? initializing() : null;
        });
        List<RemediationController> started = List.of(
                replicas.start(settings(NS, "ro-install-0"), CreationHook.NONE),
                replicas.start(settings(NS, "ro-install-1"), CreationHook.NONE));

        await().atMost(WAIT).until(() -> notServedAnswers.get() >= 8 && started.stream().allMatch(c -> String.valueOf(
                c.healthData().get("waitingFor")).contains("type not served")));
        for (RemediationController controller : started) {
            assertFalse(controller.isReady(), "not ready while the types are not served: " + controller.healthData());
            assertTrue(controller.isAlive(), "the replica stays up");
        }

        served.set(true);
        await().atMost(WAIT).until(replicas::allReady);
        assertTrue(initializing.get() > 4, "the 429 window was answered and waited out: " + initializing.get());
        assertTrue(builtInInitializing.get() > 4, "Lease and ConfigMap informers waited out their 429s too");
        for (RemediationController controller : started) {
            assertFalse(controller.healthData().containsKey("waitingFor"), controller.healthData().toString());
        }

        String name = "rr-install-1";
        cluster.create(Fixtures.request(name, Fixtures.fingerprint(name), TestCatalog.RESTART, "critical", "shop",
                "Deployment", "install-target"));
        await().atMost(WAIT).until(() -> cluster.phase(name) == EXECUTING);
        cluster.setPhase(cluster.executionsOf(name).get(0).getMetadata().getName(),
                WorkflowExecutionStatus.Phase.COMPLETED);
        await().atMost(WAIT).until(() -> cluster.phase(name) == COMPLETED);
        assertEquals(1, cluster.executionsOf(name).size());
    }

    @Test
    void anApiServerRestartLeavesEveryReplicaRunningAndEveryRrCompletes() {
        String ns = NS + "-restart";
        ClusterOps cluster = inNamespace(ns);
        List<RemediationController> started = List.of(
                replicas.start(settings(ns, "ro-restart-0"), CreationHook.NONE),
                replicas.start(settings(ns, "ro-restart-1"), CreationHook.NONE));
        await().atMost(WAIT).until(replicas::allReady);
        List<String> names = List.of("rr-restart-1", "rr-restart-2", "rr-restart-3");
        for (String name : names) {
            cluster.create(Fixtures.request(name, Fixtures.fingerprint(name), TestCatalog.RESTART, "critical", "shop",
                    "Deployment", "target-of-" + name));
        }
        await().atMost(WAIT).until(() -> names.stream().allMatch(n -> cluster.phase(n) == EXECUTING));

        // every watch dropped, custom types not served for a moment, then initializing: as a kube-apiserver restart
        int broken = TestApiServerResource.server().restart(Duration.ofSeconds(2), 4);
        assertTrue(broken >= 4, "the replicas' watches were dropped: " + broken);
        String during = "rr-restart-during";
        // created as soon as the type is served again (a create meeting the 404 window is refused, not stored)
        await().atMost(WAIT).ignoreExceptions().until(() -> cluster.request(during) != null
                || cluster.create(Fixtures.request(during, Fixtures.fingerprint(during), TestCatalog.RESTART,
                        "critical", "shop", "Deployment", "target-of-" + during)) != null);
        await().atMost(WAIT).until(() -> replicas.allReady() && started.stream()
                .noneMatch(c -> c.healthData().containsKey("waitingFor")));
        for (RemediationController controller : started) {
            assertTrue(controller.isAlive(), "the replica stays up");
        }
        await().atMost(WAIT).until(() -> cluster.phase(during) == EXECUTING);
        for (String name : names) {
            assertEquals(EXECUTING, cluster.phase(name), "a running RR survives the restart: " + name);
        }
        for (String name : List.of("rr-restart-1", "rr-restart-2", "rr-restart-3", during)) {
            cluster.setPhase(cluster.executionsOf(name).get(0).getMetadata().getName(),
                    WorkflowExecutionStatus.Phase.COMPLETED);
        }
        await().atMost(WAIT).until(() -> cluster.requests().stream()
                .allMatch(rr -> cluster.phase(rr.getMetadata().getName()) == COMPLETED));
        for (String name : List.of("rr-restart-1", "rr-restart-2", "rr-restart-3", during)) {
            assertEquals(1, cluster.executionsOf(name).size(), name);
        }
    }
}
