package ai.kubernaut.orchestrator.controller;

import ai.kubernaut.orchestrator.catalog.WorkflowSelector;
import ai.kubernaut.orchestrator.events.RemediationEvents;
import ai.kubernaut.orchestrator.kube.ApiFaults;
import ai.kubernaut.orchestrator.kube.InformerRestarts;
import ai.kubernaut.orchestrator.lock.Fabric8LeaseApi;
import ai.kubernaut.orchestrator.lock.LeaseLockManager;
import ai.kubernaut.orchestrator.lock.LockSettings;
import ai.kubernaut.orchestrator.metrics.OrchestratorMetrics;
import ai.kubernaut.orchestrator.model.RemediationRequest;
import ai.kubernaut.orchestrator.model.RemediationRequestStatus.OverallPhase;
import ai.kubernaut.orchestrator.model.WorkflowExecution;
import ai.kubernaut.orchestrator.model.remediationrequeststatus.RoutingStatus;
import ai.kubernaut.orchestrator.reconcile.CreationHook;
import ai.kubernaut.orchestrator.reconcile.ReconcileResult;
import ai.kubernaut.orchestrator.reconcile.RemediationReconciler;
import ai.kubernaut.orchestrator.reconcile.RemediationRequestApi;
import ai.kubernaut.orchestrator.request.ActiveRequests;
import ai.kubernaut.orchestrator.request.Phases;
import ai.kubernaut.orchestrator.retention.Retention;
import ai.kubernaut.orchestrator.sharding.Membership;
import ai.kubernaut.orchestrator.sharding.Resharding;
import ai.kubernaut.orchestrator.sharding.ShardCaches;
import ai.kubernaut.orchestrator.sharding.ShardLabeller;
import ai.kubernaut.orchestrator.sharding.Shards;
import ai.kubernaut.orchestrator.workflow.WorkflowExecutionApi;
import ai.kubernaut.orchestrator.workflow.WorkflowExecutionView;
import ai.kubernaut.orchestrator.workflow.WorkflowExecutions;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * One replica's controller: the keyed work queue of RR names, the {@code workers} threads that reconcile them, and
 * the mapping from cache events to the RRs they concern. Active-active: no leader election; the replicas divide
 * the targets among themselves ({@link Membership}: member Leases and rendezvous hashing of 256 shards) and each
 * watches and reconciles only the RRs and WFEs labelled with a shard it owns ({@link ShardCaches}, which lists only
 * the shards gained when ownership changes, {@link Resharding}; {@link ShardLabeller} files unlabelled objects and
 * relabels those the caches hold under a shard their spec does not give: a replica runs only RRs whose spec's shard
 * it owns).
 * The target Lease and the fenced WFE names stay the safety net while ownership changes hands.
 *
 * <p>Wake-ups are event-driven: a WFE reaching Completed/Failed (or deleted) enqueues its own RR and every RR
 * Blocked(ResourceBusy) on its target (an index by target hash: an RR waits for the target, whichever WFE its
 * status names); an RR reaching a terminal phase enqueues the RRs Blocked as its duplicates. The informers'
 * periodic resync is only a safety net.
 *
 * <p>Plain Java on purpose: tests run several instances (several "replicas") against one API server.
 */
public final class RemediationController implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RemediationController.class);
    private static final Duration STOP_WAIT = Duration.ofSeconds(10);

    private final KubernetesClient client;
    private final ControllerSettings settings;
    private final WorkflowSelector selector;
    private final OrchestratorMetrics metrics;
    private final Clock clock;
    private final CreationHook creationHook;
    private final WorkQueue<String> queue;
    /** RR name -> System.nanoTime() when a finished WFE woke it (for the wake-up latency metric). */
    private final ConcurrentMap<String, Long> wokenAt = new ConcurrentHashMap<>();
    private final List<Thread> workers = new ArrayList<>();
    private final WorkflowExecutionView view;
    /** Restarts every informer of this replica after a failed list or watch (one timer). */
    private final InformerRestarts restarts;
    private final ShardCaches caches;
    private final Resharding resharding;
    private Membership membership;
    private ShardLabeller labeller;
    private RemediationReconciler reconciler;
    /** Deletes what outlived its retention, and Leases left behind, on a thread of its own. */
    private Retention retention;
    private volatile boolean running;

    public RemediationController(KubernetesClient client, ControllerSettings settings, WorkflowSelector selector,
            OrchestratorMetrics metrics, Clock clock, CreationHook creationHook) {
        this.client = Objects.requireNonNull(client, "client");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.selector = Objects.requireNonNull(selector, "selector");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.creationHook = Objects.requireNonNull(creationHook, "creationHook");
        this.queue = new WorkQueue<>(settings.requeueBackoff(), "ro-" + settings.podName());
        this.view = new WorkflowExecutionView(settings.namespace());
        this.restarts = InformerRestarts.standard("ro-informers-" + settings.podName());
        this.caches = new ShardCaches(client, settings.namespace(), settings.resyncPeriod().toMillis(), restarts,
                view, new RequestEvents(), new ExecutionEvents());
        this.resharding = new Resharding(settings.podName(), caches, () -> membership, this::ownershipChanged);
    }

    /** Starts membership, the labeller and the workers; the shard caches follow once membership is known. */
    public synchronized RemediationController start() {
        if (running) {
            return this;
        }
        String ns = settings.namespace();
        membership = new Membership(client, ns, settings.podName(), settings.membership(), clock, restarts,
                resharding::membersChanged);
        labeller = new ShardLabeller(client, ns, membership::owns, settings.resyncPeriod().toMillis(), restarts);

        LeaseLockManager locks = new LeaseLockManager(
                new LockSettings("ro-lock-", settings.podName(), settings.leaseDuration()),
                new Fabric8LeaseApi(client, ns), clock, metrics);
        reconciler = new RemediationReconciler(new RemediationRequestApi(client, ns),
                new WorkflowExecutionApi(client, ns), view,
                this::cachedOrRead,
                fingerprint -> caches.requests(ActiveRequests.BY_FINGERPRINT, fingerprint),
                locks, selector, new RemediationEvents(client, ns, settings.podName(), clock), metrics,
                settings.reconcile(), clock, creationHook);

        // a replica sweeps only while it is a live member: a frozen one that wakes owns nothing until it renewed
        retention = Retention.of(client, ns, settings.podName(),
                () -> membership.isReady() ? membership.ownedShards() : new TreeSet<>(), locks, settings.retention(),
                settings.leaseDuration(), settings.membership().leaseDuration(), clock, metrics);

        running = true;
        labeller.start();
        membership.start();
        retention.start();
        for (int i = 0; i < settings.workers(); i++) {
            Thread worker = new Thread(this::work, "ro-worker-" + settings.podName() + "-" + i);
            worker.setDaemon(true);
            worker.start();
            workers.add(worker);
        }
        LOG.infof("controller started: namespace=%s pod=%s workers=%d leaseDuration=%s", ns, settings.podName(),
                settings.workers(), settings.leaseDuration());
        return this;
    }

    /** This replica a member, its caches those of the shards it owns now and listed, the selector ready. */
    public boolean isReady() {
        return running && membership.isReady() && caches.shards().containsAll(membership.ownedShards())
                && caches.synced() && labeller.hasSynced() && selector.isReady();
    }

    /** Workers alive (a dead worker thread means reconciles silently stopped). */
    public boolean isAlive() {
        return running && workers.stream().allMatch(Thread::isAlive);
    }

    public Map<String, Object> healthData() {
        Membership.View view = membership.view();
        Set<String> listed = caches.shards();
        Map<String, Object> data = new java.util.LinkedHashMap<>(Map.of("namespace", settings.namespace(),
                "pod", settings.podName(),
                "shardsOwned", view.owned().size(),
                "cachesSynced", caches.synced(),
                "cachedRemediationRequests", caches.requests().size(),
                "cachedWorkflowExecutions", caches.executions(),
                "workflowSelectorReady", selector.isReady(),
                "members", String.join(",", view.members()),
                "queueLength", queue.length()));
        long listedAhead = listed.stream().filter(s -> !view.owned().contains(s)).count();
        if (listedAhead > 0) {
            data.put("shardsListedAhead", listedAhead); // gained once the leaving members are gone
        }
        List<String> waiting = waitingFor();
        if (!waiting.isEmpty()) {
            data.put("waitingFor", String.join("; ", waiting));
        }
        return data;
    }

    /** What this replica waits for before it is ready: each informer not listed or not watching, and why. */
    public List<String> waitingFor() {
        List<String> waiting = new ArrayList<>();
        if (!running) {
            waiting.add("stopped");
            return waiting;
        }
        membership.waitingFor().ifPresent(waiting::add);
        if (!membership.isReady() && membership.waitingFor().isEmpty()) {
            waiting.add("own member Lease not written yet");
        }
        Set<String> owned = membership.ownedShards();
        Set<String> listed = caches.shards();
        if (!listed.containsAll(owned)) {
            waiting.add("shard caches: listing the shards gained (" + owned.size() + " owned now, " + listed.size()
                    + " listed)");
        }
        waiting.addAll(caches.waitingFor());
        waiting.addAll(labeller.waitingFor());
        selector.waitingFor().ifPresent(waiting::add);
        return waiting;
    }

    @Override
    public synchronized void close() {
        if (!running) {
            return;
        }
        running = false;
        retention.close();
        handOver();
        resharding.close();
        queue.shutdown();
        // deleting our member Lease hands our shards to the others (listed ahead), while we finish below
        membership.leave();
        long deadline = System.nanoTime() + STOP_WAIT.toNanos();
        for (Thread worker : workers) {
            try {
                // in-flight reconciles finish and release their Leases
                worker.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        workers.clear();
        caches.close();
        labeller.close();
        membership.close();
        restarts.timer().shutdownNow();
        LOG.infof("controller stopped: namespace=%s pod=%s", settings.namespace(), settings.podName());
    }

    /**
     * Announces that we leave and keeps working until the others have listed our shards ahead (or the hand-over wait
     * is over): our targets then never wait for a list between our last reconcile and the next owner's first.
     */
    private void handOver() {
        Duration wait = settings.membership().handOverWait();
        if (!membership.members().contains(settings.podName())) {
            return; // not a member (yet, or any more): nothing of ours to hand over
        }
        long started = System.nanoTime();
        CompletableFuture<Void> prepared = membership.announceLeaving();
        if (wait.isZero()) {
            return;
        }
        try {
            prepared.get(wait.toMillis(), TimeUnit.MILLISECONDS);
            LOG.infof("hand-over prepared: the other replicas listed the shards of pod=%s in %d ms",
                    settings.podName(), (System.nanoTime() - started) / 1_000_000);
        } catch (TimeoutException e) {
            LOG.warnf("hand-over not prepared within %s: pod=%s leaves anyway, the others list its shards after it"
                    + " left (members %s)", wait, settings.podName(), membership.members());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            LOG.warnf(e, "hand-over preparation failed: pod=%s leaves anyway", settings.podName());
        }
    }

    private void work() {
        while (true) {
            String name;
            try {
                name = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (name == null) {
                return;
            }
            Long woken = wokenAt.remove(name);
            try {
                if (!owns(name)) {
                    // another replica's shard (or gone); it is enqueued here again if ownership moves to us
                    queue.forget(name);
                    continue;
                }
                if (woken != null) {
                    metrics.wakeupLatency(Duration.ofNanos(System.nanoTime() - woken));
                }
                ReconcileResult result = reconciler.reconcile(name);
                metrics.reconciled(result.outcome().tag());
                if (result.needsBackoff()) {
                    Duration delay = queue.addRateLimited(name);
                    LOG.debugf("requeue with backoff: rr=%s after=%s: %s", name, delay, result.detail());
                } else {
                    queue.forget(name);
                    result.requeueAfter().ifPresent(after -> queue.addAfter(name, after));
                }
            } catch (RuntimeException e) {
                metrics.reconciled(ReconcileResult.Outcome.ERROR.tag());
                Duration delay = queue.addRateLimited(name);
                LOG.warnf(e, "reconcile failed, retrying after %s: rr=%s", delay, name);
            } finally {
                queue.done(name);
            }
        }
    }

    /** The RR from the shard cache; read from the API server when the cache does not have it (yet). */
    private RemediationRequest cachedOrRead(String name) {
        RemediationRequest cached = caches.request(name);
        return cached != null ? cached : ApiFaults.getUnlessNotFound(client.resources(RemediationRequest.class)
                .inNamespace(settings.namespace()).withName(name), name);
    }

    /**
     * Whether this replica owns the RR now: the shard its spec gives is ours, so our caches hold its target's WFEs.
     * An RR that is not in our shard caches is not ours: names come from those caches' events, so a name missing
     * there is another replica's (or deleted). An RR in them under a label that is not its spec's shard is only
     * relabelled here ({@link ShardLabeller#refile}), and run by its spec's owner.
     */
    private boolean owns(String name) {
        RemediationRequest rr = caches.request(name);
        return rr != null && membership.owns(Shards.ofSpec(rr));
    }

    /** After the member set or the caches changed: work on what this replica owns now. */
    private void ownershipChanged() {
        enqueueOwned();
        labeller.ownershipChanged();
    }

    /** Enqueue every active RR this replica owns now (after the member set or the caches changed). */
    private void enqueueOwned() {
        int added = 0;
        for (RemediationRequest rr : caches.requests()) {
            if (!Phases.isTerminal(rr) && membership.owns(Shards.ofSpec(rr))) {
                queue.add(rr.getMetadata().getName());
                added++;
            }
        }
        LOG.infof("members %s: %d active RRs owned by pod=%s", membership.members(), added, settings.podName());
    }

    /**
     * An RR Executing, or Blocked (ResourceBusy), on a WFE this replica's cache shows active needs no reconcile
     * for this update (usually our own status write): that WFE's completion event enqueues it. The RR is in the
     * informer's index before this check runs, so a completion cannot slip in between unseen.
     */
    private boolean waitsOnActiveExecution(RemediationRequest rr) {
        OverallPhase phase = Phases.phaseOf(rr);
        RoutingStatus routing = rr.getStatus() == null ? null : rr.getStatus().getRoutingStatus();
        String wfe = null;
        if (phase == OverallPhase.EXECUTING) {
            wfe = rr.getStatus().getWorkflowExecutionRef();
        } else if (phase == OverallPhase.BLOCKED && routing != null
                && routing.getBlockReason() == RoutingStatus.BlockReason.RESOURCEBUSY) {
            wfe = routing.getBlockingWorkflowExecution();
        }
        return wfe != null && view.byName(wfe).map(WorkflowExecutions::isActive).orElse(false);
    }

    /**
     * Enqueue the RRs found under an index value of the RR caches (the ones blocked on something that just ended);
     * {@code timed} starts the wake-up latency clock (WFE completions only, as the metric says).
     */
    private void wake(String index, String value, boolean timed) {
        long now = System.nanoTime();
        for (RemediationRequest blocked : caches.requests(index, value)) {
            String name = blocked.getMetadata().getName();
            if (timed) {
                wokenAt.putIfAbsent(name, now);
            }
            LOG.debugf("waking blocked RR: rr=%s on %s=%s", name, index, value);
            queue.add(name);
        }
    }

    /** RR events of every shard group: what to enqueue. */
    private final class RequestEvents implements ResourceEventHandler<RemediationRequest> {

        @Override
        public void onAdd(RemediationRequest rr) {
            refile(rr);
            if (!Phases.isTerminal(rr)) {
                queue.add(rr.getMetadata().getName());
            }
        }

        @Override
        public void onUpdate(RemediationRequest old, RemediationRequest rr) {
            // also on every resync: a relabel that failed is tried again
            refile(rr);
            if (!Phases.isTerminal(rr)) {
                boolean resync = Objects.equals(old.getMetadata().getResourceVersion(),
                        rr.getMetadata().getResourceVersion());
                if (resync || !waitsOnActiveExecution(rr)) {
                    queue.add(rr.getMetadata().getName());
                }
            } else if (!Phases.isTerminal(old)) {
                wake(ActiveRequests.BY_DUPLICATE_OF, rr.getMetadata().getName(), false);
            }
        }

        @Override
        public void onDelete(RemediationRequest rr, boolean unknownFinalState) {
            wake(ActiveRequests.BY_DUPLICATE_OF, rr.getMetadata().getName(), false);
        }

        /** Under a shard label that is not its spec's, the RR is only here to be relabelled (one patch, once). */
        private void refile(RemediationRequest rr) {
            labeller.refile(RemediationRequest.class, rr, name -> RemediationController.this.caches.request(name));
        }
    }

    /** WFE events of every shard group: what to enqueue. */
    private final class ExecutionEvents implements ResourceEventHandler<WorkflowExecution> {

        @Override
        public void onAdd(WorkflowExecution wfe) {
            labeller.refile(WorkflowExecution.class, wfe, name -> RemediationController.this.caches.execution(name));
            view.delivered(wfe);
            // also covers WFEs that finished while this replica was not watching
            if (WorkflowExecutions.isTerminal(wfe)) {
                finished(wfe);
            }
        }

        @Override
        public void onUpdate(WorkflowExecution old, WorkflowExecution wfe) {
            labeller.refile(WorkflowExecution.class, wfe, name -> RemediationController.this.caches.execution(name));
            view.delivered(wfe);
            if (WorkflowExecutions.isTerminal(wfe) && !WorkflowExecutions.isTerminal(old)) {
                finished(wfe);
            }
        }

        @Override
        public void onDelete(WorkflowExecution wfe, boolean unknownFinalState) {
            view.delivered(wfe);
            finished(wfe);
        }

        private void finished(WorkflowExecution wfe) {
            String owner = WorkflowExecutions.requestNameOf(wfe);
            if (owner != null) {
                queue.add(owner);
            }
            String targetHash = WorkflowExecutions.targetHashOf(wfe);
            if (targetHash != null) {
                wake(ActiveRequests.BY_BUSY_TARGET, targetHash, true);
            }
        }
    }
}
