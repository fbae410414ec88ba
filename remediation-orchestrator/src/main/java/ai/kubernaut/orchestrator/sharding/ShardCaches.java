package ai.kubernaut.orchestrator.sharding;

import ai.kubernaut.orchestrator.kube.InformerRestarts;
import ai.kubernaut.orchestrator.kube.SupervisedInformer;
import ai.kubernaut.orchestrator.model.RemediationRequest;
import ai.kubernaut.orchestrator.model.WorkflowExecution;
import ai.kubernaut.orchestrator.model.workflowexecutionspec.RemediationRequestRef;
import ai.kubernaut.orchestrator.request.ActiveRequests;
import ai.kubernaut.orchestrator.request.Phases;
import ai.kubernaut.orchestrator.workflow.ExecutionStore;
import ai.kubernaut.orchestrator.workflow.WorkflowExecutionView;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * The RR and WFE caches of the shards this replica owns, behind one view. They come in groups: a group is an RR
 * informer and a WFE informer selecting {@code kubernaut.ai/shard in (<its shards>)} (RRs also
 * {@code kubernaut.ai/terminal notin (true)}), each writing into a store that keeps slim copies of what routing
 * reads ({@link ActiveRequests}, {@link ExecutionStore}). When ownership changes ({@link #switchTo}) the shards lost
 * are dropped at once from the groups that had them, a group left with none is closed, and only the shards gained
 * are listed, by a new group that joins the view once both its informers have listed: a reconcile never decides on
 * a half-filled cache, and a membership change costs a LIST of what moved, not of everything owned.
 *
 * <p>A group that lost shards still receives their events (its selector cannot change) and declines them; when the
 * groups would become more than {@value #MAX_GROUPS}, or the shards they select but no longer own more than those
 * they own, all owned shards are listed again by one new group, which replaces the others once it has listed.
 */
public final class ShardCaches implements AutoCloseable {

    static final int MAX_GROUPS = 4;
    private static final Logger LOG = Logger.getLogger(ShardCaches.class);

    private final KubernetesClient client;
    private final String namespace;
    private final long resyncMillis;
    private final InformerRestarts restarts;
    private final WorkflowExecutionView view;
    private final ResourceEventHandler<RemediationRequest> requestEvents;
    private final ResourceEventHandler<WorkflowExecution> executionEvents;
    /** The groups in the view, each listed. Replaced as a whole (copy on write) by the resharding thread. */
    private volatile List<Group> groups = List.of();

    /**
     * @param requestEvents   attached to every group's RR informer (its events arrive while it lists, too)
     * @param executionEvents attached to every group's WFE informer
     */
    public ShardCaches(KubernetesClient client, String namespace, long resyncMillis, InformerRestarts restarts,
            WorkflowExecutionView view, ResourceEventHandler<RemediationRequest> requestEvents,
            ResourceEventHandler<WorkflowExecution> executionEvents) {
        this.client = client;
        this.namespace = namespace;
        this.resyncMillis = resyncMillis;
        this.restarts = restarts;
        this.view = view;
        this.requestEvents = requestEvents;
        this.executionEvents = executionEvents;
    }

    /** The shards in the view (listed). */
    public SortedSet<String> shards() {
        SortedSet<String> shards = new TreeSet<>();
        groups.forEach(g -> shards.addAll(g.owned));
        return Collections.unmodifiableSortedSet(shards);
    }

    /**
     * Makes the view hold the shards {@code owned}: drops those lost, lists those gained (waiting up to {@code wait}
     * for the list; the caller tries again on a failure, with the lost ones already gone). Called by one thread.
     */
    public void switchTo(SortedSet<String> owned, Duration wait)
            throws InterruptedException, ExecutionException, TimeoutException {
        SortedSet<String> had = shards();
        Set<String> lost = new TreeSet<>(had);
        lost.removeAll(owned);
        SortedSet<String> gained = new TreeSet<>(owned);
        gained.removeAll(had);
        List<Group> next = new ArrayList<>();
        for (Group group : groups) {
            if (group.owned.stream().allMatch(lost::contains)) {
                group.close();
            } else {
                group.drop(lost);
                next.add(group);
            }
        }
        publish(next, owned, Set.of(), System.nanoTime());
        if (gained.isEmpty()) {
            return;
        }
        boolean consolidate = next.size() + 1 > MAX_GROUPS
                || next.stream().mapToInt(g -> g.selected.size() - g.owned.size()).sum() > owned.size();
        Group added = new Group(consolidate ? owned : gained);
        try {
            added.awaitSync(wait);
        } catch (InterruptedException | ExecutionException | TimeoutException | RuntimeException e) {
            added.close();
            throw e;
        }
        if (consolidate) {
            next.forEach(Group::close);
            next.clear();
        }
        next.add(added);
        publish(next, owned, added.owned, added.listedSince);
        LOG.infof("shards listed: %d (%s), dropped %d; %d owned in %d group(s)", added.owned.size(),
                consolidate ? "all owned, in one group" : "gained", lost.size(), owned.size(), next.size());
    }

    private void publish(List<Group> next, Set<String> owned, Set<String> listed, long listedSince) {
        groups = List.copyOf(next);
        view.use(next.stream().map(g -> g.executionStore).toList(), owned, listed, listedSince);
    }

    /** Both informers of every group in the view are listed and watching. */
    public boolean synced() {
        return groups.stream().allMatch(Group::watching);
    }

    /** What the groups wait for (a reconnecting watch, a restart after a failure). */
    public List<String> waitingFor() {
        List<String> waiting = new ArrayList<>();
        for (Group group : groups) {
            group.requests.waitingFor().ifPresent(waiting::add);
            group.executions.waitingFor().ifPresent(waiting::add);
        }
        return waiting;
    }

    /** The active RR of that name in the view (slim), or null. */
    public RemediationRequest request(String name) {
        for (Group group : groups) {
            RemediationRequest rr = group.requestStore.get(namespace + "/" + name);
            if (rr != null) {
                return rr;
            }
        }
        return null;
    }

    /** The WFE of that name as the view keeps it (slim; a target's older history is not kept), or null. */
    public WorkflowExecution execution(String name) {
        for (Group group : groups) {
            WorkflowExecution wfe = group.executionStore.get(namespace + "/" + name);
            if (wfe != null) {
                return wfe;
            }
        }
        return null;
    }

    /** Every active RR in the view. */
    public List<RemediationRequest> requests() {
        List<RemediationRequest> all = new ArrayList<>();
        groups.forEach(g -> all.addAll(g.requestStore.values().toList()));
        return all;
    }

    /** Active RRs found under {@code value} in an index of {@link ActiveRequests}. */
    public List<RemediationRequest> requests(String index, String value) {
        List<RemediationRequest> found = new ArrayList<>();
        groups.forEach(g -> found.addAll(g.requestStore.byIndex(index, value)));
        return found;
    }

    /** WFEs kept in the view (for readiness data). */
    public int executions() {
        return groups.stream().mapToInt(g -> g.executionStore.size()).sum();
    }

    /** Groups in the view (for readiness data and tests). */
    public int groupCount() {
        return groups.size();
    }

    @Override
    public void close() {
        List<Group> closing = groups;
        groups = List.of();
        closing.forEach(Group::close);
    }

    /** The two informers of one set of shards, started at once. */
    private final class Group {
        /** What its informers select: fixed. */
        final SortedSet<String> selected;
        /** What it still owns: shrinks as shards are lost. Read by reconciles, changed by the resharding thread. */
        volatile SortedSet<String> owned;
        final long listedSince = System.nanoTime();
        final ActiveRequests requestStore = new ActiveRequests();
        /** Keeps the terminal WFE of an RR that is still active here (its RR and WFE share the target's shard). */
        final ExecutionStore executionStore = new ExecutionStore(wfe -> {
            RemediationRequestRef ref = wfe.getSpec() == null ? null : wfe.getSpec().getRemediationRequestRef();
            if (ref == null || ref.getName() == null) {
                return false;
            }
            RemediationRequest rr = requestStore.get(wfe.getMetadata().getNamespace() + "/" + ref.getName());
            return rr != null && (ref.getUid() == null || ref.getUid().equals(rr.getMetadata().getUid()));
        });
        final SupervisedInformer<RemediationRequest> requests;
        final SupervisedInformer<WorkflowExecution> executions;

        Group(SortedSet<String> shards) {
            selected = Collections.unmodifiableSortedSet(new TreeSet<>(shards));
            owned = selected;
            String[] values = selected.toArray(String[]::new);
            requests = SupervisedInformer.start("RemediationRequests of " + values.length + " shards",
                    client.resources(RemediationRequest.class).inNamespace(namespace)
                            .withLabelIn(Shards.LABEL, values)
                            .withLabelNotIn(Phases.TERMINAL_LABEL, Phases.TERMINAL_LABEL_VALUE),
                    resyncMillis, requestStore, informer -> informer.addEventHandler(requestEvents), restarts);
            executions = SupervisedInformer.start("WorkflowExecutions of " + values.length + " shards",
                    client.resources(WorkflowExecution.class).inNamespace(namespace)
                            .withLabelIn(Shards.LABEL, values),
                    0, executionStore, informer -> informer.addEventHandler(executionEvents), restarts);
        }

        void awaitSync(Duration wait) throws InterruptedException, ExecutionException, TimeoutException {
            CompletableFuture.allOf(requests.firstSync(), executions.firstSync())
                    .get(wait.toMillis(), TimeUnit.MILLISECONDS);
        }

        /** Forgets the shards {@code lost}: their objects go now, and later events for them are declined. */
        void drop(Set<String> lost) {
            if (owned.stream().noneMatch(lost::contains)) {
                return;
            }
            SortedSet<String> kept = new TreeSet<>(owned);
            kept.removeAll(lost);
            owned = Collections.unmodifiableSortedSet(kept);
            requestStore.narrow(rr -> Shards.label(rr.getMetadata().getLabels()).map(kept::contains).orElse(false));
            executionStore.narrow(wfe -> Shards.label(wfe.getMetadata().getLabels()).map(kept::contains)
                    .orElse(false));
        }

        boolean watching() {
            return requests.isWatching() && executions.isWatching();
        }

        void close() {
            requests.close();
            executions.close();
        }
    }
}
