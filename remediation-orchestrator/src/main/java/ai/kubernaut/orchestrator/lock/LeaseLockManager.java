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
 * A per-key mutex on {@code coordination.k8s.io/v1} Leases (ADR-052), for one replica. Non-blocking: callers
 * that do not get the lock requeue with backoff.
 *
 * <p>Protocol (in the style of client-go's resourcelock and fabric8's LeaderElector, without renewal):
 * <ul>
 * <li>in-process first: one acquisition per key per process (the original's re-entrant pod-name holder let two
 * reconciles of one replica both "hold" the key);</li>
 * <li>acquire = CREATE (one round trip when free); 409 -> GET; held and unexpired -> contention; expired ->
 * takeover by an UPDATE guarded by the resourceVersion just read (409 -> contention);</li>
 * <li>release = GET, then DELETE with a resourceVersion precondition only if the Lease still names our
 * per-acquisition holder identity. The GET is what protects us on servers that ignore preconditions (the
 * CRUD mock); the precondition closes the GET-DELETE window on a real server.</li>
 * </ul>
 * Expiry is judged on our clock against the holder's renewTime plus its leaseDurationSeconds: a holder paused
 * past its lease can be taken over. Correctness of what the lock protects must therefore not rely on the lock
 * alone; see ADR-052-003 for how WFE creation is fenced.
 */
public final class LeaseLockManager {

    private static final Logger LOG = Logger.getLogger(LeaseLockManager.class);

    private final LeaseLockConfig config;
    private final LeaseApi api;
    private final Clock clock;
    private final Supplier<String> tokens;
    private final LockObserver observer;
    /** key -> holder identity of the acquisition in progress or held in this process. */
    private final ConcurrentMap<String, String> localHolders = new ConcurrentHashMap<>();

    public LeaseLockManager(LeaseLockConfig config, LeaseApi api, Clock clock, LockObserver observer) {
        this(config, api, clock, LeaseLockManager::randomToken, observer);
    }

    public LeaseLockManager(LeaseLockConfig config, LeaseApi api, Clock clock, Supplier<String> tokens,
            LockObserver observer) {
        this.config = Objects.requireNonNull(config, "config");
        this.api = Objects.requireNonNull(api, "api");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.observer = Objects.requireNonNull(observer, "observer");
    }

    /** The Lease name for a key: prefix plus 16 hex chars of its SHA-256 (at most 63 chars). */
    public String leaseName(String key) {
        return config.namePrefix() + Target.hash16(key);
    }

    /** Try once to take the key's lock, without blocking. */
    public LockAttempt tryAcquire(String key) {
        observer.attempt();
        Instant started = clock.instant();
        String holder = config.holderPrefix() + "/" + tokens.get();
        String existing = localHolders.putIfAbsent(key, holder);
        if (existing != null) {
            return notAcquired(LockAttempt.Reason.LOCAL, existing, null);
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
                }
                observer.apiCall("get");
                Optional<Lease> current = api.get(name);
                if (current.isEmpty()) {
                    continue;
                }
                Lease lease = current.get();
                Instant now = clock.instant();
                if (!isExpired(lease, now)) {
                    return notAcquired(LockAttempt.Reason.HELD, holderOf(lease), null);
                }
                int transitions = Optional.ofNullable(lease.getSpec().getLeaseTransitions()).orElse(0) + 1;
                Lease takeover = newLease(name, holder, now, transitions);
                takeover.getMetadata().setResourceVersion(lease.getMetadata().getResourceVersion());
                try {
                    observer.apiCall("update");
                    Lease updated = api.update(takeover);
                    acquired = true;
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
                localHolders.remove(key, holder);
            }
        }
    }

    /**
     * Give the lock back. Deletes the Lease only if it still names this acquisition's holder identity (it may
     * have been taken over after expiry); never throws: a Lease we fail to delete expires by itself.
     */
    public void release(HeldLock lock) {
        boolean stillOurs = false;
        try {
            observer.apiCall("get");
            Optional<Lease> current = api.get(lock.leaseName());
            stillOurs = current.isPresent() && lock.holderIdentity().equals(holderOf(current.get()));
            if (stillOurs) {
                observer.apiCall("delete");
                api.delete(lock.leaseName(), current.get().getMetadata().getResourceVersion());
            } else {
                LOG.warnf("lock lost before release (taken over after expiry or deleted): lease=%s key=%s holder=%s"
                        + " currentHolder=%s", lock.leaseName(), lock.key(), lock.holderIdentity(),
                        current.map(LeaseLockManager::holderOf).orElse("<none>"));
            }
        } catch (LeaseConflictException e) {
            stillOurs = false;
            LOG.warnf("lock taken over while releasing: lease=%s key=%s holder=%s", lock.leaseName(), lock.key(),
                    lock.holderIdentity());
        } catch (RuntimeException e) {
            LOG.warnf(e, "lock release failed, the lease will expire by itself: lease=%s key=%s holder=%s",
                    lock.leaseName(), lock.key(), lock.holderIdentity());
        } finally {
            localHolders.remove(lock.key(), lock.holderIdentity());
            observer.released(Duration.between(lock.acquiredAt(), clock.instant()), stillOurs);
        }
    }

    /** Whether a Lease no longer protects its holder at {@code now}: no holder, or renewTime + duration passed. */
    boolean isExpired(Lease lease, Instant now) {
        if (lease.getSpec() == null || holderOf(lease) == null || holderOf(lease).isEmpty()) {
            return true;
        }
        ZonedDateTime renewed = Optional.ofNullable(lease.getSpec().getRenewTime())
                .orElse(lease.getSpec().getAcquireTime());
        if (renewed == null) {
            return true;
        }
        int seconds = Optional.ofNullable(lease.getSpec().getLeaseDurationSeconds())
                .orElse(config.leaseDurationSeconds());
        return !now.isBefore(renewed.toInstant().plusSeconds(seconds));
    }

    private Lease newLease(String name, String holder, Instant now, int transitions) {
        ZonedDateTime at = ZonedDateTime.ofInstant(now, ZoneOffset.UTC);
        return new LeaseBuilder()
                .withNewMetadata().withName(name)
                .addToLabels("app.kubernetes.io/managed-by", "remediation-orchestrator")
                .endMetadata()
                .withNewSpec()
                .withHolderIdentity(holder)
                .withLeaseDurationSeconds(config.leaseDurationSeconds())
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
