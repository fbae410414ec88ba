package ai.kubernaut.orchestrator.workflow;

import ai.kubernaut.orchestrator.model.WorkflowExecution;
import ai.kubernaut.orchestrator.target.Target;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The WFEs routing decides from: the WFE caches of the shards this replica owns ({@link ExecutionStore}, indexed by
 * target hash), plus the WFEs this replica wrote or read by name that a cache has not delivered yet (its own
 * creates a moment ago, a WFE read after a 409). No LIST per decision; a view that is still stale costs one 409
 * and one GET by name, because WFE names are deterministic per target and sequence (ADR-052-003). The caches change
 * when ownership changes (what we wrote ourselves survives the change).
 */
public final class WorkflowExecutionView {

    private final String namespace;
    private volatile List<ExecutionStore> stores = List.of();
    /** name -> WFE known from our own write or read, until a cache has it. */
    private final ConcurrentMap<String, Remembered> known = new ConcurrentHashMap<>();

    /** A WFE of {@link #known} and when ({@link System#nanoTime()}) we wrote or read it. */
    private record Remembered(WorkflowExecution wfe, long atNanos) {
    }

    public WorkflowExecutionView(String namespace) {
        this.namespace = namespace;
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

    /** Every WFE labelled with the target's hash that routing reads (callers confirm spec.targetResource). */
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

    /** The cached WFE of that name, if a cache (or our own write) has it. */
    public Optional<WorkflowExecution> byName(String name) {
        for (ExecutionStore store : stores) {
            WorkflowExecution cached = store.get(namespace + "/" + name);
            if (cached != null) {
                return Optional.of(cached);
            }
        }
        return Optional.ofNullable(known.get(name)).map(Remembered::wfe);
    }

    /** A WFE we created or read by name: part of the view until a cache delivers it. */
    public void remember(WorkflowExecution wfe) {
        known.put(wfe.getMetadata().getName(), new Remembered(wfe, System.nanoTime()));
    }

    /** A cache delivered (or dropped) this WFE: its own copy is the truth from now on. */
    public void delivered(WorkflowExecution wfe) {
        known.remove(wfe.getMetadata().getName());
    }
}
