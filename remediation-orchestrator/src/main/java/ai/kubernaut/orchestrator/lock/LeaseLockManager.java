package ai.kubernaut.orchestrator.lock;

import ai.kubernaut.orchestrator.target.Target;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * A per-key mutex on {@code coordination.k8s.io/v1} Leases (ADR-052), for one replica. Non-blocking towards
 * other replicas: callers that do not get the lock requeue with backoff.
 *
 * <p>Protocol (in the style of client-go's resourcelock and fabric8's LeaderElector, without renewal; the same
 * rules as the Gateway's copy, see ADR-052):
 * <ul>
 * <li>in-process first: one acquisition per key per process; another thread of this replica waits up to
 * {@code localWait} for it (never a Lease call for a key this process already holds);</li>
 * <li>acquire = CREATE (one round trip when free); 409 -> GET; held and unexpired -> contention; expired ->
 * takeover by an UPDATE guarded by the resourceVersion just read (409 -> contention);</li>
 * <li>release = one DELETE with a resourceVersion precondition (the version our create or takeover wrote), no
 * GET: if the Lease was taken over after expiry its version changed and the server answers 409.</li>
 * <li>a release DELETE or an acquisition CREATE that gets no answer may leave a Lease with our token that nothing
 * uses: others wait for its expiry, this process takes it back at once when it next needs the key (the GET after
 * the 409 shows our token: an UPDATE guarded by the version just read).</li>
 * </ul>
 * Expiry: a Lease is expired when {@code renewTime + leaseDurationSeconds < now} on our clock (client-go's rule,
 * the Gateway's too; at exactly the boundary it still protects its holder). A holder paused past its lease can
 * therefore be taken over: correctness of what the lock protects must not rely on the lock alone; see
 * ADR-052-003 for how WFE creation is fenced.
 */
public final class LeaseLockManager {

    private static final Logger LOG = Logger.getLogger(LeaseLockManager.class);

    /** Labels of every Lease the orchestrator writes (docs/contracts.md): who manages it and what it is for. */
    public static final String LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String MANAGED_BY = "remediation-orchestrator";
    public static final String LABEL_PURPOSE = "kubernaut.ai/lease-purpose";
    public static final String PURPOSE_LOCK = "lock";
    public static final String PURPOSE_MEMBER = "member";

    private final LockSettings settings;
    private final LeaseApi api;
    private final Clock clock;
    private final Supplier<String> tokens;
    private final LockObserver observer;
    private final LocalKeyLocks local = new LocalKeyLocks();
    /**
     * Holder identities of ours that may stand on a Lease nothing here uses, and since when: a release DELETE or an
     * acquisition CREATE that got no answer (API server down, timeout) may have been carried out. When the next
     * acquisition of that key finds such a Lease, it takes it back at once instead of waiting out its duration.
     */
    private final ConcurrentMap<String, Instant> orphanHolders = new ConcurrentHashMap<>();

    public LeaseLockManager(LockSettings settings, LeaseApi api, Clock clock, LockObserver observer) {
        this(settings, api, clock, LeaseLockManager::randomToken, observer);
    }

    public LeaseLockManager(LockSettings settings, LeaseApi api, Clock clock, Supplier<String> tokens,
            LockObserver observer) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.api = Objects.requireNonNull(api, "api");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.observer = Objects.requireNonNull(observer, "observer");
    }

    /** The Lease name for a key: prefix plus 16 hex chars of its SHA-256 (at most 63 chars). */
    public String leaseName(String key) {
        return settings.namePrefix() + Target.hash16(key);
    }

    /** Try once to take the key's lock, without waiting for another process. */
    public LockAttempt tryAcquire(String key) {
        return tryAcquire(key, Duration.ZERO);
    }

    /**
     * Try once to take the key's lock: waits up to {@code localWait} for another thread of this process that
     * holds the key (it releases within one routing step), never for another process.
     */
    public LockAttempt tryAcquire(String key, Duration localWait) {
        observer.attempt();
        Instant started = clock.instant();
        String holder = settings.holderPrefix() + "/" + tokens.get();
        try {
            if (!local.enter(key, localWait)) {
                return notAcquired(LockAttempt.Reason.LOCAL, null, null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return notAcquired(LockAttempt.Reason.LOCAL, null, null);
        }
        boolean acquired = false;
        try {
            String name = leaseName(key);
            // two rounds: the Lease can be released between our failed CREATE and our GET
            for (int round = 0; round < 2; round++) {
                try {
                    observer.apiCall("create");
                    Lease created = api.create(newLease(name, holder, clock.instant(), 0));
                            acquired = true;
                    return acquired(key, name, holder, created, started, false);
                } catch (LeaseConflictException exists) {
                    // someone holds or held it: look at it
                } catch (RuntimeException noAnswer) {
                    // it may have been created all the same, with our token: ours to take back next time
                    rememberOrphan(holder);
                    throw noAnswer;
                }
                observer.apiCall("get");
                Optional<Lease> current = api.get(name);
                if (current.isEmpty()) {
                    continue;
                }
                Lease lease = current.get();
                Instant now = clock.instant();
                boolean reclaim = isOurOrphan(lease);
                if (!reclaim && !isExpired(lease, now)) {
                    return notAcquired(LockAttempt.Reason.HELD, holderOf(lease), null);
                }
                int transitions = Optional.ofNullable(lease.getSpec().getLeaseTransitions()).orElse(0) + 1;
                Lease takeover = newLease(name, holder, now, transitions);
                takeover.getMetadata().setResourceVersion(lease.getMetadata().getResourceVersion());
                try {
                    observer.apiCall("update");
                    Lease updated = api.update(takeover);
                    acquired = true;
                    if (reclaim) {
                        LOG.infof("lock taken back (a release or create of ours had got no answer): lease=%s key=%s "
                                + "previousHolder=%s holder=%s", name, key, holderOf(lease), holder);
                        return acquired(key, name, holder, updated, started, false);
                    }
                    LOG.infof("lock taken over after expiry: lease=%s key=%s previousHolder=%s holder=%s", name, key,
                            holderOf(lease), holder);
                    return acquired(key, name, holder, updated, started, true);
                } catch (LeaseConflictException lost) {
                    return notAcquired(LockAttempt.Reason.CONFLICT, null, null);
                }
            }
            return notAcquired(LockAttempt.Reason.CONFLICT, null, null);
        } catch (RuntimeException e) {
            return notAcquired(LockAttempt.Reason.API_ERROR, null, e);
        } finally {
            if (!acquired) {
                local.exit(key);
            }
        }
    }

    /**
     * Give the lock back: one DELETE guarded by the resourceVersion we wrote. A 409 means the Lease was taken
     * over after expiry (its version changed) and is left alone. Never throws: a Lease we fail to delete expires
     * by itself.
     */
    public void release(HeldLock lock) {
        boolean deleted = false;
        try {
            observer.apiCall("delete");
            deleted = api.delete(lock.leaseName(), lock.resourceVersion());
            if (!deleted) {
                LOG.warnf("lock gone before release: lease=%s key=%s holder=%s", lock.leaseName(), lock.key(),
                        lock.holderIdentity());
            }
        } catch (LeaseConflictException e) {
            LOG.warnf("lock taken over before release, left to its new holder: lease=%s key=%s holder=%s",
                    lock.leaseName(), lock.key(), lock.holderIdentity());
        } catch (RuntimeException e) {
            LOG.warnf(e, "lock release failed; the lease expires by itself, or this replica takes it back when it "
                    + "next needs the key: lease=%s key=%s holder=%s", lock.leaseName(), lock.key(), lock.holderIdentity());
            rememberOrphan(lock.holderIdentity());
        } finally {
            local.exit(lock.key());
            observer.released(Duration.between(lock.acquiredAt(), clock.instant()), deleted);
        }
    }

    /**
     * True when {@code lease} carries one of our orphaned holder identities. Tokens are unique per acquisition, only
     * their writer writes them and nobody renews, so such a Lease is exactly one we wrote for an attempt that is
     * over (released, or failed before its critical section); the key is ours in this process now. Taking it back
     * is as safe as creating it.
     */
    private boolean isOurOrphan(Lease lease) {
        String holder = holderOf(lease);
        return holder != null && orphanHolders.remove(holder) != null;
    }

    private void rememberOrphan(String holderIdentity) {
        Instant now = clock.instant();
        // bounded by the calls that failed within one lease duration: older Leases have expired anyway
        orphanHolders.values().removeIf(since -> since.plusSeconds(settings.leaseDurationSeconds()).isBefore(now));
        orphanHolders.put(holderIdentity, now);
    }

    /**
     * Whether a Lease no longer protects its holder at {@code now}: renewTime + duration < now; no holder, no
     * time or no duration count as expired (nobody holds it, or nobody could ever renew it). The Gateway's
     * {@code LeaseRecord.expiredAt} applies the same rule (ADR-052).
     */
    boolean isExpired(Lease lease, Instant now) {
        if (lease.getSpec() == null || holderOf(lease) == null || holderOf(lease).isEmpty()) {
            return true;
        }
        ZonedDateTime renewed = Optional.ofNullable(lease.getSpec().getRenewTime())
                .orElse(lease.getSpec().getAcquireTime());
        Integer seconds = lease.getSpec().getLeaseDurationSeconds();
        if (renewed == null || seconds == null) {
            return true;
        }
        return renewed.toInstant().plusSeconds(seconds).isBefore(now);
    }

    private Lease newLease(String name, String holder, Instant now, int transitions) {
        ZonedDateTime at = ZonedDateTime.ofInstant(now, ZoneOffset.UTC);
        return new LeaseBuilder()
                .withNewMetadata().withName(name)
                .addToLabels(LABEL_MANAGED_BY, MANAGED_BY)
                .addToLabels(LABEL_PURPOSE, PURPOSE_LOCK)
                .endMetadata()
                .withNewSpec()
                .withHolderIdentity(holder)
                .withLeaseDurationSeconds(settings.leaseDurationSeconds())
                .withAcquireTime(at)
                .withRenewTime(at)
                .withLeaseTransitions(transitions)
                .endSpec()
                .build();
    }

    private LockAttempt acquired(String key, String name, String holder, Lease stored, Instant started,
            boolean takeover) {
        Instant now = clock.instant();
        observer.acquired(Duration.between(started, now), takeover);
        return new LockAttempt.Acquired(
                new HeldLock(key, name, holder, stored.getMetadata().getResourceVersion(), now));
    }

    private LockAttempt notAcquired(LockAttempt.Reason reason, String holder, RuntimeException error) {
        observer.notAcquired(reason);
        return new LockAttempt.NotAcquired(reason, Optional.ofNullable(holder), Optional.ofNullable(error));
    }

    private static String holderOf(Lease lease) {
        return lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
    }

    private static String randomToken() {
        return String.format("%016x", ThreadLocalRandom.current().nextLong());
    }
}
