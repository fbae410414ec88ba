package ai.kubernaut.orchestrator.sharding;

import ai.kubernaut.orchestrator.kube.InformerRestarts;
import ai.kubernaut.orchestrator.kube.SupervisedInformer;
import ai.kubernaut.orchestrator.lock.LeaseLockManager;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * This replica's place among the live orchestrator replicas, and which keys (targets) are its own.
 *
 * <p>Each replica holds one member Lease {@code ro-member-<pod>} and renews it every {@code renewInterval} (an
 * UPDATE guarded by the resourceVersion it last wrote, no GET). Everyone watches the member Leases (an
 * informer, label {@code kubernaut.ai/member-of=remediation-orchestrator}); the live set is judged on the local
 * clock by the target lock's expiry rule. A key is owned by the rendezvous-hash winner over the live set
 * ({@link ShardRing}). A replica counts itself live only while its own last successful renewal is younger than
 * the Lease duration, so a replica that froze and wakes up owns nothing until it has renewed; a replica that
 * dies or freezes drops out of everyone else's set once its Lease expires. The set is re-judged on every Lease
 * event and every {@code checkInterval}; when it changes, {@code onChange} runs (the controller then enqueues
 * the RRs it now owns).
 *
 * <p>Ownership only divides work. Safety stays with the target Lease and the fenced WFE names (ADR-052-003):
 * during a hand-over two replicas may both believe they own a target for up to the Lease duration.
 */
public final class Membership implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Membership.class);

    private final KubernetesClient client;
    private final String namespace;
    private final String podName;
    private final MembershipSettings settings;
    private final Clock clock;
    private final Runnable onChange;
    private final ScheduledExecutorService timer;
    private final InformerRestarts restarts;
    private SupervisedInformer<Lease> informer;
    /** Our Lease as last written (null until created). Touched by the timer thread only. */
    private Lease mine;
    /** When our last successful write was sent (our clock); null before the first. */
    private volatile Instant renewedAt;
    /** The member set as last judged, published whole (see {@link View}). */
    private volatile View view = View.NONE;
    private volatile boolean closed;
    /** {@link #leave} ran: our Lease is gone (or expiring) and we own nothing. */
    private volatile boolean left;
    /** {@link #announceLeaving} ran: our Lease says so; we still own our shards until {@link #leave}. */
    private volatile boolean leaving;
    /** The leaving members whose shards we have listed ahead ({@link #preparedFor}), as our Lease says. */
    private volatile Set<String> preparedFor = Set.of();
    /** Completed when every other live member that stays has listed our shards ahead (after announceLeaving). */
    private final CompletableFuture<Void> peersPrepared = new CompletableFuture<>();

    public Membership(KubernetesClient client, String namespace, String podName, MembershipSettings settings,
            Clock clock, InformerRestarts restarts, Runnable onChange) {
        this.restarts = Objects.requireNonNull(restarts, "restarts");
        this.client = Objects.requireNonNull(client, "client");
        this.namespace = Objects.requireNonNull(namespace, "namespace");
        this.podName = Objects.requireNonNull(podName, "podName");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.onChange = Objects.requireNonNull(onChange, "onChange");
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ro-membership-" + podName);
            t.setDaemon(true);
            return t;
        });
    }

    public Membership start() {
        informer = SupervisedInformer.start("member Leases", client.leases().inNamespace(namespace)
                .withLabel(MemberLeases.LABEL_MEMBER_OF, MemberLeases.MEMBER_OF), 0, leases -> {
            leases.addEventHandler(new ResourceEventHandler<>() {
                @Override
                public void onAdd(Lease lease) {
                    onTimer(Membership.this::recompute);
                }

                @Override
                public void onUpdate(Lease old, Lease lease) {
                    // renewals of others change nothing unless a member came back; recompute is cheap
                    onTimer(Membership.this::recompute);
                }

                @Override
                public void onDelete(Lease lease, boolean unknownFinalState) {
                    onTimer(Membership.this::recompute);
                }
            });
        }, restarts);
        timer.scheduleWithFixedDelay(this::renew, 0, settings.renewInterval().toMillis(), TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(this::recompute, settings.checkInterval().toMillis(),
                settings.checkInterval().toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /**
     * One judgement of the member set, computed at once and published whole, so that a reader sees the shards to list
     * ahead for exactly the leaving set it then says it prepared for.
     *
     * @param members the live members
     * @param leaving the live members whose Lease says they are leaving (us included once we announced it)
     * @param owned the shards we win over {@code members} (empty while we are not one, or once we left)
     * @param afterLeaves the shards we will own once {@code leaving} are gone: those to list ahead. While nobody else
     *        leaves, or we leave ourselves, or we are not a member: {@code owned}
     */
    public record View(Set<String> members, Set<String> leaving, SortedSet<String> owned,
            SortedSet<String> afterLeaves) {

        static final View NONE = new View(Set.of(), Set.of(), Collections.emptySortedSet(),
                Collections.emptySortedSet());

        /** What the shard caches hold: the shards owned now and those listed ahead. */
        public SortedSet<String> held() {
            java.util.TreeSet<String> held = new java.util.TreeSet<>(owned);
            held.addAll(afterLeaves);
            return Collections.unmodifiableSortedSet(held);
        }
    }

    /** Whether this replica owns {@code shard} now: it is live itself and wins the shard over the live set. */
    public boolean owns(String shard) {
        return !left && selfLive(clock.instant()) && view.owned().contains(shard);
    }

    /** Runs {@code task} on the timer unless it has stopped (we left or are closing: nothing to recompute). */
    private void onTimer(Runnable task) {
        try {
            timer.execute(task);
        } catch (RejectedExecutionException stopped) {
            // left or closing
        }
    }

    /** The member set as last judged: read it once where several of its parts must agree. */
    public View view() {
        return view;
    }

    /** The shards this replica wins over the live set; empty while it is not live itself. */
    public SortedSet<String> ownedShards() {
        return view.owned();
    }

    /** The live members as last judged. */
    public Set<String> members() {
        return view.members();
    }

    /**
     * Says on our Lease that this replica has listed ahead the shards it gains when {@code leavers} are gone (the
     * leaving replicas wait for that before they leave: their targets then change hands without a list).
     */
    public void preparedFor(Set<String> leavers) {
        if (leaving) {
            return; // a leaving replica prepares for nobody
        }
        Set<String> next = Set.copyOf(leavers);
        if (!next.equals(preparedFor)) {
            preparedFor = next;
            onTimer(this::renew);
        }
    }

    /**
     * Announces on our Lease that this replica is leaving; it keeps owning (and working on) its shards meanwhile.
     * The others list those shards ahead and say so on their Leases; the returned future completes when every other
     * live member that stays has (at once when there is none). The caller bounds its wait, then {@link #leave}s.
     */
    public CompletableFuture<Void> announceLeaving() {
        leaving = true;
        onTimer(this::renew);
        onTimer(this::recompute); // our view: leaving ourselves, nothing to list ahead
        return peersPrepared;
    }

    /**
     * Our Lease is written, the member informer has listed and the live set computed from it includes us: ownership
     * answers are meaningful. (Without the last condition there was a moment, between the informer's first list and
     * the first computation, in which no shard was owned yet and the empty shard caches matched it: the replica
     * reported ready before listing anything; seen as a 7 s "ready" of an orchestrator that needed 19 s.)
     */
    public boolean isReady() {
        return !left && informer != null && informer.isWatching() && selfLive(clock.instant())
                && view.members().contains(podName);
    }

    private boolean selfLive(Instant now) {
        Instant at = renewedAt;
        return at != null && !at.plus(settings.leaseDuration()).isBefore(now);
    }

    private void renew() {
        if (closed) {
            return;
        }
        Instant sent = clock.instant();
        try {
            mine = mine == null ? createOrAdopt(sent) : update(mine, sent);
            renewedAt = sent;
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_CONFLICT || e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
                mine = null; // someone rewrote or deleted it: start over from a fresh read next time
                onTimer(this::renew);
            }
            LOG.warnf("member lease renewal failed (HTTP %d), retrying: lease=%s: %s", e.getCode(),
                    MemberLeases.leaseName(podName), e.getMessage());
        } catch (RuntimeException e) {
            LOG.warnf(e, "member lease renewal failed, retrying: lease=%s", MemberLeases.leaseName(podName));
        }
        recompute();
    }

    private Lease createOrAdopt(Instant now) {
        String name = MemberLeases.leaseName(podName);
        try {
            return client.leases().inNamespace(namespace).resource(lease(name, now, null)).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                throw e;
            }
        }
        // left by an earlier incarnation of this pod: take it over at its current version
        Lease existing = client.leases().inNamespace(namespace).withName(name).get();
        if (existing == null) {
            return client.leases().inNamespace(namespace).resource(lease(name, now, null)).create();
        }
        return update(existing, now);
    }

    private Lease update(Lease current, Instant now) {
        Lease next = lease(current.getMetadata().getName(), now, current.getMetadata().getResourceVersion());
        return client.leases().inNamespace(namespace).resource(next).update();
    }

    private Lease lease(String name, Instant now, String resourceVersion) {
        return new LeaseBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).withResourceVersion(resourceVersion)
                .addToLabels(MemberLeases.LABEL_MEMBER_OF, MemberLeases.MEMBER_OF)
                .addToLabels(LeaseLockManager.LABEL_MANAGED_BY, LeaseLockManager.MANAGED_BY)
                .addToLabels(LeaseLockManager.LABEL_PURPOSE, LeaseLockManager.PURPOSE_MEMBER)
                .addToAnnotations(MemberLeases.annotations(leaving, preparedFor))
                .endMetadata()
                .withNewSpec()
                .withHolderIdentity(podName)
                .withLeaseDurationSeconds(settings.leaseDurationSeconds())
                .withRenewTime(now.atZone(ZoneOffset.UTC))
                .endSpec()
                .build();
    }

    private void recompute() {
        // before the first list we would see ourselves alone and claim every target
        if (closed || informer == null || !informer.hasSynced()) {
            return;
        }
        Instant now = clock.instant();
        List<Lease> leases = informer.store().list();
        java.util.TreeSet<String> live = new java.util.TreeSet<>(MemberLeases.liveMembers(leases, now));
        // our own liveness is what we know of our renewals, not what the informer last delivered
        if (selfLive(now)) {
            live.add(podName);
        } else {
            live.remove(podName);
        }
        java.util.TreeSet<String> goingAway = new java.util.TreeSet<>(MemberLeases.leavingMembers(leases, now));
        goingAway.remove(podName);
        if (leaving) {
            goingAway.add(podName);
        }
        goingAway.retainAll(live);
        Set<String> next = Set.copyOf(live);
        Set<String> nextLeaving = Set.copyOf(goingAway);
        if (leaving && !peersPrepared.isDone() && MemberLeases.preparedFor(leases, now, podName, nextLeaving)) {
            peersPrepared.complete(null);
        }
        View was = view;
        if (!next.equals(was.members()) || !nextLeaving.equals(was.leaving())) {
            if (!next.equals(was.members())) {
                LOG.infof("orchestrator members changed: pod=%s members=%s (was %s)", podName, live, was.members());
            }
            if (!nextLeaving.equals(was.leaving())) {
                LOG.infof("orchestrator members leaving: pod=%s leaving=%s (was %s)", podName, nextLeaving,
                        was.leaving());
            }
            SortedSet<String> owned = Collections.unmodifiableSortedSet(Shards.ownedBy(podName, next));
            SortedSet<String> afterLeaves = owned;
            if (!leaving && next.contains(podName) && !nextLeaving.isEmpty()) {
                java.util.TreeSet<String> staying = new java.util.TreeSet<>(next);
                staying.removeAll(nextLeaving);
                afterLeaves = Collections.unmodifiableSortedSet(Shards.ownedBy(podName, staying));
            }
            view = new View(next, nextLeaving, owned, afterLeaves);
            try {
                onChange.run();
            } catch (RuntimeException e) {
                LOG.warnf(e, "membership change handler failed: pod=%s", podName);
            }
        }
    }

    /**
     * Leaves the member set at once: stops renewing and deletes our Lease (guarded by the version we wrote), so the
     * others start listing our shards now, while this replica still finishes the reconciles it has under way (their
     * target Leases keep both sides safe, ADR-052-003). From here on this replica owns nothing. A stopping replica
     * calls it first: waiting for its in-flight work before leaving only made its targets wait longer.
     */
    public void leave() {
        if (left) {
            return;
        }
        closed = true;
        // not shutdownNow: an interrupted renewal may have been written without us learning its version
        timer.shutdown();
        try {
            if (!timer.awaitTermination(5, TimeUnit.SECONDS)) {
                timer.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        left = true;
        View was = view;
        view = new View(was.members(), was.leaving(), Collections.emptySortedSet(), Collections.emptySortedSet());
        Lease last = mine;
        if (last != null) {
            deleteOwnLease(last);
        }
    }

    /** Leaves the member set (if {@link #leave} has not yet) and stops watching the member Leases. */
    @Override
    public void close() {
        closed = true;
        if (informer != null) {
            informer.close(); // first: its handlers hand work to the timer
        }
        leave();
    }

    private void deleteOwnLease(Lease last) {
        String name = last.getMetadata().getName();
        try {
            client.leases().inNamespace(namespace).withName(name)
                    .lockResourceVersion(last.getMetadata().getResourceVersion()).delete();
            LOG.infof("member lease deleted: lease=%s; the other replicas take this replica's shards now", name);
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
                // a renewal landed whose answer we missed: delete the Lease at its current version if it is still ours
                try {
                    Lease current = client.leases().inNamespace(namespace).withName(name).get();
                    if (current != null && podName.equals(current.getSpec().getHolderIdentity())) {
                        client.leases().inNamespace(namespace).withName(name)
                                .lockResourceVersion(current.getMetadata().getResourceVersion()).delete();
                        LOG.infof("member lease deleted: lease=%s (after a renewal we had not seen)", name);
                    }
                    return;
                } catch (KubernetesClientException again) {
                    e = again;
                }
            }
            LOG.warnf("member lease not deleted, it expires by itself: lease=%s: %s", name, e.getMessage());
        }
    }

    /** What membership waits for while its member informer has not listed or is not watching. */
    public java.util.Optional<String> waitingFor() {
        return informer == null ? java.util.Optional.of("member Leases: not started") : informer.waitingFor();
    }
}
