package ai.kubernaut.e2e.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.e2e.observe.KubernautObjects;
import ai.kubernaut.testserver.Caller;
import ai.kubernaut.testserver.EmbeddedApiServer;
import ai.kubernaut.testserver.RequestRecord;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** The executor against the strict test API server (409 on stale status writes, request log, hooks). */
class TestWorkflowExecutorTest {

    private static final String NS = "executor";
    private static final String WFES = "/apis/kubernaut.ai/v1alpha1/namespaces/" + NS + "/workflowexecutions/";

    private EmbeddedApiServer server;
    private KubernetesClient admin;
    private TestWorkflowExecutor executor;

    @BeforeEach
    void start() {
        server = EmbeddedApiServer.builder().crds(Path.of("..", "deploy", "crds")).start();
        // the executor's watch reconnects 50 ms after a break, doubling (fabric8's default: 1 s, doubling to 32 s),
        // so that the restart test waits for the reconnection rather than for seconds of backoff
        admin = new KubernetesClientBuilder().withConfig(new ConfigBuilder(EmbeddedApiServer.clientConfig(server.url(),
                Caller.ADMIN_TOKEN)).withWatchReconnectInterval(50).build()).build();
        // retries after 50 ms (500 ms in the suite): the tests count the retries, not the time between them
        executor = new TestWorkflowExecutor(admin, NS, Duration.ofMillis(50)).retryingAfter(Duration.ofMillis(50))
                .start();
    }

    @AfterEach
    void stop() {
        executor.close();
        admin.close();
        server.close();
    }

    private void createWfe(String name) {
        GenericKubernetesResource wfe = new GenericKubernetesResource();
        wfe.setApiVersion(KubernautObjects.API_VERSION);
        wfe.setKind(KubernautObjects.WFE_KIND);
        wfe.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(name).withNamespace(NS).build());
        wfe.setAdditionalProperty("spec", Map.of("targetResource", NS + "/Deployment/" + name));
        KubernautObjects.wfes(admin).inNamespace(NS).resource(wfe).create();
    }

    /** The stored WFE, read past the request log (the executor uses the admin token too). */
    private GenericKubernetesResource wfe(String name) {
        String body = server.direct(HttpMethod.GET, WFES + name, null, null).getBody().readUtf8();
        return Serialization.unmarshal(body, GenericKubernetesResource.class);
    }

    private void awaitCompleted(String name) {
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> executor.completions().containsKey(name));
        assertEquals("Completed", KubernautObjects.wfePhase(wfe(name)));
    }

    /** The executor's requests for one WFE by verb and subresource (its informer's list and watch left out). */
    private List<String> executorRequests(String name) {
        return server.requests(r -> r.resource().equals("workflowexecutions") && r.name().equals(name)
                        && !r.verb().equals("create")).stream()
                .map(r -> r.verb() + (r.subresource().isEmpty() ? "" : "/" + r.subresource()) + " " + r.code()).toList();
    }

    @Test
    void eachStepIsOneStatusWriteFromTheCopyAtHand() {
        createWfe("plain");
        awaitCompleted("plain");
        // Running from the informer's object, Completed from the object the first write returned: no GET
        assertEquals(List.of("update/status 200", "update/status 200"), executorRequests("plain"));
        TestWorkflowExecutor.Completion done = executor.completions().get("plain");
        assertEquals(NS + "/Deployment/plain", done.target(), "recorded from the written object");
        assertEquals(0, executor.statusConflicts());
        Map<?, ?> status = (Map<?, ?>) wfe("plain").getAdditionalProperties().get("status");
        assertTrue(status.containsKey("startTime") && status.containsKey("completionTime"), status.toString());
    }

    @Test
    void aConflictReadsThatOneWfeAndDecidesAgain() {
        createWfe("raced");
        AtomicInteger statusPuts = new AtomicInteger();
        server.hook((request, caller) -> {
            if (request.getMethod().equals("PUT") && request.getPath().startsWith(WFES + "raced/status")
                    && statusPuts.incrementAndGet() == 2) {
                // another writer between Running and Completed: the executor's copy is now stale
                server.direct(HttpMethod.PATCH, WFES + "raced", "application/merge-patch+json",
                        "{\"metadata\":{\"labels\":{\"other\":\"writer\"}}}");
            }
            return null;
        });
        awaitCompleted("raced");
        assertEquals(List.of("update/status 200", "update/status 409", "get 200", "update/status 200"),
                executorRequests("raced"));
        assertEquals(1, executor.statusConflicts());
        assertEquals("writer", wfe("raced").getMetadata().getLabels().get("other"), "the other write was kept");
    }

    @Test
    void aTransientFailureIsRetriedAfterReadingTheWfe() {
        AtomicInteger failed = new AtomicInteger();
        server.hook((request, caller) -> request.getMethod().equals("PUT") && request.getPath().startsWith(WFES + "flaky/status")
                && failed.getAndIncrement() == 0 ? EmbeddedApiServer.failure(503, "ServiceUnavailable", "injected") : null);
        createWfe("flaky");
        awaitCompleted("flaky");
        assertEquals(List.of("update/status 503", "get 200", "update/status 200", "update/status 200"),
                executorRequests("flaky"));
        assertEquals(1, executor.transientFailures());
    }

    @Test
    void aNotFoundWhileTheWatchStillHasTheWfeIsRetriedNotTakenForADeletion() {
        // a restarting kube-apiserver: the write gets no answer, then custom resources answer 404 for a moment
        AtomicInteger puts = new AtomicInteger();
        AtomicInteger gets = new AtomicInteger();
        server.hook((request, caller) -> {
            if (request.getMethod().equals("PUT") && request.getPath().startsWith(WFES + "restart/status")
                    && puts.getAndIncrement() == 0) {
                return EmbeddedApiServer.failure(503, "ServiceUnavailable", "injected");
            }
            if (request.getMethod().equals("GET") && request.getPath().startsWith(WFES + "restart")
                    && gets.getAndIncrement() == 0) {
                return EmbeddedApiServer.failure(404, "NotFound", "the server could not find the requested resource");
            }
            return null;
        });
        createWfe("restart");
        awaitCompleted("restart");
        assertEquals(List.of("update/status 503", "get 404", "get 200", "update/status 200", "update/status 200"),
                executorRequests("restart"));
        assertEquals(2, executor.transientFailures());
    }

    @Test
    void aNotFoundOnTheStatusWriteWhileTheWatchStillHasTheWfeIsRetried() {
        // the server restarted between Running and Completed: the Completed write meets a 404
        AtomicInteger puts = new AtomicInteger();
        server.hook((request, caller) -> request.getMethod().equals("PUT")
                && request.getPath().startsWith(WFES + "restart-write/status") && puts.getAndIncrement() == 1
                ? EmbeddedApiServer.failure(404, "NotFound", "the server could not find the requested resource") : null);
        createWfe("restart-write");
        awaitCompleted("restart-write");
        assertEquals(List.of("update/status 200", "update/status 404", "get 200", "update/status 200"),
                executorRequests("restart-write"));
    }

    @Test
    void pausedWfesWaitAndGoOnWhenResumed() {
        executor.pause();
        createWfe("held");
        Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5))
                .until(() -> executorRequests("held").isEmpty());
        assertEquals("", KubernautObjects.wfePhase(wfe("held")));
        executor.resume();
        awaitCompleted("held");
        assertEquals(List.of("get 200", "update/status 200", "update/status 200"), executorRequests("held"));
    }

    @Test
    void aWfeAlreadyPastTheStepIsLeftAlone() {
        executor.pause();
        createWfe("elsewhere");
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> executor.heldCount() == 1);
        server.direct(HttpMethod.PATCH, WFES + "elsewhere/status", "application/merge-patch+json",
                "{\"status\":{\"phase\":\"Failed\"}}");
        executor.resume();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> executorRequests("elsewhere").contains("get 200"));
        Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5))
                .until(() -> executorRequests("elsewhere").equals(List.of("get 200")));
        assertEquals("Failed", KubernautObjects.wfePhase(wfe("elsewhere")));
        assertTrue(executor.completions().isEmpty());
    }

    /**
     * An API server restart (watches dropped, the type not served for a while, then its first lists and watches 429)
     * leaves the executor working: a WFE created after it, and one created while the type was not yet served again
     * (retried by the test until served), are both completed.
     */
    @Test
    void anApiServerRestartLeavesTheExecutorWorking() {
        createWfe("before-restart");
        awaitCompleted("before-restart");
        assertTrue(server.restart(Duration.ofSeconds(1), 3) >= 1, "the executor's watch was dropped");
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
                .until(() -> {
                    createWfe("during-restart");
                    return true;
                });
        awaitCompleted("during-restart");
        createWfe("after-restart");
        awaitCompleted("after-restart");
    }
}
