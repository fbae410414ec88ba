package ai.kubernaut.e2e.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.e2e.observe.WatchLog;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.Watcher;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

class CompletionWaitTest {

    private static WatchLog.Event event(long atNanos, Watcher.Action action, String name, String phase) {
        GenericKubernetesResource rr = new GenericKubernetesResource();
        rr.setMetadata(new ObjectMetaBuilder().withName(name).build());
        rr.setAdditionalProperty("status", Map.of("overallPhase", phase));
        return new WatchLog.Event(atNanos, atNanos, action, rr);
    }

    private static CompletionWait waitFor(String... names) {
        return new CompletionWait(Set.of(names), rr -> "Completed".equals(
                ((Map<?, ?>) rr.getAdditionalProperties().get("status")).get("overallPhase")));
    }

    @Test
    void endsWhenEveryWantedObjectHasEndedAndKeepsTheLastFirstEnd() throws InterruptedException {
        CompletionWait wait = waitFor("a", "b");
        wait.accept(event(1, Watcher.Action.ADDED, "a", ""));
        wait.accept(event(2, Watcher.Action.MODIFIED, "a", "Completed"));
        wait.accept(event(3, Watcher.Action.MODIFIED, "other", "Completed"));
        wait.accept(event(4, Watcher.Action.DELETED, "b", "Completed"));
        assertFalse(wait.await(Duration.ZERO), "b has not ended: a deletion is no end");
        assertEquals(1, wait.endedCount());
        wait.accept(event(5, Watcher.Action.MODIFIED, "b", "Completed"));
        wait.accept(event(9, Watcher.Action.MODIFIED, "a", "Completed"));
        assertTrue(wait.await(Duration.ZERO));
        assertEquals(5, wait.lastEndNanos(), "the first end of each, the latest of those");
    }

    @Test
    void nothingEndedMeansNoEndTime() throws InterruptedException {
        CompletionWait wait = waitFor("a");
        wait.accept(event(7, Watcher.Action.MODIFIED, "a", "Executing"));
        assertFalse(wait.await(Duration.ofMillis(10)));
        assertEquals(0, wait.lastEndNanos());
    }
}
