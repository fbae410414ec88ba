package ai.kubernaut.orchestrator.workflow;

import ai.kubernaut.orchestrator.kube.SupervisedInformer;
import ai.kubernaut.orchestrator.model.WorkflowExecution;
import ai.kubernaut.orchestrator.target.Target;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The WFEs routing decides from: the WFE informer's cache (indexed by the target-hash label), plus the WFEs this
 * replica wrote or read by name that the informer has not delivered yet (its own creates a moment ago, a WFE read
 * after a 409). No LIST per decision; a view that is still stale costs one 409 and one GET by name, because WFE
 * names are deterministic per target and sequence (ADR-052-003). The informer is the one of the shards this
 * replica owns now; it is replaced when ownership changes (what we wrote ourselves survives the swap).
 */
public final class WorkflowExecutionView {

    public static final String BY_TARGET_HASH = "targetHash";

    private final String namespace;
    private volatile SupervisedInformer<WorkflowExecution> informer;
    /** name -> WFE known from our own write or read, until the informer has it. */
    private final ConcurrentMap<String, Remembered> known = new ConcurrentHashMap<>();

    /** A WFE of {@link #known} and when ({@link System#nanoTime()}) we wrote or read it. */
    private record Remembered(WorkflowExecution wfe, long atNanos) {
    }

    public WorkflowExecutionView(String namespace) {
        this.namespace = namespace;
    }

    /** Adds the target-hash index the view reads to {@code informer} (call before it starts). */
    public static void index(SharedIndexInformer<WorkflowExecution> informer) {
        informer.addIndexers(Map.of(BY_TARGET_HASH, wfe -> {
            String hash = WorkflowExecutions.targetHashOf(wfe);
            return hash == null ? List.of() : List.of(hash);
        }));
    }

    /**
     * Reads from {@code next} from now on (an informer given to {@link #index} and synced; null when this replica
     * owns no shard). What we wrote or read before {@code listedSinceNanos}, when {@code next} started listing, goes:
     * its listing delivered each such WFE that exists in its shards, so what is left was deleted meanwhile or
     * belongs to a shard we no longer watch and would never be delivered (and, were the shard to come back, would
     * stand for a WFE that may be long gone).
     */
    public void use(SupervisedInformer<WorkflowExecution> next, long listedSinceNanos) {
        this.informer = next;
        known.values().removeIf(r -> r.atNanos() - listedSinceNanos <= 0);
    }

    /** Every WFE labelled with the target's hash (callers confirm spec.targetResource). */
    public List<WorkflowExecution> onTarget(Target target) {
        Map<String, WorkflowExecution> byName = new LinkedHashMap<>();
        SupervisedInformer<WorkflowExecution> current = informer;
        if (current != null) {
            for (WorkflowExecution wfe : current.indexer().byIndex(BY_TARGET_HASH, target.hash())) {
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

    /** The cached WFE of that name, if the informer (or our own write) has it. */
    public Optional<WorkflowExecution> byName(String name) {
        SupervisedInformer<WorkflowExecution> current = informer;
        WorkflowExecution cached = current == null ? null : current.indexer().getByKey(namespace + "/" + name);
        if (cached != null) {
            return Optional.of(cached);
        }
        return Optional.ofNullable(known.get(name)).map(Remembered::wfe);
    }

    /** A WFE we created or read by name: part of the view until the informer delivers it. */
    public void remember(WorkflowExecution wfe) {
        known.put(wfe.getMetadata().getName(), new Remembered(wfe, System.nanoTime()));
    }

    /** The informer delivered (or dropped) this WFE: its own copy is the truth from now on. */
    public void delivered(WorkflowExecution wfe) {
        known.remove(wfe.getMetadata().getName());
    }
}
