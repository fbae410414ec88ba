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
 * data says what it waits for, and once the types are served they work.
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
        TestApiServerResource.server().hook((request, caller) -> {
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
}
