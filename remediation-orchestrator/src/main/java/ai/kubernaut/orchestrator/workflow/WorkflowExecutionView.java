package ai.kubernaut.orchestrator.workflow;

import ai.kubernaut.orchestrator.model.WorkflowExecution;
import ai.kubernaut.orchestrator.target.Target;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The WFEs routing decides from: the WFE caches of the shards this replica owns ({@link ExecutionStore}, indexed by
 * target hash), plus the WFEs this replica wrote or read by name that a cache has not delivered yet (its own
 * creates a moment ago, a WFE read after a 409). No LIST per decision; a view that is still stale costs one 409
 * and one GET by name, because WFE names are deterministic per target and sequence (ADR-052-003). The caches change
 * when ownership changes (what we wrote ourselves survives the change).
 *
 * <p>A copy we wrote or read is normally replaced by a cache's within milliseconds. One that no event has
 * replaced for {@link #DEFAULT_REFRESH_AFTER} belongs to a WFE this replica's watches do not cover (a WFE filed
 * under another shard, or this replica's shards changing hands): no event will ever tell that it finished. Such a
 * copy is <b>stale</b>: {@link #byName(String)} no longer answers with it, {@link #read} and {@link #onTarget(Target,
 * Function)} re-read it by name, and {@link #recheckIn} tells a reconcile waiting on it when to look again, instead
 * of leaving an RR Blocked on a finished WFE until its phase times out.
 */
public final class WorkflowExecutionView {

    /** How long a copy of our own write or read stands without an event before it is read again. */
    public static final Duration DEFAULT_REFRESH_AFTER = Duration.ofSeconds(5);
    /** Added to a recheck so that the copy is stale by then, whatever the timer's rounding. */
    private static final Duration MIN_RECHECK = Duration.ofMillis(100);

    private final String namespace;
    private final Duration refreshAfter;
    private final LongSupplier nanoTime;
    private volatile List<ExecutionStore> stores = List.of();
    /** name -> WFE known from our own write or read, until a cache has it. */
    private final ConcurrentMap<String, Remembered> known = new ConcurrentHashMap<>();

    /** A WFE of {@link #known} and when ({@link #nanoTime}) we wrote or read it. */
    private record Remembered(WorkflowExecution wfe, long atNanos) {
    }

    public WorkflowExecutionView(String namespace) {
        this(namespace, DEFAULT_REFRESH_AFTER, System::nanoTime);
    }

    /** @param nanoTime {@link System#nanoTime()}, or a test's clock */
    public WorkflowExecutionView(String namespace, Duration refreshAfter, LongSupplier nanoTime) {
        this.namespace = namespace;
        this.refreshAfter = refreshAfter;
        this.nanoTime = nanoTime;
    }

    /**
     * Reads from {@code next} from now on: the caches of the shards {@code owned} (each synced). What we wrote or read
     * goes when its shard is no longer owned (it would never be delivered, and were the shard to come back, would
     * stand for a WFE that may be long gone), or when its shard is one of {@code listed} and we wrote or read it
     * before {@code listedSinceNanos}, when their cache started listing: that listing delivered it if it exists.
     */
    public void use(List<ExecutionStore> next, Set<String> owned, Set<String> listed, long listedSinceNanos) {
        this.stores = List.copyOf(next);
        known.values().removeIf(r -> {
            String shard = shardOf(r.wfe());
            return shard == null ? r.atNanos() - listedSinceNanos <= 0
                    : !owned.contains(shard) || listed.contains(shard) && r.atNanos() - listedSinceNanos <= 0;
        });
    }

    private static String shardOf(WorkflowExecution wfe) {
        String hash = WorkflowExecutions.targetHashOf(wfe);
        return hash == null || hash.length() < 2 ? null : hash.substring(0, 2);
    }

    /**
     * Every WFE labelled with the target's hash that routing reads (callers confirm spec.targetResource); stale
     * copies included.
     */
    public List<WorkflowExecution> onTarget(Target target) {
        Map<String, WorkflowExecution> byName = new LinkedHashMap<>();
        for (ExecutionStore store : stores) {
            for (WorkflowExecution wfe : store.byIndex(ExecutionStore.BY_TARGET_HASH, target.hash())) {
                byName.put(wfe.getMetadata().getName(), wfe);
            }
        }
        for (Remembered r : known.values()) {
            if (target.hash().equals(WorkflowExecutions.targetHashOf(r.wfe()))) {
                byName.putIfAbsent(r.wfe().getMetadata().getName(), r.wfe());
            }
        }
        return new ArrayList<>(byName.values());
    }

    /**
     * {@link #onTarget(Target)} after re-reading, through {@code reader} (a GET by name; null when gone), each
     * stale copy of the target's WFEs no cache has.
     */
    public List<WorkflowExecution> onTarget(Target target, Function<String, WorkflowExecution> reader) {
        for (Map.Entry<String, Remembered> e : known.entrySet()) {
            if (isStale(e.getValue()) && target.hash().equals(WorkflowExecutions.targetHashOf(e.getValue().wfe()))
                    && !inStores(e.getKey())) {
                refresh(e.getKey(), reader);
            }
        }
        return onTarget(target);
    }

    /** The WFE of that name as a cache has it, or as we wrote or read it lately (not a stale copy). */
    public Optional<WorkflowExecution> byName(String name) {
        for (ExecutionStore store : stores) {
            WorkflowExecution cached = store.get(namespace + "/" + name);
            if (cached != null) {
                return Optional.of(cached);
            }
        }
        Remembered r = known.get(name);
        return r == null || isStale(r) ? Optional.empty() : Optional.of(r.wfe());
    }

    /**
     * The WFE of that name: {@link #byName(String)}, else read through {@code reader} (a GET; null when gone) and
     * remembered until a cache delivers it. Null when it does not exist.
     */
    public WorkflowExecution read(String name, Function<String, WorkflowExecution> reader) {
        return byName(name).orElseGet(() -> refresh(name, reader));
    }

    /**
     * When a reconcile that waits on this WFE should look at it again: empty when a cache has it (its events
     * wake the waiting RRs), else when our copy of it goes stale.
     */
    public Optional<Duration> recheckIn(String name) {
        if (inStores(name)) {
            return Optional.empty();
        }
        Remembered r = known.get(name);
        long age = r == null ? refreshAfter.toNanos() : nanoTime.getAsLong() - r.atNanos();
        return Optional.of(Duration.ofNanos(Math.max(0, refreshAfter.toNanos() - age)).plus(MIN_RECHECK));
    }

    /** A WFE we created or read by name: part of the view until a cache delivers it. */
    public void remember(WorkflowExecution wfe) {
        known.put(wfe.getMetadata().getName(), new Remembered(wfe, nanoTime.getAsLong()));
    }

    /** A cache delivered (or dropped) this WFE: its own copy is the truth from now on. */
    public void delivered(WorkflowExecution wfe) {
        known.remove(wfe.getMetadata().getName());
    }

    private WorkflowExecution refresh(String name, Function<String, WorkflowExecution> reader) {
        WorkflowExecution read = reader.apply(name);
        if (read == null) {
            known.remove(name);
        } else {
            remember(read);
        }
        return read;
    }

    private boolean isStale(Remembered r) {
        return nanoTime.getAsLong() - r.atNanos() >= refreshAfter.toNanos();
    }

    private boolean inStores(String name) {
        for (ExecutionStore store : stores) {
            if (store.get(namespace + "/" + name) != null) {
                return true;
            }
        }
        return false;
    }
}
