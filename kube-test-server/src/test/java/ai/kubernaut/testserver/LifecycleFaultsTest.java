package ai.kubernaut.testserver;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusDetails;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The faults of a real API server's life cycle, as a fabric8 client sees them: a watch cache initializing (429), a
 * type not served (a bare 404), a restart, CRDs served after the server started; and a missing object's 404, which
 * names the object where a type's does not.
 */
class LifecycleFaultsTest {

    private static final String NS = "life";
    private static final String RRS = "remediationrequests";
    private static final Path CRDS = Path.of("..", "deploy", "crds");
    /** The typed clients of the services know the plural: no discovery request, as here. */
    private static final ResourceDefinitionContext RR = new ResourceDefinitionContext.Builder()
            .withGroup("kubernaut.ai").withVersion("v1alpha1").withKind("RemediationRequest")
            .withPlural(RRS).withNamespaced(true).build();
    private static final String RR_PATH = "/apis/kubernaut.ai/v1alpha1/namespaces/" + NS + "/" + RRS;
    private static final String INITIALIZING_STATUS = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
            + "\"status\":\"Failure\",\"message\":\"storage is (re)initializing\",\"reason\":\"TooManyRequests\","
            + "\"details\":{\"retryAfterSeconds\":1},\"code\":429}";

    private final ObjectMapper json = new ObjectMapper();
    private EmbeddedApiServer server;
    private KubernetesClient admin;

    @BeforeEach
    void start() {
        server = EmbeddedApiServer.builder().crds(CRDS).start();
        admin = quicklyReconnectingClient(server.url());
    }

    @AfterEach
    void stop() {
        admin.close();
        server.close();
    }

    /** An admin client whose watches reconnect after 50 ms (fabric8's default: 1 s), to keep the tests short. */
    private static KubernetesClient quicklyReconnectingClient(String url) {
        return new KubernetesClientBuilder().withConfig(new ConfigBuilder(
                EmbeddedApiServer.clientConfig(url, Caller.ADMIN_TOKEN)).withWatchReconnectInterval(50).build()).build();
    }

    private static MixedOperation<GenericKubernetesResource, GenericKubernetesResourceList,
            Resource<GenericKubernetesResource>> rrs(KubernetesClient client) {
        return client.genericKubernetesResources(RR);
    }

    private static GenericKubernetesResource rr(String name) {
        return new GenericKubernetesResourceBuilder()
                .withApiVersion("kubernaut.ai/v1alpha1").withKind("RemediationRequest")
                .withNewMetadata().withName(name).withNamespace(NS).endMetadata()
                .addToAdditionalProperties("spec", Map.of("signalFingerprint", "a".repeat(64), "signalName", "X",
                        "targetResource", Map.of("kind", "Deployment", "name", "web", "namespace", NS)))
                .build();
    }

    private static ConfigMap configMap(String name) {
        return new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace(NS).endMetadata().build();
    }

    private static HttpResponse<String> http(String url, String method, String path, String contentType, String body)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + path))
                .header("Authorization", "Bearer " + Caller.ADMIN_TOKEN)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                .send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static KubernetesClientException fails(int code, Executable call) {
        KubernetesClientException e = assertThrows(KubernetesClientException.class, call);
        assertEquals(code, e.getCode(), e.getMessage());
        return e;
    }

    private static final Watcher<GenericKubernetesResource> IGNORING = new Watcher<>() {
        @Override
        public void eventReceived(Action action, GenericKubernetesResource resource) {
        }

        @Override
        public void onClose(WatcherException cause) {
        }
    };

    /** How the services tell a deleted object from a type not served: only the former's 404 names the object. */
    private static boolean namesTheObject(KubernetesClientException e, String name) {
        StatusDetails details = e.getStatus() == null ? null : e.getStatus().getDetails();
        return e.getCode() == 404 && details != null && name.equals(details.getName());
    }

    @Test
    void anInitializingWatchCacheAnswers429ToListsAndWatchesOnly() throws Exception {
        rrs(admin).inNamespace(NS).resource(rr("rr-1")).create();
        server.watchCacheInitializing(RRS, 3);

        HttpResponse<String> raw = http(server.url(), "GET", RR_PATH, null, null);
        assertEquals(429, raw.statusCode());
        assertEquals(List.of("1"), raw.headers().allValues("Retry-After"));
        assertEquals(json.readTree(INITIALIZING_STATUS), json.readTree(raw.body()), "the Status of a 1.31+ server");

        Status status = fails(429, () -> rrs(admin).inNamespace(NS).list()).getStatus();
        assertEquals("TooManyRequests", status.getReason());
        assertEquals("storage is (re)initializing", status.getMessage());
        assertEquals(1, status.getDetails().getRetryAfterSeconds());
        fails(429, () -> rrs(admin).inNamespace(NS).watch(IGNORING));

        // a real server reads these from etcd: a GET by name, a write, a LIST with a limit and no selector
        assertNotNull(rrs(admin).inNamespace(NS).withName("rr-1").get());
        rrs(admin).inNamespace(NS).resource(rr("rr-2")).create();
        assertEquals(2, rrs(admin).inNamespace(NS).list(new ListOptionsBuilder().withLimit(10L).build()).getItems().size());
        assertEquals(3, server.requests(r -> r.fault().equals("initializing")).size());

        assertEquals(2, rrs(admin).inNamespace(NS).list().getItems().size(), "the fourth LIST is served");
        List<RequestRecord> refused = server.requests(r -> r.code() == 429);
        assertEquals(List.of("list", "list", "watch"), refused.stream().map(RequestRecord::verb).toList());
        assertTrue(refused.stream().allMatch(r -> r.fault().equals("initializing") && r.resource().equals(RRS)));
    }

    @Test
    void anInformerStartedWhileTheWatchCacheInitializesFailsToStart() {
        rrs(admin).inNamespace(NS).resource(rr("rr-1")).create();
        server.watchCacheInitializing(RRS, 1);
        SharedIndexInformer<GenericKubernetesResource> informer = rrs(admin).inNamespace(NS).runnableInformer(0);
        try {
            CompletableFuture<Void> started = informer.start().toCompletableFuture();
            // fabric8's default exception handler retries nothing before the informer has started once
            ExecutionException e = assertThrows(ExecutionException.class, () -> started.get(10, TimeUnit.SECONDS));
            assertEquals(429, assertInstanceOf(KubernetesClientException.class, e.getCause()).getCode());
            assertFalse(informer.isWatching());
            assertTrue(informer.getStore().list().isEmpty(), "it never listed");
        } finally {
            informer.stop();
        }
    }

    @Test
    void aTypeNotServedAnswers404PageNotFoundToEveryRequest() throws Exception {
        rrs(admin).inNamespace(NS).resource(rr("rr-1")).create();
        server.stopServing(RRS);

        String body = json.writeValueAsString(rr("rr-1"));
        List<String[]> requests = List.of(
                new String[] {"GET", RR_PATH + "/rr-1", null}, new String[] {"GET", RR_PATH, null},
                new String[] {"GET", RR_PATH + "?watch=true", null}, new String[] {"POST", RR_PATH, "application/json"},
                new String[] {"PATCH", RR_PATH + "/rr-1", "application/merge-patch+json"},
                new String[] {"PUT", RR_PATH + "/rr-1", "application/json"},
                new String[] {"PUT", RR_PATH + "/rr-1/status", "application/json"},
                new String[] {"DELETE", RR_PATH + "/rr-1", null});
        for (String[] r : requests) {
            HttpResponse<String> raw = http(server.url(), r[0], r[1], r[2], r[2] == null ? null : body);
            String what = r[0] + " " + r[1];
            assertEquals(404, raw.statusCode(), what);
            assertEquals("404 page not found\n", raw.body(), what);
            assertEquals("text/plain; charset=utf-8", raw.headers().firstValue("Content-Type").orElse(""), what);
        }
        KubernetesClientException list = fails(404, () -> rrs(admin).inNamespace(NS).list());
        assertNull(list.getStatus().getDetails(), "no Status came: nothing names an object");
        fails(404, () -> rrs(admin).inNamespace(NS).watch(IGNORING));
        assertNull(rrs(admin).inNamespace(NS).withName("rr-1").get(), "fabric8's get() takes any 404 for a missing object");
        assertNotNull(admin.configMaps().inNamespace(NS).list(), "other types are served");
        assertEquals(requests.size() + 3, server.requests(r -> r.fault().equals("not-served")).size());

        server.resumeServing(RRS);
        assertEquals(List.of("rr-1"), rrs(admin).inNamespace(NS).list().getItems().stream()
                .map(o -> o.getMetadata().getName()).toList(), "the objects stayed");

        long before = System.nanoTime();
        server.stopServing(RRS, Duration.ofMillis(700));
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).ignoreExceptions()
                .until(() -> rrs(admin).inNamespace(NS).list() != null);
        assertTrue(System.nanoTime() - before >= TimeUnit.MILLISECONDS.toNanos(700), "served again only after 700 ms");
    }

    @Test
    void anObjects404AndATypes404AreToldApartByTheStatusDetails() {
        PatchContext merge = PatchContext.of(PatchType.JSON_MERGE);
        String patch = "{\"spec\":{\"signalName\":\"Y\"}}";
        assertTrue(namesTheObject(fails(404, () -> rrs(admin).inNamespace(NS).withName("absent").patch(merge, patch)),
                "absent"), "deleted");
        assertTrue(namesTheObject(fails(404, () -> rrs(admin).inNamespace(NS).resource(rr("absent")).update()),
                "absent"), "deleted");

        rrs(admin).inNamespace(NS).resource(rr("present")).create();
        server.stopServing(RRS);
        assertFalse(namesTheObject(fails(404, () -> rrs(admin).inNamespace(NS).withName("present").patch(merge, patch)),
                "present"), "a type not served is no deletion");
        assertFalse(namesTheObject(fails(404, () -> rrs(admin).inNamespace(NS).resource(rr("present")).update()),
                "present"));
        server.resumeServing(RRS);
        assertNotNull(rrs(admin).inNamespace(NS).withName("present").get());
    }

    @Test
    void aRestartBreaksEveryWatchKeepsTheObjectsAndThenInitializes() {
        rrs(admin).inNamespace(NS).resource(rr("rr-1")).create();
        admin.configMaps().inNamespace(NS).resource(configMap("cm-1")).create();
        SharedIndexInformer<GenericKubernetesResource> rrInformer = rrs(admin).inNamespace(NS).inform();
        SharedIndexInformer<ConfigMap> cmInformer = admin.configMaps().inNamespace(NS).inform();
        try {
            Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> rrInformer.isWatching() && cmInformer.isWatching());
            long mark = server.mark();

            assertEquals(2, server.restart(Duration.ofMinutes(5), 2), "both watches dropped");
            Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5))
                    .until(() -> !rrInformer.isWatching());
            KubernetesClientException notServed = fails(404, () -> rrs(admin).inNamespace(NS).list());
            assertNull(notServed.getStatus().getDetails());
            // a built-in type is served at once: the ConfigMap watch is back
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> server.requestsSince(mark,
                    r -> r.resource().equals("configmaps") && r.verb().equals("watch") && r.code() == 101).size() == 1);
            assertFalse(rrInformer.isWatching(), "its watch finds no type to watch");

            server.resumeServing(RRS); // the type is served again, its watch cache initializes
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(rrInformer::isWatching);
            List<RequestRecord> rrWatches = server.requestsSince(mark, r -> r.resource().equals(RRS));
            assertEquals(2, rrWatches.stream().filter(r -> r.code() == 429).count(), "the first two watches: 429");
            assertTrue(rrWatches.stream().filter(r -> r.code() == 404).allMatch(r -> r.fault().equals("not-served")));
            assertEquals(101, rrWatches.get(rrWatches.size() - 1).code(), "then it watches again");

            assertEquals(List.of("rr-1"), rrInformer.getStore().list().stream().map(o -> o.getMetadata().getName()).toList());
            assertNotNull(rrs(admin).inNamespace(NS).withName("rr-1").get(), "the objects outlived the restart");
            assertNotNull(admin.configMaps().inNamespace(NS).withName("cm-1").get());
        } finally {
            rrInformer.stop();
            cmInformer.stop();
        }
    }

    /** What a watch received of the objects named {@code held-*} or {@code cm-late}, as "ACTION name", in order. */
    private static final class Received<T extends io.fabric8.kubernetes.api.model.HasMetadata> implements Watcher<T> {
        final List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        final Map<String, Long> firstSeenNanos = new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        public void eventReceived(Action action, T resource) {
            String name = resource.getMetadata().getName();
            if (!name.startsWith("held-") && !name.equals("cm-late")) {
                return; // objects of earlier steps, replayed when the watch opens
            }
            firstSeenNanos.putIfAbsent(resource.getMetadata().getName(), System.nanoTime());
            events.add(action + " " + resource.getMetadata().getName());
        }

        @Override
        public void onClose(WatcherException cause) {
        }
    }

    /**
     * The watch lag of a real server (its writer has the answer, the other watchers see the change later): while RR
     * events are delayed, writes are answered and a ConfigMap's event goes out, the RRs' are held in order; lifting
     * the delay sends them at once; a short delay holds an event at least that long; clearing the faults ends it too.
     */
    private void assertWatchEventsDelayed(KubernetesClient client, java.util.function.Consumer<Duration> delayRrEvents,
            Runnable clearFaults) {
        Received<GenericKubernetesResource> rrEvents = new Received<>();
        Received<ConfigMap> cmEvents = new Received<>();
        try (var rrWatch = rrs(client).inNamespace(NS).watch(rrEvents);
             var cmWatch = client.configMaps().inNamespace(NS).watch(cmEvents)) {
            delayRrEvents.accept(Duration.ofMinutes(10));
            rrs(client).inNamespace(NS).resource(rr("held-1")).create();
            rrs(client).inNamespace(NS).resource(rr("held-2")).create();
            rrs(client).inNamespace(NS).withName("held-1").edit(r -> {
                r.getMetadata().setLabels(Map.of("edited", "yes"));
                return r;
            });
            assertEquals("yes", rrs(client).inNamespace(NS).withName("held-1").get().getMetadata().getLabels()
                    .get("edited"), "the writes are answered and stored at once");
            client.configMaps().inNamespace(NS).resource(configMap("cm-late")).create();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> cmEvents.events.contains("ADDED cm-late"));
            assertEquals(List.of(), rrEvents.events, "the RR events are held (for 10 minutes)");

            delayRrEvents.accept(Duration.ZERO);
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> rrEvents.events.size() == 3);
            assertEquals(List.of("ADDED held-1", "ADDED held-2", "MODIFIED held-1"), rrEvents.events,
                    "sent at once when the delay ends, in their order");

            delayRrEvents.accept(Duration.ofMillis(300));
            long before = System.nanoTime();
            rrs(client).inNamespace(NS).resource(rr("held-3")).create();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> rrEvents.firstSeenNanos.containsKey("held-3"));
            long lagMillis = (rrEvents.firstSeenNanos.get("held-3") - before) / 1_000_000;
            assertTrue(lagMillis >= 300, "held at least the delay, was " + lagMillis + " ms");

            delayRrEvents.accept(Duration.ofMinutes(10));
            rrs(client).inNamespace(NS).resource(rr("held-4")).create();
            clearFaults.run();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> rrEvents.events.contains("ADDED held-4"));
        }
    }

    @Test
    void watchEventsOfAResourceCanReachTheWatchersLate() {
        assertWatchEventsDelayed(admin, delay -> server.delayWatchEvents(RRS, delay), server::clearFaults);
    }

    @Test
    void theCrdsCanBeServedAfterTheServerStarted() {
        try (EmbeddedApiServer later = EmbeddedApiServer.builder().crds(CRDS).serveCrdsLater().start();
             KubernetesClient client = later.adminClient()) {
            KubernetesClientException notServed = fails(404, () -> rrs(client).inNamespace(NS).list());
            assertNull(notServed.getStatus().getDetails());
            assertNull(client.apiextensions().v1().customResourceDefinitions()
                    .withName("remediationrequests.kubernaut.ai").get(), "no CRD yet");
            assertNotNull(client.leases().inNamespace(NS).list(), "built-in types are served");

            assertEquals(List.of(RRS, "workflowexecutions"), later.serveCrds(1));
            assertNotNull(client.apiextensions().v1().customResourceDefinitions()
                    .withName("remediationrequests.kubernaut.ai").get());
            fails(429, () -> rrs(client).inNamespace(NS).list());
            rrs(client).inNamespace(NS).resource(rr("rr-1")).create();
            assertEquals(1, rrs(client).inNamespace(NS).list().getItems().size());
            assertEquals(List.of(), later.serveCrds(1), "nothing left to serve");
        }
    }

    @Test
    void theStandAloneServerTakesEveryLifecycleFaultOverHttp(@TempDir Path dir) throws Exception {
        Path portFile = dir.resolve("api.port");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                EmbeddedApiServer.class.getName(), "--port", "0", "--crds", CRDS.toString(), "--port-file",
                portFile.toString(), "--serve-crds-later")
                .redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile()).start();
        try {
            Awaitility.await().atMost(Duration.ofSeconds(60)).failFast(() -> !process.isAlive())
                    .until(() -> Files.isRegularFile(portFile));
            String url = "http://127.0.0.1:" + Files.readString(portFile).trim();
            ApiServerControl control = new ApiServerControl(url);
            try (KubernetesClient client = quicklyReconnectingClient(url)) {
                fails(404, () -> rrs(client).inNamespace(NS).list());
                assertEquals(List.of(RRS, "workflowexecutions"), control.serveCrds(1));
                fails(429, () -> rrs(client).inNamespace(NS).list());
                rrs(client).inNamespace(NS).resource(rr("rr-1")).create();

                control.watchCacheInitializing(RRS, 1);
                fails(429, () -> rrs(client).inNamespace(NS).list());
                control.stopServing(RRS);
                fails(404, () -> rrs(client).inNamespace(NS).list());
                control.resumeServing(RRS);
                assertEquals(1, rrs(client).inNamespace(NS).list().getItems().size());
                control.stopServing(RRS, Duration.ofMinutes(5));
                control.clearFaults();
                assertEquals(1, rrs(client).inNamespace(NS).list().getItems().size(), "clearing the faults serves it");

                SharedIndexInformer<GenericKubernetesResource> informer = rrs(client).inNamespace(NS).inform();
                try {
                    Awaitility.await().atMost(Duration.ofSeconds(10)).until(informer::isWatching);
                    long mark = control.mark();
                    assertEquals(1, control.restart(Duration.ofMinutes(5), 1));
                    Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5))
                            .until(() -> !informer.isWatching());
                    fails(404, () -> rrs(client).inNamespace(NS).list());
                    control.resumeServing(RRS);
                    Awaitility.await().atMost(Duration.ofSeconds(20)).until(informer::isWatching);
                    List<RequestRecord> since = control.since(mark);
                    assertEquals(1, since.stream().filter(r -> r.fault().equals("initializing")).count());
                    assertEquals(1, informer.getStore().list().size(), "the object outlived the restart");
                } finally {
                    informer.stop();
                }
                assertWatchEventsDelayed(client, delay -> control.delayWatchEvents(RRS, delay), control::clearFaults);
            }
        } finally {
            process.getOutputStream().close(); // the server exits when its standard input closes
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
