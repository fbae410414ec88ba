package ai.kubernaut.e2e.observe;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Every watch event of one kind (RRs or WFEs) in a namespace, in the order the API server sent them.
 * A single watch stream is ordered by the server, so replaying it reconstructs, at every instant, which
 * objects existed and in which phase: what the overlap checks need.
 */
public final class WatchLog implements AutoCloseable {

    /** One event as received. {@code atNanos} is {@link System#nanoTime()} on receipt. */
    public record Event(long seq, long atNanos, Watcher.Action action, GenericKubernetesResource object) {
        public String name() {
            return object.getMetadata().getName();
        }
    }

    /** Ends a {@link #subscribe} (no exception, for try-with-resources). */
    public interface Subscription extends AutoCloseable {
        @Override
        void close();
    }

    private final String kind;
    private final List<Event> events = new ArrayList<>();
    private final List<Consumer<Event>> listeners = new CopyOnWriteArrayList<>();
    private final AtomicLong seq = new AtomicLong();
    private final Watch watch;
    private volatile String closedBecause;

    private WatchLog(KubernetesClient admin, String namespace, String kind) {
        this.kind = kind;
        this.watch = admin.genericKubernetesResources(KubernautObjects.API_VERSION, kind).inNamespace(namespace)
                .watch(new Watcher<>() {
                    @Override
                    public void eventReceived(Action action, GenericKubernetesResource resource) {
                        if (action == Action.BOOKMARK || action == Action.ERROR) {
                            return;
                        }
                        synchronized (events) {
                            Event event = new Event(seq.getAndIncrement(), System.nanoTime(), action, resource);
                            events.add(event);
                            listeners.forEach(l -> l.accept(event));
                        }
                    }

                    @Override
                    public void onClose(WatcherException cause) {
                        closedBecause = cause.toString();
                    }
                });
    }

    public static WatchLog ofRemediationRequests(KubernetesClient admin, String namespace) {
        return new WatchLog(admin, namespace, KubernautObjects.RR_KIND);
    }

    public static WatchLog ofWorkflowExecutions(KubernetesClient admin, String namespace) {
        return new WatchLog(admin, namespace, KubernautObjects.WFE_KIND);
    }

    public String kind() {
        return kind;
    }

    public List<Event> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    /**
     * Hands {@code listener} every event received so far, then each new one on arrival (on the watch's thread, in
     * order, none missed or repeated), until the subscription is closed: for waits that look at each event once
     * instead of rescanning {@link #events()}. The listener must be quick and must not block.
     */
    public Subscription subscribe(Consumer<Event> listener) {
        synchronized (events) {
            events.forEach(listener);
            listeners.add(listener);
        }
        return () -> listeners.remove(listener);
    }

    public int size() {
        synchronized (events) {
            return events.size();
        }
    }

    /** Why the watch ended unexpectedly, or null while it runs. */
    public String closedBecause() {
        return closedBecause;
    }

    @Override
    public void close() {
        watch.close();
    }
}
