package ai.kubernaut.testserver;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The name index answers single-object requests exactly as the mock's scan did: same name in other namespaces
 * and other kinds kept apart, 404, 409s, finalizers, lists and watches unchanged; and a by-name lookup looks at
 * the objects of that name only. Set-based label selectors filter lists and watches as a real server does.
 */
class IndexedCrudStoreTest {

    private EmbeddedApiServer server;
    private KubernetesClient admin;

    @BeforeEach
    void start() throws Exception {
        server = EmbeddedApiServer.builder().start();
        admin = server.adminClient();
    }

    @AfterEach
    void stop() {
        admin.close();
        server.close();
    }

    private static ConfigMap configMap(String ns, String name, String value) {
        return new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata()
                .addToData("k", value).build();
    }

    @Test
    void aNameIsAnsweredPerNamespaceAndKind() {
        admin.configMaps().inNamespace("a").resource(configMap("a", "same", "in-a")).create();
        admin.configMaps().inNamespace("b").resource(configMap("b", "same", "in-b")).create();
        admin.secrets().inNamespace("a").resource(new SecretBuilder().withNewMetadata().withName("same")
                .withNamespace("a").endMetadata().addToStringData("s", "secret").build()).create();

        assertEquals("in-a", admin.configMaps().inNamespace("a").withName("same").get().getData().get("k"));
        assertEquals("in-b", admin.configMaps().inNamespace("b").withName("same").get().getData().get("k"));
        Secret secret = admin.secrets().inNamespace("a").withName("same").get();
        assertNotNull(secret);
        assertNull(admin.configMaps().inNamespace("c").withName("same").get());
        assertNull(admin.configMaps().inNamespace("a").withName("other").get());

        KubernetesClientException exists = assertThrows(KubernetesClientException.class,
                () -> admin.configMaps().inNamespace("a").resource(configMap("a", "same", "again")).create());
        assertEquals(409, exists.getCode());

        admin.configMaps().inNamespace("a").withName("same").delete();
        assertNull(admin.configMaps().inNamespace("a").withName("same").get());
        assertEquals("in-b", admin.configMaps().inNamespace("b").withName("same").get().getData().get("k"));
        assertNotNull(admin.secrets().inNamespace("a").withName("same").get());
        admin.configMaps().inNamespace("a").resource(configMap("a", "same", "re-created")).create();
        assertEquals("re-created", admin.configMaps().inNamespace("a").withName("same").get().getData().get("k"));
    }

    @Test
    void writesByNameKeepPreconditionsFinalizersListsAndWatches() {
        List<String> events = new CopyOnWriteArrayList<>();
        try (Watch watch = admin.configMaps().inNamespace("w").watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, ConfigMap resource) {
                events.add(action + " " + resource.getMetadata().getName());
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        })) {
            for (int i = 0; i < 50; i++) {
                admin.configMaps().inNamespace("w").resource(configMap("w", "cm-" + i, "v")).create();
            }
            ConfigMap stale = admin.configMaps().inNamespace("w").withName("cm-7").get();
            admin.configMaps().inNamespace("w").withName("cm-7").edit(cm -> {
                cm.getData().put("k", "edited");
                return cm;
            });
            stale.getData().put("k", "lost update");
            KubernetesClientException conflict = assertThrows(KubernetesClientException.class,
                    () -> admin.configMaps().inNamespace("w").resource(stale).update());
            assertEquals(409, conflict.getCode());
            assertEquals("edited", admin.configMaps().inNamespace("w").withName("cm-7").get().getData().get("k"));

            ConfigMap kept = configMap("w", "kept", "v");
            kept.getMetadata().setFinalizers(List.of("example.com/keep"));
            admin.configMaps().inNamespace("w").resource(kept).create();
            admin.configMaps().inNamespace("w").withName("kept").delete();
            ConfigMap marked = admin.configMaps().inNamespace("w").withName("kept").get();
            assertNotNull(marked.getMetadata().getDeletionTimestamp(), "a finalizer keeps the object, marked");

            admin.configMaps().inNamespace("w").withName("cm-3").delete();
            assertEquals(50, admin.configMaps().inNamespace("w").list().getItems().size()); // 49 + kept
            Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> events.contains("DELETED cm-3")
                    && events.contains("MODIFIED cm-7") && events.contains("ADDED cm-49")
                    && events.contains("MODIFIED kept"));
        }
    }

    @Test
    void aLookupByNameSeesOnlyTheObjectsOfThatName() {
        IndexedCrudStore.NameIndexedMap map = new IndexedCrudStore.NameIndexedMap();
        KubernetesAttributesExtractor extractor = new KubernetesAttributesExtractor();
        for (int i = 0; i < 1_000; i++) {
            String ns = i % 2 == 0 ? "even" : "odd";
            String json = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cm-" + i
                    + "\",\"namespace\":\"" + ns + "\"}}";
            // keyed as the mock keys a created object: the attributes of its path and of its body
            map.put(AttributeSet.merge(extractor.fromPath("/api/v1/namespaces/" + ns + "/configmaps/cm-" + i),
                    extractor.fromResource(json)), json);
        }
        var query = extractor.fromPath("/api/v1/namespaces/odd/configmaps/cm-7");
        List<Map.Entry<AttributeSet, String>> named = map.named(query);
        assertEquals(1, named.size());
        assertTrue(named.get(0).getKey().matches(query));
        assertNull(map.named(extractor.fromPath("/api/v1/namespaces/odd/configmaps")), "a list is not by name");

        map.remove(named.get(0).getKey());
        assertEquals(0, map.named(query).size());
        assertEquals(999, map.size());
        assertThrows(UnsupportedOperationException.class, () -> map.entrySet().clear());
    }

    private ConfigMap labelled(String name, String shard, String app) {
        ConfigMapBuilder b = new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace("ns")
                .addToLabels("app", app).endMetadata();
        if (shard != null) {
            b.editMetadata().addToLabels("shard", shard).endMetadata();
        }
        return admin.configMaps().inNamespace("ns").resource(b.build()).create();
    }

    private static List<String> names(List<ConfigMap> items) {
        return items.stream().map(c -> c.getMetadata().getName()).sorted().toList();
    }

    /** Set-based selectors (the mock alone ignores them): lists filtered, also combined with other requirements. */
    @Test
    void listsAreFilteredBySetRequirementsCombinedWithOthers() {
        labelled("a", "00", "x");
        labelled("b", "01", "x");
        labelled("c", "02", "x");
        labelled("d", "01", "y");
        labelled("e", null, "x");
        var cms = admin.configMaps().inNamespace("ns");
        assertEquals(List.of("a", "b", "d"), names(cms.withLabelIn("shard", "00", "01").list().getItems()));
        assertEquals(List.of("a", "b"), names(cms.withLabelIn("shard", "00", "01").withLabel("app", "x").list()
                .getItems()));
        assertEquals(List.of("c", "e"), names(cms.withLabelNotIn("shard", "00", "01").list().getItems()));
        assertEquals(List.of("a", "b", "c", "d"), names(cms.withLabel("shard").list().getItems()));
        assertEquals(List.of(), names(cms.withLabelIn("shard", "ff").list().getItems()));
    }

    /** A watch sees an object whose label moves it into the set as ADDED and out of it as DELETED. */
    @Test
    void aWatchSeesObjectsEnterAndLeaveTheSet() {
        labelled("stays-out", "09", "x");
        List<String> events = new CopyOnWriteArrayList<>();
        try (Watch watch = admin.configMaps().inNamespace("ns").withLabelIn("shard", "00", "01")
                .watch(new Watcher<ConfigMap>() {
                    @Override
                    public void eventReceived(Action action, ConfigMap cm) {
                        events.add(action + " " + cm.getMetadata().getName());
                    }

                    @Override
                    public void onClose(WatcherException cause) {
                    }
                })) {
            labelled("in", "00", "x");
            labelled("out", "05", "x");
            admin.configMaps().inNamespace("ns").withName("out").edit(c -> {
                c.getMetadata().getLabels().put("shard", "01");
                return c;
            });
            admin.configMaps().inNamespace("ns").withName("in").edit(c -> {
                c.getMetadata().getLabels().put("shard", "07");
                return c;
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> events.size() >= 3);
            assertEquals(List.of("ADDED in", "ADDED out", "DELETED in"), events);
        }
    }

    /**
     * A LIST with a limit answers in pages of one snapshot: at most {@code limit} items each, the first page's
     * resourceVersion on every page, a write made between pages not in the later pages; a token this server no
     * longer keeps answers 410 Expired.
     */
    @Test
    void aLimitedListAnswersInPagesOfOneSnapshot() {
        for (int i = 0; i < 7; i++) {
            labelled("p-" + i, "00", "x");
        }
        var cms = admin.configMaps().inNamespace("ns");
        var first = cms.list(new ListOptionsBuilder().withLimit(3L).build());
        assertEquals(3, first.getItems().size());
        assertNotNull(first.getMetadata().getContinue());
        assertEquals(4L, first.getMetadata().getRemainingItemCount());
        labelled("p-late", "00", "x");
        var second = cms.list(new ListOptionsBuilder().withLimit(3L).withContinue(first.getMetadata().getContinue())
                .build());
        var third = cms.list(new ListOptionsBuilder().withLimit(3L).withContinue(second.getMetadata().getContinue())
                .build());
        assertEquals(1, third.getItems().size());
        assertNull(third.getMetadata().getContinue(), "the last page has no continue token");
        assertEquals(first.getMetadata().getResourceVersion(), third.getMetadata().getResourceVersion());
        List<String> listed = new java.util.ArrayList<>();
        List.of(first, second, third).forEach(page -> listed.addAll(names(page.getItems())));
        assertEquals(List.of("p-0", "p-1", "p-2", "p-3", "p-4", "p-5", "p-6"), listed.stream().sorted().toList());
        assertEquals(8, cms.list().getItems().size(), "without a limit: everything, as before");
        assertEquals(3, cms.withLabelIn("shard", "00").list(new ListOptionsBuilder().withLimit(3L).build())
                .getItems().size(), "selectors first, then the page");

        KubernetesClientException expired = assertThrows(KubernetesClientException.class, () -> cms.list(
                new ListOptionsBuilder().withLimit(3L).withContinue(second.getMetadata().getContinue()).build()));
        assertEquals(410, expired.getCode(), "a list read to its end keeps no snapshot");
        assertEquals("Expired", expired.getStatus().getReason());
    }

    /** An informer with a limit lists page by page (its requests name the limit and the continue token). */
    @Test
    void anInformerWithALimitListsInPages() {
        for (int i = 0; i < 12; i++) {
            labelled("i-" + i, "00", "x");
        }
        long mark = server.mark();
        var informer = admin.configMaps().inNamespace("ns").withLimit(5L).inform();
        try {
            await().atMost(Duration.ofSeconds(10)).until(informer::hasSynced);
            assertEquals(12, informer.getStore().list().size());
            List<RequestRecord> lists = server.requestsSince(mark, r -> r.verb().equals("list"));
            assertEquals(3, lists.size(), lists.toString());
            assertTrue(lists.stream().allMatch(r -> r.query().contains("limit=5")));
            assertEquals(2, lists.stream().filter(r -> r.query().contains("continue=")).count());
        } finally {
            informer.close();
        }
    }

    /** A watch from a resourceVersion starts with what changed since (the mock alone replays everything). */
    @Test
    void aWatchFromAVersionStartsWithTheObjectsChangedSince() {
        labelled("before", "00", "x");
        String version = admin.configMaps().inNamespace("ns").list().getMetadata().getResourceVersion();
        labelled("after", "00", "x");
        List<String> fromVersion = new CopyOnWriteArrayList<>();
        List<String> fromNothing = new CopyOnWriteArrayList<>();
        try (Watch since = admin.configMaps().inNamespace("ns").watch(
                new ListOptionsBuilder().withResourceVersion(version).build(), recording(fromVersion));
                Watch all = admin.configMaps().inNamespace("ns").watch(recording(fromNothing))) {
            labelled("later", "00", "x");
            await().atMost(Duration.ofSeconds(10)).until(() -> fromVersion.contains("ADDED later")
                    && fromNothing.contains("ADDED later"));
            assertEquals(List.of("ADDED after", "ADDED later"), fromVersion);
            assertEquals(List.of("ADDED after", "ADDED before", "ADDED later"), fromNothing.stream().sorted().toList());
        }
    }

    /**
     * A watch resumed from a resourceVersion hears of what left its selection meanwhile, as from a real server's
     * watch cache: a DELETED for an object deleted and for one whose label moved it out (issue 19: the orchestrator's
     * informers select terminal RRs out by label; without this a resumed watch kept an ended RR as active forever).
     */
    @Test
    void aResumedWatchHearsOfWhatWasDeletedOrLeftItsSelection() {
        labelled("stays", "00", "x");
        labelled("deleted", "00", "x");
        labelled("moves-out", "00", "x");
        String version = admin.configMaps().inNamespace("ns").withLabelIn("shard", "00").list().getMetadata()
                .getResourceVersion();
        admin.configMaps().inNamespace("ns").withName("deleted").delete();
        admin.configMaps().inNamespace("ns").withName("moves-out").edit(cm -> {
            cm.getMetadata().getLabels().put("shard", "01");
            return cm;
        });
        admin.configMaps().inNamespace("ns").withName("stays").edit(cm -> {
            cm.setData(Map.of("changed", "yes"));
            return cm;
        });
        List<String> events = new CopyOnWriteArrayList<>();
        try (Watch resumed = admin.configMaps().inNamespace("ns").withLabelIn("shard", "00").watch(
                new ListOptionsBuilder().withResourceVersion(version).build(), recording(events))) {
            await().atMost(Duration.ofSeconds(10)).until(() -> events.size() >= 3);
            assertEquals(List.of("ADDED stays", "DELETED deleted", "DELETED moves-out"), events.stream().sorted()
                    .toList());
        }
    }

    /** Once more objects left than are remembered, a watch from before them is answered 410 Expired. */
    @Test
    void aWatchFromBeforeForgottenRemovalsIsExpired() {
        Removals removals = new Removals();
        AttributeSet a = new AttributeSet(new Attribute("name", "a"));
        removals.add(a, "{}", 5);
        removals.putBack(a);
        assertTrue(removals.since(0).isEmpty(), "an update that kept its attributes is no removal");
        for (int i = 0; i <= Removals.CAPACITY; i++) {
            removals.add(new AttributeSet(new Attribute("name", "n" + i)), "{}", 10 + i);
        }
        assertTrue(removals.coversSince(10), "the first removal, at 10, was forgotten: a watch from 10 lost nothing");
        assertTrue(!removals.coversSince(9), "a watch from 9 would miss the removal at 10");
        assertEquals(Removals.CAPACITY, removals.since(0).size());
    }

    /** /version answers a version, whatever is stored (the mock sent every stored object: its query is empty). */
    @Test
    void theVersionIsAVersionNotTheStore() throws Exception {
        for (int i = 0; i < 3; i++) {
            labelled("v-" + i, "00", "x");
        }
        assertEquals("v1.32.0-kube-test-server", admin.getKubernetesVersion().getGitVersion());
        var http = java.net.http.HttpClient.newHttpClient();
        for (String path : List.of("/version", "/healthz")) {
            String body = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.url() + path))
                    .build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(!body.contains("v-0") && !body.contains("items"), path + ": " + body);
        }
    }

    private static Watcher<ConfigMap> recording(List<String> events) {
        return new Watcher<>() {
            @Override
            public void eventReceived(Action action, ConfigMap cm) {
                events.add(action + " " + cm.getMetadata().getName());
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        };
    }
}
