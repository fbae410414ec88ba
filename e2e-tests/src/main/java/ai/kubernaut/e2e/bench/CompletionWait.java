package ai.kubernaut.e2e.bench;

import ai.kubernaut.e2e.observe.WatchLog;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.Watcher;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Waits for a set of named objects to reach an end state, fed by a {@link WatchLog} subscription: each event is
 * looked at once, on arrival, and the waiting thread sleeps on a latch. (The benchmark used to rescan the whole
 * watch history every 20 ms, CPU taken from the orchestrators it measures.) The end time of an object is the
 * receipt of its first event in an end state.
 */
final class CompletionWait implements Consumer<WatchLog.Event> {

    private final Set<String> wanted;
    private final Predicate<GenericKubernetesResource> ended;
    private final Map<String, Long> endedAtNanos = new ConcurrentHashMap<>();
    private final CountDownLatch remaining;

    CompletionWait(Set<String> wanted, Predicate<GenericKubernetesResource> ended) {
        this.wanted = Set.copyOf(wanted);
        this.ended = ended;
        this.remaining = new CountDownLatch(this.wanted.size());
    }

    @Override
    public void accept(WatchLog.Event event) {
        if (event.action() != Watcher.Action.DELETED && wanted.contains(event.name()) && ended.test(event.object())
                && endedAtNanos.putIfAbsent(event.name(), event.atNanos()) == null) {
            remaining.countDown();
        }
    }

    /** True once every wanted object has ended; waits up to {@code timeout} for that. */
    boolean await(Duration timeout) throws InterruptedException {
        return remaining.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    int endedCount() {
        return endedAtNanos.size();
    }

    /** When the last of them ended ({@link System#nanoTime()} on receipt); 0 while none has. */
    long lastEndNanos() {
        return endedAtNanos.values().stream().mapToLong(Long::longValue).max().orElse(0);
    }
}
