package ai.kubernaut.gateway.kube;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.backoff.BackoffPolicy;
import ai.kubernaut.gateway.model.RemediationRequest;
import ai.kubernaut.testserver.EmbeddedApiServer;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The informer start that a fresh install and an API server restart need: answers a current API server gives while
 * a type's watch cache initializes (429 + Retry-After) or before the type is served (404 without a Status naming an
 * object) are waited out, never thrown; fabric8's informer alone gives up on them.
 */
class SupervisedInformerTest {

    static final String NS = "informer-test";
    static EmbeddedApiServer server;
    static KubernetesClient client;

    InformerRestarts restarts = new InformerRestarts(BackoffPolicy.builder().baseDelay(Duration.ofMillis(20))
            .maxDelay(Duration.ofMillis(200)).build(), RandomGenerator.getDefault(),
            Executors.newSingleThreadScheduledExecutor(), Clock.systemUTC(), Duration.ofMinutes(2),
            Duration.ofMinutes(1));

    @BeforeAll
    static void start() {
        server = EmbeddedApiServer.builder().crds(Path.of("..", "deploy", "crds")).start();
        client = server.adminClient();
        client.resources(RemediationRequest.class).inNamespace(NS).resource(rr("before-start")).create();
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    @AfterEach
    void noFaults() {
        server.hook(null);
        restarts.timer().shutdownNow();
    }

    static RemediationRequest rr(String name) {
        RemediationRequest rr = new RemediationRequest();
        rr.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
        return rr;
    }

    static boolean isRrList(RecordedRequest r) {
        String path = r.getPath();
        return r.getMethod().equals("GET") && path.split("\\?")[0].endsWith("/namespaces/" + NS + "/remediationrequests")
                && !path.contains("watch=true");
    }

    SupervisedInformer<RemediationRequest> supervise() {
        return SupervisedInformer.start("RemediationRequest", client.resources(RemediationRequest.class)
                .inNamespace(NS), 0, informer -> {
                }, restarts);
    }

    @Test
    void aListAnswered429WhileTheCacheInitializesIsRetriedAfterItsRetryAfter() {
        AtomicInteger refused = new AtomicInteger();
        List<Long> listedAtNanos = new CopyOnWriteArrayList<>();
        server.hook((request, caller) -> {
            if (!isRrList(request)) {
                return null;
            }
            listedAtNanos.add(System.nanoTime());
            if (refused.getAndIncrement() < 2) {
                return new MockResponse().setResponseCode(429).setHeader("Retry-After", "1")
                        .setHeader("Content-Type", "application/json")
                        .setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
                                + "\"message\":\"storage is (re)initializing\",\"reason\":\"TooManyRequests\","
                                + "\"details\":{\"retryAfterSeconds\":1},\"code\":429}");
            }
            return null;
        });
        try (SupervisedInformer<RemediationRequest> informer = supervise()) {
            await().atMost(Duration.ofSeconds(2)).until(() -> informer.waitingFor().orElse("").contains("HTTP 429"));
            assertFalse(informer.hasSynced());
            await().atMost(Duration.ofSeconds(10)).until(informer::isWatching);
            assertEquals(Set.of("before-start"), names(informer));
            assertTrue(informer.waitingFor().isEmpty());
            assertEquals(3, listedAtNanos.size(), "two refused lists, then one that worked");
            for (int i = 1; i < listedAtNanos.size(); i++) {
                long gapMs = (listedAtNanos.get(i) - listedAtNanos.get(i - 1)) / 1_000_000;
                // the backoff alone would wait 20-40 ms: the server's Retry-After decides
                assertTrue(gapMs >= 950, "attempt " + (i + 1) + " came " + gapMs + " ms after the one before");
            }
        }
    }

    @Test
    void aTypeNotServedYetIsWaitedOutAndTheStartNeverThrows() {
        AtomicInteger notServed = new AtomicInteger();
        // as a real server's mux answers a type no CRD serves: no Status, so nothing says an object is missing
        server.hook((request, caller) -> request.getPath().contains("/remediationrequests")
                && notServed.incrementAndGet() <= 5
                ? new MockResponse().setResponseCode(404).setHeader("Content-Type", "text/plain")
                        .setBody("404 page not found\n")
                : null);
        try (SupervisedInformer<RemediationRequest> informer = supervise()) {
            await().atMost(Duration.ofSeconds(5)).until(() -> notServed.get() >= 2);
            assertTrue(informer.waitingFor().orElse("").contains("type not served"), informer.waitingFor().toString());
            await().atMost(Duration.ofSeconds(10)).until(informer::isWatching);
            assertTrue(names(informer).contains("before-start"));
            assertTrue(notServed.get() > 5);
        }
    }

    @Test
    void fabric8sOwnInformerGivesUpOnTheSameAnswer() {
        // the behaviour the supervisor exists for: without it the first 429 ends the informer (and the replica start)
        server.hook((request, caller) -> isRrList(request)
                ? EmbeddedApiServer.failure(429, "TooManyRequests", "storage is (re)initializing") : null);
        SharedIndexInformer<RemediationRequest> plain = client.resources(RemediationRequest.class).inNamespace(NS)
                .runnableInformer(0);
        try {
            plain.start();
            await().atMost(Duration.ofSeconds(5)).until(() -> plain.stopped().toCompletableFuture().isCompletedExceptionally());
            assertFalse(plain.hasSynced());
        } finally {
            plain.close();
        }
    }

    @Test
    void eachRestartIsAFreshInformerAndCloseStopsTheRetries() {
        Set<Integer> built = ConcurrentHashMap.newKeySet();
        AtomicInteger lists = new AtomicInteger();
        server.hook((request, caller) -> isRrList(request) && lists.incrementAndGet() > 0
                ? EmbeddedApiServer.failure(503, "ServiceUnavailable", "etcd leader changed") : null);
        SupervisedInformer<RemediationRequest> informer = SupervisedInformer.start("RemediationRequest",
                client.resources(RemediationRequest.class).inNamespace(NS), 0,
                fresh -> built.add(System.identityHashCode(fresh)), restarts);
        await().atMost(Duration.ofSeconds(5)).until(() -> built.size() >= 3);
        informer.close();
        int listsAtClose = lists.get();
        int builtAtClose = built.size();
        // what was scheduled before close finds it closed: no new instance, at most one list in flight
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
                .until(() -> built.size() == builtAtClose && lists.get() <= listsAtClose + 1);
        assertFalse(informer.hasSynced());
    }

    /**
     * Every list is read in pages of {@link SupervisedInformer#LIST_PAGE} (limit and continue in the request log):
     * the first, and a relist after the watch was answered 410 Gone (its resourceVersion compacted away).
     */
    @Test
    void theFirstListAndARelistAreReadInPages() {
        String ns = "paged";
        for (int i = 0; i < 1_100; i++) {
            RemediationRequest rr = rr("paged-" + i);
            rr.getMetadata().setNamespace(ns);
            client.resources(RemediationRequest.class).inNamespace(ns).resource(rr).create();
        }
        AtomicInteger watches = new AtomicInteger();
        // as a real server answers a watch from a compacted resourceVersion: the watch opens, then an ERROR event
        server.hook((request, caller) -> request.getPath().contains("/namespaces/" + ns + "/remediationrequests")
                && request.getPath().contains("watch=true") && watches.incrementAndGet() == 2
                ? new MockResponse().withWebSocketUpgrade(new WebSocketListener() {
                    @Override
                    public void onOpen(WebSocket socket, Response response) {
                        socket.send("{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\","
                                + "\"status\":\"Failure\",\"message\":\"too old resource version\","
                                + "\"reason\":\"Expired\",\"code\":410}}");
                    }
                }) : null);
        long mark = server.mark();
        try (SupervisedInformer<RemediationRequest> informer = SupervisedInformer.start("RemediationRequest",
                client.resources(RemediationRequest.class).inNamespace(ns), 0, i -> {
                }, restarts)) {
            await().atMost(Duration.ofSeconds(20)).until(informer::isWatching);
            assertEquals(1_100, informer.store().list().size());
            List<String> first = listQueries(mark, ns);
            assertEquals(3, first.size(), first.toString());
            assertTrue(first.stream().allMatch(q -> q.contains("limit=500")), first.toString());
            assertEquals(2, first.stream().filter(q -> q.contains("continue=")).count(), first.toString());

            // the watch breaks; its new start is refused with 410: fabric8 lists again, in pages again
            server.restart(Duration.ZERO, 0);
            await().atMost(Duration.ofSeconds(20)).until(() -> listQueries(mark, ns).size() == 6
                    && informer.isWatching());
            List<String> relist = listQueries(mark, ns).subList(3, 6);
            assertTrue(relist.stream().allMatch(q -> q.contains("limit=500")), relist.toString());
            assertEquals(2, relist.stream().filter(q -> q.contains("continue=")).count(), relist.toString());
            assertEquals(1_100, informer.store().list().size());
        }
    }

    static List<String> listQueries(long mark, String namespace) {
        return server.requestsSince(mark, r -> r.verb().equals("list") && namespace.equals(r.namespace())
                && r.resource().equals("remediationrequests")).stream().map(r -> r.query()).toList();
    }

    @Test
    void aReplacementForAnInformerThatHadListedStartsFromItsStoreSoHandlersSeeOnlyWhatChanged() {
        client.resources(RemediationRequest.class).inNamespace(NS).resource(rr("stays")).create();
        client.resources(RemediationRequest.class).inNamespace(NS).resource(rr("goes")).create();
        client.resources(RemediationRequest.class).inNamespace(NS).resource(rr("changes")).create();
        List<String> events = new CopyOnWriteArrayList<>();
        AtomicInteger watches = new AtomicInteger();
        AtomicInteger lists = new AtomicInteger();
        String path = "/apis/kubernaut.ai/v1alpha1/namespaces/" + NS + "/remediationrequests";
        server.hook((request, caller) -> {
            if (!"relist-test".equals(request.getHeader("User-Agent"))
                    || !request.getPath().split("\\?")[0].equals(path)) {
                return null;
            }
            if (!request.getPath().contains("watch=true")) {
                lists.incrementAndGet();
                return null;
            }
            if (watches.incrementAndGet() > 1) {
                return null;
            }
            // listed, but the watch is refused (the API server going down): meanwhile the namespace changes
            server.direct(HttpMethod.DELETE, path + "/goes", null, null);
            server.direct(HttpMethod.PATCH, path + "/changes", "application/merge-patch+json",
                    "{\"metadata\":{\"labels\":{\"changed\":\"yes\"}}}");
            server.direct(HttpMethod.POST, path, "application/json", client.getKubernetesSerialization()
                    .asJson(rr("arrives")));
            return EmbeddedApiServer.failure(500, "InternalError", "etcdserver: leader changed");
        });
        KubernetesClient httpWatches = new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(
                new io.fabric8.kubernetes.client.ConfigBuilder(EmbeddedApiServer.clientConfig(server.url(),
                        ai.kubernaut.testserver.Caller.ADMIN_TOKEN)).withUserAgent("relist-test").build()).build();
        try (httpWatches; SupervisedInformer<RemediationRequest> informer = SupervisedInformer.start("RR",
                httpWatches.resources(RemediationRequest.class).inNamespace(NS), 0, fresh -> fresh.addEventHandler(new io.fabric8.kubernetes.client.informers.ResourceEventHandler<>() {
                public void onAdd(RemediationRequest r) {
                    events.add("add " + r.getMetadata().getName());
                }

                public void onUpdate(RemediationRequest old, RemediationRequest r) {
                    events.add("update " + r.getMetadata().getName());
                }

                public void onDelete(RemediationRequest r, boolean unknownFinalState) {
                    events.add("delete " + r.getMetadata().getName());
                }
            }), restarts)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> lists.get() >= 2 && informer.isWatching());
            assertEquals(Set.of("before-start", "stays", "changes", "arrives"), names(informer), events.toString());
            await().atMost(Duration.ofSeconds(5)).until(() -> events.contains("add arrives")
                    && events.contains("delete goes") && events.contains("update changes"));
            // the replacement started from the old store: what went is a delete, what changed an update (a fresh
            // informer would know neither), and nothing is announced as added twice (the stopped instance may not
            // have delivered all of its own adds before it was closed)
            for (String name : List.of("before-start", "stays", "changes")) {
                assertTrue(events.stream().filter(e -> e.equals("add " + name)).count() <= 1, events.toString());
            }
            assertTrue(!events.contains("add changes") || events.indexOf("add changes")
                    < events.indexOf("update changes"), events.toString());
            assertTrue(informer.hasSynced());
        } finally {
            server.hook(null);
            for (String name : List.of("stays", "changes", "arrives")) {
                client.resources(RemediationRequest.class).inNamespace(NS).withName(name).delete();
            }
        }
    }

    static Set<String> names(SupervisedInformer<RemediationRequest> informer) {
        return Set.copyOf(informer.store().list().stream().map(r -> r.getMetadata().getName()).toList());
    }
}
