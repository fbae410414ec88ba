package ai.kubernaut.e2e.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.kubernaut.testserver.EmbeddedApiServer;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

class WatchLogTest {

    private static final String NS = "watchlog";

    private static void createRr(KubernetesClient admin, String name) {
        GenericKubernetesResource rr = new GenericKubernetesResource();
        rr.setApiVersion(KubernautObjects.API_VERSION);
        rr.setKind(KubernautObjects.RR_KIND);
        rr.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
        KubernautObjects.rrs(admin).inNamespace(NS).resource(rr).create();
    }

    @Test
    void aSubscriberGetsThePastThenEachNewEventOnceUntilItLeaves() {
        try (EmbeddedApiServer server = EmbeddedApiServer.builder().crds(Path.of("..", "deploy", "crds")).start();
             KubernetesClient admin = server.adminClient();
             WatchLog log = WatchLog.ofRemediationRequests(admin, NS)) {
            createRr(admin, "before");
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> log.size() == 1);
            List<String> seen = new CopyOnWriteArrayList<>();
            WatchLog.Subscription subscription = log.subscribe(e -> seen.add(e.name()));
            assertEquals(List.of("before"), seen, "the past, at once");
            createRr(admin, "during");
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 2);
            subscription.close();
            createRr(admin, "after");
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> log.size() == 3);
            assertEquals(List.of("before", "during"), seen);
        }
    }
}
