package ai.kubernaut.testserver;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Set-based label selectors as a real API server answers them (the mock alone ignores them): lists and watches
 * filtered by {@code key in (...)} / {@code key notin (...)}, and a watch sees an object whose label moves it into
 * the set as ADDED and out of it as DELETED.
 */
class SetSelectorTest {

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

    private ConfigMap create(String name, String shard, String app) {
        ConfigMapBuilder b = new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace("ns")
                .addToLabels("app", app).endMetadata();
        if (shard != null) {
            b.editMetadata().addToLabels("shard", shard).endMetadata();
        }
        return admin.configMaps().inNamespace("ns").resource(b.build()).create();
    }

    private List<String> names(List<ConfigMap> items) {
        return items.stream().map(c -> c.getMetadata().getName()).sorted().toList();
    }

    @Test
    void listsAreFilteredBySetRequirementsCombinedWithOthers() {
        create("a", "00", "x");
        create("b", "01", "x");
        create("c", "02", "x");
        create("d", "01", "y");
        create("e", null, "x");
        var cms = admin.configMaps().inNamespace("ns");
        assertEquals(List.of("a", "b", "d"), names(cms.withLabelIn("shard", "00", "01").list().getItems()));
        assertEquals(List.of("a", "b"), names(cms.withLabelIn("shard", "00", "01").withLabel("app", "x").list()
                .getItems()));
        assertEquals(List.of("c", "e"), names(cms.withLabelNotIn("shard", "00", "01").list().getItems()));
        assertEquals(List.of("a", "b", "c", "d"), names(cms.withLabel("shard").list().getItems()));
        assertEquals(List.of(), names(cms.withLabelIn("shard", "ff").list().getItems()));
    }

    @Test
    void aWatchSeesObjectsEnterAndLeaveTheSet() {
        create("stays-out", "09", "x");
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
            create("in", "00", "x");
            create("out", "05", "x");
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
}
