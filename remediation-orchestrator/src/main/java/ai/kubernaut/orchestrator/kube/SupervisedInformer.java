package ai.kubernaut.orchestrator.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Indexer;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.fabric8.kubernetes.client.informers.cache.Store;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * An informer that starts, and starts again after its list or watch failed, the way a client-go reflector does:
 * it never gives up and never ends the process. fabric8's informer stops on a failed first list (a 429 while the
 * API server's watch cache initializes, a 404 while the type is not served yet) and, with its default handler, on
 * some failures later; here every failure stops that informer instance and a fresh one from {@code factory} (its
 * handlers and indexers attached, not started) is started after a delay from {@link InformerRestarts} (the
 * shared-backoff policy, at least the answer's Retry-After). A replacement for an informer that had listed starts
 * from the old one's store ({@code initialState}), so its first list is a Replace: handlers see updates for what
 * changed and deletes for what went meanwhile, as after a relist. Until it has listed, readers see the old store.
 * Given an item store of its own (one that slims or drops what it keeps), every instance writes into that one
 * store, which therefore outlives restarts: only the current instance may write to it (a stopped instance's late
 * page is ignored), and a replacement's first list replaces its content as a relist does.
 *
 * <p>Every list, the first and every relist (after a broken watch, an expired resourceVersion, a restart), is read
 * in pages of {@link #LIST_PAGE} items ({@code limit} and {@code continue}): a page is decoded and handed to the
 * store (which may slim or drop each item) before the next is read, so a list of 100,000 objects never sits in
 * memory as one answer (the whole body, then every object decoded in full).
 *
 * <p>Readers go through {@link #store()} and {@link #indexer()}, never through an informer they kept: the
 * instance changes on every restart.
 */
public final class SupervisedInformer<T extends HasMetadata> implements AutoCloseable {

    /**
     * Items per page of every list (client-go's pager uses the same). Paged lists with no resourceVersion are
     * consistent reads (etcd, or the watch cache on 1.31+ servers that serve them from it); an unpaged
     * {@code resourceVersion=0} list would be answered from the watch cache in one piece.
     */
    public static final long LIST_PAGE = 500;

    private static final Logger LOG = Logger.getLogger(SupervisedInformer.class);

    private final String what;
    private final Supplier<SharedIndexInformer<T>> factory;
    private final InformerRestarts restarts;
    /** The item store every instance writes into, or null: each instance has fabric8's own. */
    private final ItemStore<T> store;
    private final CompletableFuture<Void> firstSync = new CompletableFuture<>();
    private volatile SharedIndexInformer<T> current;
    /** The instance allowed to write into {@link #store}: the current one, until it fails. */
    private volatile SharedIndexInformer<T> writer;
    private volatile String waitingFor;
    private volatile boolean closed;
    /** Consecutive failures since the last successful list, and when the first of them came. Guarded by this. */
    private int failures;
    private Instant failingSince;
    private Instant lastWarned;
    /** When the first instance started ({@link System#nanoTime()}), for the log line of the first list. */
    private final long startedAtNanos = System.nanoTime();

    private SupervisedInformer(String what, Supplier<SharedIndexInformer<T>> factory, ItemStore<T> store,
            InformerRestarts restarts) {
        this.what = Objects.requireNonNull(what, "what");
        this.factory = Objects.requireNonNull(factory, "factory");
        this.store = store;
        this.restarts = Objects.requireNonNull(restarts, "restarts");
        this.waitingFor = what + ": first list";
    }

    /**
     * Starts the first informer and returns at once; {@link #firstSync()} completes when one has listed.
     *
     * @param what   what it watches, for logs and readiness data (e.g. "RemediationRequest")
     * @param source what to list and watch (namespace, selectors); each (re)start builds a new informer from it,
     *               listing in pages of {@link #LIST_PAGE}
     * @param setup  attaches handlers and indexers to each new informer (not started)
     */
    public static <T extends HasMetadata> SupervisedInformer<T> start(String what, Informable<T> source,
            long resyncMillis, Consumer<SharedIndexInformer<T>> setup, InformerRestarts restarts) {
        return start(what, source, resyncMillis, null, setup, restarts);
    }

    /**
     * As {@link #start(String, Informable, long, Consumer, InformerRestarts)}, every instance keeping its items in
     * {@code store} (no fabric8 index, not even the namespace one: {@code store} indexes what it keeps, and an
     * index of fabric8's would keep an entry for every item the store declines).
     */
    public static <T extends HasMetadata> SupervisedInformer<T> start(String what, Informable<T> source,
            long resyncMillis, ItemStore<T> store, Consumer<SharedIndexInformer<T>> setup, InformerRestarts restarts) {
        SupervisedInformer<T> supervised = new SupervisedInformer<>(what, () -> {
            SharedIndexInformer<T> informer = source.withLimit(LIST_PAGE).runnableInformer(resyncMillis);
            setup.accept(informer);
            return informer;
        }, store, restarts);
        supervised.startInstance(null);
        return supervised;
    }

    private synchronized void startInstance(List<T> carriedOver) {
        if (closed) {
            return;
        }
        SharedIndexInformer<T> informer = factory.get();
        if (store != null) {
            informer.removeNamespaceIndex();
            informer.itemStore(new Gate(informer));
            writer = informer;
        } else if (carriedOver != null) {
            informer.initialState(carriedOver.stream());
        }
        // every failure stops this instance; stopped() below decides when the next one starts
        informer.exceptionHandler((started, t) -> false);
        current = informer;
        informer.stopped().whenComplete((ignored, failure) -> {
            if (failure != null) {
                failed(informer, failure);
            }
        });
        try {
            informer.start().whenComplete((ignored, failure) -> {
                if (failure == null) {
                    listed(informer);
                }
            });
        } catch (RuntimeException e) {
            failed(informer, e);
        }
    }

    private synchronized void listed(SharedIndexInformer<T> informer) {
        if (informer != current || closed) {
            return;
        }
        if (failures > 0) {
            LOG.infof("%s listed and watching again after %d failed attempt(s) since %s", what, failures,
                    failingSince);
        }
        if (!firstSync.isDone()) {
            LOG.infof("%s listed in %d ms: %d kept", what, (System.nanoTime() - startedAtNanos) / 1_000_000,
                    store != null ? store.size() : informer.getStore().list().size());
        }
        failures = 0;
        failingSince = null;
        lastWarned = null;
        waitingFor = null;
        firstSync.complete(null);
    }

    private synchronized void failed(SharedIndexInformer<T> informer, Throwable failure) {
        if (informer != current || closed) {
            return;
        }
        Instant now = restarts.clock().instant();
        failures++;
        if (failingSince == null) {
            failingSince = now;
        }
        Duration delay = restarts.delay(failures, failure);
        String reason = ApiFaults.describe(failure);
        waitingFor = String.format("%s: %s (attempt %d since %s, next in %d ms)", what, reason, failures,
                failingSince, delay.toMillis());
        log(now, reason, failure, delay);
        writer = null;
        // a replacement for an informer that had listed keeps its view (the next list replaces it); one that never
        // listed may hold a partial first page only: start empty (a store of our own keeps it: the list replaces it)
        List<T> carry = store == null && informer.hasSynced() ? informer.getStore().list() : null;
        informer.close();
        try {
            restarts.timer().schedule(() -> startInstance(carry), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            // the service is shutting down
        }
    }

    private void log(Instant now, String reason, Throwable failure, Duration delay) {
        boolean longFailing = Duration.between(failingSince, now).compareTo(restarts.escalateAfter()) >= 0;
        if (failures == 1) {
            LOG.warnf("%s list/watch failed (%s), starting it again in %d ms; not ready meanwhile", what, reason,
                    delay.toMillis());
        } else if (lastWarned == null || Duration.between(lastWarned, now).compareTo(restarts.repeatLogEvery()) >= 0) {
            String hint = longFailing ? " " + ApiFaults.hint(failure) : "";
            String line = String.format("%s still not listed after %d attempts since %s (last: %s), next in %d ms.%s",
                    what, failures, failingSince, reason, delay.toMillis(), hint);
            if (longFailing) {
                LOG.error(line);
            } else {
                LOG.warn(line);
            }
        } else {
            LOG.debugf("%s list/watch failed again (%s), attempt %d, next in %d ms", what, reason, failures,
                    delay.toMillis());
            return;
        }
        lastWarned = now;
    }

    /** The current informer's store (the previous one's until a replacement has listed). */
    public Store<T> store() {
        return current.getStore();
    }

    public Indexer<T> indexer() {
        return current.getIndexer();
    }

    /**
     * Listed at least once (this instance or one it replaced: a replacement starts from its store), so the store
     * holds a view of the API server, possibly a stale one while a restart is under way.
     */
    public boolean hasSynced() {
        return firstSync.isDone();
    }

    /** The current instance listed and its watch open: the store follows the API server. */
    public boolean isWatching() {
        SharedIndexInformer<T> informer = current;
        return waitingFor == null && informer.hasSynced() && informer.isWatching();
    }

    /** Completes when the first list is stored; never fails (failures are retried). */
    public CompletableFuture<Void> firstSync() {
        return firstSync;
    }

    /**
     * What a not-ready replica waits for here (e.g. "RemediationRequest: HTTP 429 ..."), or that the watch is being
     * reconnected (fabric8 does that itself, keeping the store); empty while listed and watching.
     */
    public Optional<String> waitingFor() {
        String waiting = waitingFor;
        if (waiting == null && !isWatching()) {
            waiting = what + ": watch not open (reconnecting)";
        }
        return Optional.ofNullable(waiting);
    }

    @Override
    public synchronized void close() {
        closed = true;
        writer = null;
        current.close();
    }

    /** {@link #store} as one instance sees it: its writes count only while it is the {@link #writer}. */
    private final class Gate implements ItemStore<T> {
        private final SharedIndexInformer<T> instance;

        Gate(SharedIndexInformer<T> instance) {
            this.instance = instance;
        }

        @Override
        public String getKey(T obj) {
            return store.getKey(obj);
        }

        @Override
        public T put(String key, T obj) {
            return writer == instance ? store.put(key, obj) : null;
        }

        @Override
        public T remove(String key) {
            return writer == instance ? store.remove(key) : null;
        }

        @Override
        public Stream<String> keySet() {
            return store.keySet();
        }

        @Override
        public Stream<T> values() {
            return store.values();
        }

        @Override
        public int size() {
            return store.size();
        }

        @Override
        public T get(String key) {
            return store.get(key);
        }

        @Override
        public boolean isFullState() {
            return store.isFullState();
        }
    }
}
