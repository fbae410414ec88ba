package ai.kubernaut.e2e.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    @Test
    void acrossRestartsTheLogListsAgainRecordsTheGapAndFollowsOn() {
        try (EmbeddedApiServer server = EmbeddedApiServer.builder().crds(Path.of("..", "deploy", "crds")).start();
             KubernetesClient admin = server.adminClient();
             WatchLog log = WatchLog.ofRemediationRequests(admin, NS, WatchLog.WhenClosed.RELIST);
             WatchLog ending = WatchLog.ofRemediationRequests(admin, NS)) {
            createRr(admin, "before");
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> log.size() == 1 && ending.size() == 1);

            assertTrue(server.restart(Duration.ofMillis(500), 2) >= 2, "both watches dropped");
            // written while the log has no watch: the type answers 404 for 500 ms, so retry the create until served
            Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
                    .until(() -> {
                        createRr(admin, "during");
                        return true;
                    });
            Awaitility.await("the log follows again").atMost(Duration.ofSeconds(20))
                    .until(() -> log.events().stream().anyMatch(e -> e.name().equals("during")));
            createRr(admin, "after");
            Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> log.events().stream().anyMatch(e -> e.name().equals("after")));

            List<WatchLog.Gap> gaps = log.gaps();
            assertEquals(1, gaps.size(), "one gap: " + gaps);
            assertTrue(gaps.get(0).attempts() > 0, "lists failed while the type was not served: " + gaps);
            assertEquals(null, log.closedBecause());
            assertTrue(log.events().stream().filter(e -> e.name().equals("during"))
                    .allMatch(e -> e.seq() >= gaps.get(0).firstSeqAfter()), "seen by the list that ended the gap or later");
            Awaitility.await("the plain log ends").atMost(Duration.ofSeconds(30)).until(() -> ending.closedBecause() != null
                    || ending.events().stream().anyMatch(e -> e.name().equals("after")));
            System.out.println("plain watch log after the restart: closed because " + ending.closedBecause()
                    + ", events " + ending.events().stream().map(WatchLog.Event::name).toList());
        }
    }
}
