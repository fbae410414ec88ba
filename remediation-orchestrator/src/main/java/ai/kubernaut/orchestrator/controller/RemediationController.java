package ai.kubernaut.orchestrator.controller;

import ai.kubernaut.orchestrator.catalog.WorkflowSelector;
import ai.kubernaut.orchestrator.events.RemediationEvents;
import ai.kubernaut.orchestrator.kube.ApiFaults;
import ai.kubernaut.orchestrator.kube.InformerRestarts;
import ai.kubernaut.orchestrator.kube.SupervisedInformer;
import ai.kubernaut.orchestrator.lock.Fabric8LeaseApi;
import ai.kubernaut.orchestrator.lock.LockSettings;
import ai.kubernaut.orchestrator.lock.LeaseLockManager;
import ai.kubernaut.orchestrator.metrics.OrchestratorMetrics;
import ai.kubernaut.orchestrator.model.RemediationRequest;
import ai.kubernaut.orchestrator.model.RemediationRequestStatus.OverallPhase;
import ai.kubernaut.orchestrator.model.WorkflowExecution;
import ai.kubernaut.orchestrator.model.remediationrequeststatus.RoutingStatus;
import ai.kubernaut.orchestrator.reconcile.CreationHook;
import ai.kubernaut.orchestrator.reconcile.ReconcileResult;
import ai.kubernaut.orchestrator.reconcile.RemediationReconciler;
import ai.kubernaut.orchestrator.reconcile.RemediationRequestApi;
import ai.kubernaut.orchestrator.reconcile.RequestValidation;
import ai.kubernaut.orchestrator.request.Phases;
import ai.kubernaut.orchestrator.retention.Retention;
import ai.kubernaut.orchestrator.sharding.Membership;
import ai.kubernaut.orchestrator.sharding.ShardLabeller;
import ai.kubernaut.orchestrator.sharding.Shards;
import ai.kubernaut.orchestrator.workflow.WorkflowExecutionApi;
import ai.kubernaut.orchestrator.workflow.WorkflowExecutionView;
import ai.kubernaut.orchestrator.workflow.WorkflowExecutions;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.jboss.logging.Logger;

/**
 * One replica's controller: informers on the RemediationRequests and WorkflowExecutions of the shards it owns in
 * the controller namespace, a keyed work queue of RR names, and {@code workers} threads that reconcile them.
 * Active-active: no leader election; the replicas divide the targets among themselves ({@link Membership}: member
 * Leases and rendezvous hashing of 256 shards) and each watches and reconciles only the RRs and WFEs labelled
 * with a shard it owns ({@link Shards}; {@link ShardLabeller} files unlabelled ones, and relabels those its caches
 * hold under a shard their spec does not give: it runs only RRs whose spec's shard it owns). When ownership
 * changes the replica lists its new shards, then switches its caches over. The target Lease and the fenced WFE
 * names stay the safety net while ownership changes hands.
 *
 * <p>Wake-ups are event-driven: a WFE reaching Completed/Failed (or deleted) enqueues its own RR and every RR
 * Blocked(ResourceBusy) on its target (an informer index by target hash: an RR waits for the target, whichever
 * WFE its status names); an RR reaching a terminal phase enqueues the RRs Blocked as its duplicates. The
 * informers' periodic resync is only a safety net.
 *
 * <p>Plain Java on purpose: tests run several instances (several "replicas") against one API server.
 */
public final class RemediationController implements AutoCloseable {

    static final String BY_FINGERPRINT = "fingerprint";
    static final String BY_BUSY_TARGET = "busyTarget";
    static final String BY_DUPLICATE_OF = "duplicateOf";

    private static final Logger LOG = Logger.getLogger(RemediationController.class);
    private static final Duration STOP_WAIT = Duration.ofSeconds(10);
    /** How long a switch of shards waits for the new informers' first list before it tries again. */
    private static final Duration SHARD_SYNC_WAIT = Duration.ofSeconds(30);
    private static final Duration RESHARD_RETRY = Duration.ofSeconds(1);

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
    private final ScheduledExecutorService resharder;
    /** Restarts every informer of this replica after a failed list or watch (one timer). */
    private final InformerRestarts restarts;
    private volatile ShardCaches caches = new ShardCaches(new TreeSet<>());
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
        this.resharder = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ro-shards-" + settings.podName());
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts membership, the labeller and the workers; the shard caches follow once membership is known. */
    public synchronized RemediationController start() {
        if (running) {
            return this;
        }
        String ns = settings.namespace();
        membership = new Membership(client, ns, settings.podName(), settings.membership(), clock, restarts,
                this::membersChanged);
        labeller = new ShardLabeller(client, ns, membership::owns, settings.resyncPeriod().toMillis(), restarts);

        LeaseLockManager locks = new LeaseLockManager(
                new LockSettings("ro-lock-", settings.podName(), settings.leaseDuration()),
                new Fabric8LeaseApi(client, ns), clock, metrics);
        reconciler = new RemediationReconciler(new RemediationRequestApi(client, ns),
                new WorkflowExecutionApi(client, ns), view,
                this::cachedOrRead,
                fingerprint -> caches.withFingerprint(fingerprint),
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
        ShardCaches current = caches;
        return running && membership.isReady() && current.shards.equals(membership.ownedShards())
                && current.synced() && labeller.hasSynced() && selector.isReady();
    }

    /** Workers alive (a dead worker thread means reconciles silently stopped). */
    public boolean isAlive() {
        return running && workers.stream().allMatch(Thread::isAlive);
    }

    public Map<String, Object> healthData() {
        ShardCaches current = caches;
        Map<String, Object> data = new java.util.LinkedHashMap<>(Map.of("namespace", settings.namespace(),
                "pod", settings.podName(),
                "shardsOwned", current.shards.size(),
                "cachesSynced", current.synced(),
                "cachedRemediationRequests", current.requests().size(),
                "workflowSelectorReady", selector.isReady(),
                "members", String.join(",", membership.members()),
                "queueLength", queue.length()));
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
        ShardCaches current = caches;
        if (!current.shards.equals(membership.ownedShards())) {
            waiting.add("shard caches: listing the " + membership.ownedShards().size() + " shards owned now");
        }
        waiting.addAll(current.waitingFor());
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
        resharder.shutdownNow();
        queue.shutdown();
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
        // last: deleting our member Lease hands our targets to the others at once
        membership.close();
        restarts.timer().shutdownNow();
        LOG.infof("controller stopped: namespace=%s pod=%s", settings.namespace(), settings.podName());
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

    /** Called by membership on its own thread: the switch of caches waits for LISTs, so it runs on ours. */
    private void membersChanged() {
        try {
            resharder.execute(this::reshard);
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            // close() is under way: the others take over when our member Lease goes
        }
    }

    /**
     * The member set changed (on the resharding thread): switch the caches to the shards we own now, listing
     * them before the switch so that a reconcile never decides on a half-filled cache, then enqueue every active
     * RR we own. A replica that is not live itself owns nothing and keeps its caches for when it is back.
     */
    private void reshard() {
        if (!running) {
            return;
        }
        if (membership.members().contains(settings.podName())) {
            SortedSet<String> owned = membership.ownedShards();
            ShardCaches current = caches;
            if (!owned.equals(current.shards)) {
                ShardCaches next = new ShardCaches(owned);
                long listedSince = System.nanoTime();
                try {
                    next.awaitSync(SHARD_SYNC_WAIT);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    next.close();
                    return;
                } catch (ExecutionException | TimeoutException | RuntimeException e) {
                    next.close();
                    LOG.warnf("listing the shards of pod=%s failed, trying again in %s: %s", settings.podName(),
                            RESHARD_RETRY, e.toString());
                    resharder.schedule(this::reshard, RESHARD_RETRY.toMillis(), TimeUnit.MILLISECONDS);
                    return;
                }
                caches = next;
                view.use(next.executions, listedSince);
                current.close();
                LOG.infof("shards switched: pod=%s owns %d of %d (was %d), members=%s", settings.podName(),
                        owned.size(), Shards.COUNT, current.shards.size(), membership.members());
            }
        }
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

    /** The target hash of an RR Blocked(ResourceBusy): what its wake-up waits for. */
    static List<String> busyTargetOf(RemediationRequest rr) {
        RoutingStatus routing = Phases.phaseOf(rr) == OverallPhase.BLOCKED ? rr.getStatus().getRoutingStatus() : null;
        if (routing == null || routing.getBlockReason() != RoutingStatus.BlockReason.RESOURCEBUSY) {
            return List.of();
        }
        return RequestValidation.validate(rr) instanceof RequestValidation.Valid valid
                ? List.of(valid.target().hash()) : List.of();
    }

    private static List<String> duplicateOf(RemediationRequest rr) {
        if (Phases.phaseOf(rr) != OverallPhase.BLOCKED || rr.getStatus().getRoutingStatus() == null) {
            return List.of();
        }
        String value = rr.getStatus().getRoutingStatus().getDuplicateOf();
        return value == null ? List.of() : List.of(value);
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
     * The RR and WFE informers of one set of owned shards (label selector {@code kubernaut.ai/shard in (...)}),
     * replaced as a whole when ownership changes. No shards: no informers.
     */
    private final class ShardCaches {
        final SortedSet<String> shards;
        final SupervisedInformer<RemediationRequest> requests;
        final SupervisedInformer<WorkflowExecution> executions;

        /** Starts listing at once; {@link #awaitSync} waits for both first lists. No shards: no informers. */
        ShardCaches(SortedSet<String> shards) {
            this.shards = shards;
            if (shards.isEmpty()) {
                requests = null;
                executions = null;
                return;
            }
            String ns = settings.namespace();
            String[] values = shards.toArray(String[]::new);
            RequestEvents requestEvents = new RequestEvents(this);
            ExecutionEvents executionEvents = new ExecutionEvents(this);
            requests = SupervisedInformer.start("RemediationRequests of " + shards.size() + " shards", () -> {
                SharedIndexInformer<RemediationRequest> informer = client.resources(RemediationRequest.class)
                        .inNamespace(ns).withLabelIn(Shards.LABEL, values)
                        .runnableInformer(settings.resyncPeriod().toMillis());
                informer.addIndexers(Map.of(
                        BY_FINGERPRINT, rr -> rr.getSpec() == null || rr.getSpec().getSignalFingerprint() == null
                                ? List.of() : List.of(rr.getSpec().getSignalFingerprint()),
                        BY_BUSY_TARGET, RemediationController::busyTargetOf,
                        BY_DUPLICATE_OF, RemediationController::duplicateOf));
                informer.addEventHandler(requestEvents);
                return informer;
            }, restarts);
            executions = SupervisedInformer.start("WorkflowExecutions of " + shards.size() + " shards", () -> {
                SharedIndexInformer<WorkflowExecution> informer = client.resources(WorkflowExecution.class)
                        .inNamespace(ns).withLabelIn(Shards.LABEL, values).runnableInformer(0);
                WorkflowExecutionView.index(informer);
                informer.addEventHandler(executionEvents);
                return informer;
            }, restarts);
        }

        void awaitSync(Duration wait) throws InterruptedException, ExecutionException, TimeoutException {
            if (requests == null) {
                return;
            }
            java.util.concurrent.CompletableFuture.allOf(requests.firstSync(), executions.firstSync())
                    .get(wait.toMillis(), TimeUnit.MILLISECONDS);
        }

        boolean synced() {
            return requests == null || requests.isWatching() && executions.isWatching();
        }

        List<String> waitingFor() {
            List<String> waiting = new ArrayList<>();
            if (requests != null) {
                requests.waitingFor().ifPresent(waiting::add);
                executions.waitingFor().ifPresent(waiting::add);
            }
            return waiting;
        }

        RemediationRequest request(String name) {
            return requests == null ? null : requests.store().getByKey(settings.namespace() + "/" + name);
        }

        WorkflowExecution execution(String name) {
            return executions == null ? null : executions.store().getByKey(settings.namespace() + "/" + name);
        }

        List<RemediationRequest> requests() {
            return requests == null ? List.of() : requests.store().list();
        }

        List<RemediationRequest> withFingerprint(String fingerprint) {
            return requests == null ? List.of() : requests.indexer().byIndex(BY_FINGERPRINT, fingerprint);
        }

        /**
         * Enqueue RRs found under an index value (the ones blocked on something that just ended); {@code timed}
         * starts the wake-up latency clock (WFE completions only, as the metric says).
         */
        void wake(String index, String value, boolean timed) {
            long now = System.nanoTime();
            for (RemediationRequest blocked : requests.indexer().byIndex(index, value)) {
                String name = blocked.getMetadata().getName();
                if (timed) {
                    wokenAt.putIfAbsent(name, now);
                }
                LOG.debugf("waking blocked RR: rr=%s on %s=%s", name, index, value);
                queue.add(name);
            }
        }

        void close() {
            if (requests != null) {
                requests.close();
                executions.close();
            }
        }
    }

    private final class RequestEvents implements ResourceEventHandler<RemediationRequest> {
        private final ShardCaches caches;

        RequestEvents(ShardCaches caches) {
            this.caches = caches;
        }

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
                caches.wake(BY_DUPLICATE_OF, rr.getMetadata().getName(), false);
            }
        }

        @Override
        public void onDelete(RemediationRequest rr, boolean unknownFinalState) {
            caches.wake(BY_DUPLICATE_OF, rr.getMetadata().getName(), false);
        }

        /** Under a shard label that is not its spec's, the RR is only here to be relabelled (one patch, once). */
        private void refile(RemediationRequest rr) {
            labeller.refile(RemediationRequest.class, rr, name -> RemediationController.this.caches.request(name));
        }
    }

    private final class ExecutionEvents implements ResourceEventHandler<WorkflowExecution> {
        private final ShardCaches caches;

        ExecutionEvents(ShardCaches caches) {
            this.caches = caches;
        }

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
                caches.wake(BY_BUSY_TARGET, targetHash, true);
            }
        }
    }
}
