package ai.kubernaut.e2e.observe;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Every watch event of one kind (RRs or WFEs) in a namespace, in the order the API server sent them.
 * A single watch stream is ordered by the server, so replaying it reconstructs, at every instant, which
 * objects existed and in which phase: what the overlap checks need.
 *
 * <p>By default ({@link WhenClosed#END}) the log ends when its watch does (e.g. "too old resource version" after an
 * API server restart: {@link #closedBecause()} says why). A scenario that restarts the API server uses
 * {@link WhenClosed#RELIST}: the log then lists again and watches from that list on, as a client-go reflector
 * does, and keeps going. The list is entered into the log as events at the instant it was received (an object not seen
 * before: ADDED; one whose resourceVersion changed: MODIFIED; one no longer listed: DELETED), so a replay moves from
 * the state before the gap to the state after it in one step. What happened <em>inside</em> the gap (between the
 * watch breaking and the list answering) is not seen: {@link #gaps()} records each one, and a check that must hold at
 * every instant says what it cannot see there. In this mode fabric8's own silent reconnects are turned off (a
 * dedicated client with {@code watchReconnectLimit=0}), so that every break is a recorded gap, on the embedded
 * server (which replays a re-opened watch from the start) as on a real one (which may answer 410 Gone).
 */
public final class WatchLog implements AutoCloseable {

    /** What the log does when its watch ends unexpectedly. */
    public enum WhenClosed {
        /** The log ends; {@link #closedBecause()} says why. */
        END,
        /** The log lists again (retrying until the list is answered), records the gap and watches from the list on. */
        RELIST
    }

    /** One event as received. {@code atNanos} is {@link System#nanoTime()} on receipt. */
    public record Event(long seq, long atNanos, Watcher.Action action, GenericKubernetesResource object) {
        public String name() {
            return object.getMetadata().getName();
        }
    }

    /**
     * A time in which the log did not follow the API server: from the watch breaking ({@code fromNanos}) to the list
     * that resumed it ({@code toNanos}); the list's events start at {@code firstSeqAfter}. {@code attempts}: lists or
     * watches that failed meanwhile; {@code cause}: why the watch ended.
     */
    public record Gap(long fromNanos, long toNanos, long firstSeqAfter, int attempts, String cause) {
        public Duration length() {
            return Duration.ofNanos(toNanos - fromNanos);
        }
    }

    /** Ends a {@link #subscribe} (no exception, for try-with-resources). */
    public interface Subscription extends AutoCloseable {
        @Override
        void close();
    }

    private static final Duration FIRST_RETRY = Duration.ofMillis(100);
    private static final Duration MAX_RETRY = Duration.ofSeconds(1);

    private final String kind;
    private final String namespace;
    private final KubernetesClient client;
    private final KubernetesClient ownClient; // RELIST only: closed with the log
    private final WhenClosed whenClosed;
    private final ScheduledExecutorService relister;
    private final List<Event> events = new ArrayList<>();
    private final List<Gap> gaps = new CopyOnWriteArrayList<>();
    /** The newest object of each name seen so far, for the list that ends a gap. Guarded by {@code events}. */
    private final Map<String, GenericKubernetesResource> latest = new HashMap<>();
    private final List<Consumer<Event>> listeners = new CopyOnWriteArrayList<>();
    private final AtomicLong seq = new AtomicLong();
    private volatile Watch watch;
    private volatile String closedBecause;
    private volatile boolean closed;

    private WatchLog(KubernetesClient admin, String namespace, String kind, WhenClosed whenClosed) {
        this.kind = kind;
        this.namespace = namespace;
        this.whenClosed = whenClosed;
        if (whenClosed == WhenClosed.RELIST) {
            // every break of the watch ends it here (no silent reconnect that would hide the gap): see the class doc
            Config config = new ConfigBuilder(admin.getConfiguration()).withWatchReconnectLimit(0).build();
            this.ownClient = new KubernetesClientBuilder().withConfig(config).build();
            this.client = ownClient;
            this.relister = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "watch-log-relist-" + kind);
                t.setDaemon(true);
                return t;
            });
        } else {
            this.ownClient = null;
            this.client = admin;
            this.relister = null;
        }
        if (whenClosed == WhenClosed.RELIST) {
            try {
                this.watch = startWatch(null);
            } catch (RuntimeException e) {
                // not served yet, or its cache initializing: begin as after a break
                resumeLater(System.nanoTime(), "the first watch failed: " + e, 1, FIRST_RETRY);
            }
        } else {
            this.watch = startWatch(null);
        }
    }

    public static WatchLog ofRemediationRequests(KubernetesClient admin, String namespace) {
        return new WatchLog(admin, namespace, KubernautObjects.RR_KIND, WhenClosed.END);
    }

    public static WatchLog ofWorkflowExecutions(KubernetesClient admin, String namespace) {
        return new WatchLog(admin, namespace, KubernautObjects.WFE_KIND, WhenClosed.END);
    }

    public static WatchLog ofRemediationRequests(KubernetesClient admin, String namespace, WhenClosed whenClosed) {
        return new WatchLog(admin, namespace, KubernautObjects.RR_KIND, whenClosed);
    }

    public static WatchLog ofWorkflowExecutions(KubernetesClient admin, String namespace, WhenClosed whenClosed) {
        return new WatchLog(admin, namespace, KubernautObjects.WFE_KIND, whenClosed);
    }

    private Watch startWatch(String resourceVersion) {
        var resources = client.genericKubernetesResources(KubernautObjects.API_VERSION, kind).inNamespace(namespace);
        Watcher<GenericKubernetesResource> watcher = new Watcher<>() {
            @Override
            public void eventReceived(Action action, GenericKubernetesResource resource) {
                if (action == Action.BOOKMARK || action == Action.ERROR) {
                    return;
                }
                record(action, resource);
            }

            @Override
            public void onClose(WatcherException cause) {
                if (closed) {
                    return;
                }
                if (whenClosed == WhenClosed.RELIST) {
                    resumeLater(System.nanoTime(), cause.toString(), 0, FIRST_RETRY);
                } else {
                    closedBecause = cause.toString();
                }
            }
        };
        return resourceVersion == null ? resources.watch(watcher)
                : resources.withResourceVersion(resourceVersion).watch(watcher);
    }

    private void record(Watcher.Action action, GenericKubernetesResource resource) {
        synchronized (events) {
            Event event = new Event(seq.getAndIncrement(), System.nanoTime(), action, resource);
            events.add(event);
            if (action == Watcher.Action.DELETED) {
                latest.remove(event.name());
            } else {
                latest.put(event.name(), resource);
            }
            listeners.forEach(l -> l.accept(event));
        }
    }

    private void resumeLater(long brokeAt, String cause, int attempts, Duration delay) {
        try {
            relister.schedule(() -> resume(brokeAt, cause, attempts, delay), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closed meanwhile
        }
    }

    /** Lists, enters the difference into the log, then watches from the list's resourceVersion; on failure, again. */
    private void resume(long brokeAt, String cause, int attempts, Duration delay) {
        if (closed) {
            return;
        }
        try {
            GenericKubernetesResourceList list = client.genericKubernetesResources(KubernautObjects.API_VERSION, kind)
                    .inNamespace(namespace).list();
            long listedAt;
            long firstSeq;
            synchronized (events) {
                listedAt = System.nanoTime();
                firstSeq = seq.get();
                Set<String> listed = new HashSet<>();
                for (GenericKubernetesResource object : list.getItems()) {
                    String name = object.getMetadata().getName();
                    listed.add(name);
                    GenericKubernetesResource known = latest.get(name);
                    if (known == null) {
                        record(Watcher.Action.ADDED, object);
                    } else if (!Objects.equals(known.getMetadata().getResourceVersion(),
                            object.getMetadata().getResourceVersion())) {
                        record(Watcher.Action.MODIFIED, object);
                    }
                }
                for (GenericKubernetesResource gone : List.copyOf(latest.values())) {
                    if (!listed.contains(gone.getMetadata().getName())) {
                        record(Watcher.Action.DELETED, gone);
                    }
                }
            }
            watch = startWatch(list.getMetadata() == null ? null : list.getMetadata().getResourceVersion());
            if (closed) {
                watch.close();
                return;
            }
            gaps.add(new Gap(brokeAt, listedAt, firstSeq, attempts, cause));
        } catch (RuntimeException e) {
            // 404 while the type is not served, 429 while its cache initializes, no answer: as a reflector, again
            Duration next = delay.multipliedBy(2).compareTo(MAX_RETRY) > 0 ? MAX_RETRY : delay.multipliedBy(2);
            resumeLater(brokeAt, cause, attempts + 1, next);
        }
    }

    public String kind() {
        return kind;
    }

    public List<Event> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    /** Every time the log did not follow the API server and resumed by listing ({@link WhenClosed#RELIST} only). */
    public List<Gap> gaps() {
        return List.copyOf(gaps);
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

    /** Why the watch ended unexpectedly, or null while it runs (always null with {@link WhenClosed#RELIST}). */
    public String closedBecause() {
        return closedBecause;
    }

    @Override
    public void close() {
        closed = true;
        try {
            Watch current = watch;
            if (current != null) {
                current.close();
            }
        } finally {
            if (relister != null) {
                relister.shutdownNow();
            }
            if (ownClient != null) {
                ownClient.close();
            }
        }
    }
}
