package ai.kubernaut.orchestrator.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Indexer;
import io.fabric8.kubernetes.client.informers.cache.Store;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
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
 *
 * <p>Readers go through {@link #store()} and {@link #indexer()}, never through an informer they kept: the
 * instance changes on every restart.
 */
public final class SupervisedInformer<T extends HasMetadata> implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(SupervisedInformer.class);

    private final String what;
    private final Supplier<SharedIndexInformer<T>> factory;
    private final InformerRestarts restarts;
    private final CompletableFuture<Void> firstSync = new CompletableFuture<>();
    private volatile SharedIndexInformer<T> current;
    private volatile String waitingFor;
    private volatile boolean closed;
    /** Consecutive failures since the last successful list, and when the first of them came. Guarded by this. */
    private int failures;
    private Instant failingSince;
    private Instant lastWarned;

    private SupervisedInformer(String what, Supplier<SharedIndexInformer<T>> factory, InformerRestarts restarts) {
        this.what = Objects.requireNonNull(what, "what");
        this.factory = Objects.requireNonNull(factory, "factory");
        this.restarts = Objects.requireNonNull(restarts, "restarts");
        this.waitingFor = what + ": first list";
    }

    /**
     * Starts the first informer and returns at once; {@link #firstSync()} completes when one has listed.
     *
     * @param what    what it watches, for logs and readiness data (e.g. "RemediationRequest")
     * @param factory a new informer for each (re)start: handlers and indexers attached, not started
     */
    public static <T extends HasMetadata> SupervisedInformer<T> start(String what,
            Supplier<SharedIndexInformer<T>> factory, InformerRestarts restarts) {
        SupervisedInformer<T> supervised = new SupervisedInformer<>(what, factory, restarts);
        supervised.startInstance(null);
        return supervised;
    }

    private synchronized void startInstance(List<T> carriedOver) {
        if (closed) {
            return;
        }
        SharedIndexInformer<T> informer = factory.get();
        if (carriedOver != null) {
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
        // a replacement for an informer that had listed keeps its view (the next list replaces it); one that never
        // listed may hold a partial first page only: start empty
        List<T> carry = informer.hasSynced() ? informer.getStore().list() : null;
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
        current.close();
    }
}
