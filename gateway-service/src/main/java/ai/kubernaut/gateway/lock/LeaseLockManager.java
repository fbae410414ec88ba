package ai.kubernaut.gateway.lock;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Runs the Lease lock protocol of ADR-052 (the Gateway's own copy), in the style of fabric8's
 * {@code LeaderElector} over client-go's {@code resourcelock}: all decisions here, all I/O behind
 * {@link LeaseApi}, time from an injectable {@link Clock}.
 *
 * <ul>
 * <li>Exclusion per key inside the process first ({@link #open}): at most one thread of a replica works on a
 * key; the others wait and, when they get their turn, usually find the RR the first one created.</li>
 * <li>Acquire = CREATE with holder {@code <pod>/<fresh token>}, no GET first. On 409: GET; if the Lease is
 * expired ({@code renewTime + duration < now}) take it over with an UPDATE guarded by its resourceVersion
 * (409 = someone else won); else contention. Never re-entrant: the token is new for every acquisition.</li>
 * <li>Release deletes only our own Lease: one DELETE with the resourceVersion we wrote as precondition, at any
 * age. If someone took the Lease over, its version moved on and the API server answers 409: we leave it.</li>
 * <li>A release DELETE or an acquisition CREATE that gets no answer may leave a Lease with our token that nothing
 * uses: others wait for its expiry, this process takes it back at once when it next needs the key (the GET after
 * the 409 shows our token: an UPDATE guarded by the version just read).</li>
 * <li>No renewal: the critical section (re-check + create RR) is far shorter than the Lease. Safety against a
 * holder paused past expiry does not rest on the Lease at all but on the fenced create (see the ADR).</li>
 * </ul>
 */
public final class LeaseLockManager {

    private static final Logger LOG = Logger.getLogger(LeaseLockManager.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Releases run after the answer: bounded anyway, a Lease we fail to delete expires by itself. */
    static final Duration RELEASE_CALL_TIMEOUT = Duration.ofSeconds(5);

    private final LockSettings settings;
    private final LeaseApi api;
    private final Clock clock;
    private final Supplier<String> tokens;
    private final LockMetrics metrics;
    private final InProcessKeyLocks local = new InProcessKeyLocks();
    /**
     * Holder identities of ours that may stand on a Lease nothing here uses, and since when: a release DELETE or an
     * acquisition CREATE that got no answer (API server down, timeout) may have been carried out. When the next
     * acquisition of that key finds such a Lease, it takes it back at once instead of waiting out its duration.
     */
    private final ConcurrentMap<String, Instant> orphanHolders = new ConcurrentHashMap<>();

    public LeaseLockManager(LockSettings settings, LeaseApi api, Clock clock, LockMetrics metrics) {
        this(settings, api, clock, LeaseLockManager::holderToken, metrics);
    }

    public LeaseLockManager(LockSettings settings, LeaseApi api, Clock clock, Supplier<String> tokens,
            LockMetrics metrics) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.api = Objects.requireNonNull(api, "api");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    public LockSettings settings() {
        return settings;
    }

    /** 64 random bits as 16 hex chars: unique per acquisition, so no acquisition can pass for another. */
    private static String holderToken() {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /**
     * Enters the in-process exclusion for {@code key}, waiting up to {@code maxWait} for another thread of
     * this process that holds it. No API call.
     *
     * @return the session (close it), or empty when the wait ran out
     */
    public Optional<LockSession> open(String key, Duration maxWait) throws InterruptedException {
        Instant opened = clock.instant();
        InProcessKeyLocks.Entry entry = local.enter(key, maxWait);
        if (entry == InProcessKeyLocks.Entry.TIMED_OUT) {
            metrics.failed(LockMetrics.FailureReason.LOCAL_WAIT_TIMEOUT);
            return Optional.empty();
        }
        return Optional.of(new LockSession(this, key, settings.leaseName(key),
                entry == InProcessKeyLocks.Entry.WAITED, opened));
    }

    /** Keys held or waited for in this process right now. */
    public int keysInUse() {
        return local.activeKeys();
    }

    /** Threads of this process holding or waiting for {@code key} right now. */
    public int usersOf(String key) {
        return local.usersOf(key);
    }

    void exitLocal(String key) {
        local.exit(key);
    }

    void recordFailure(LockMetrics.FailureReason reason) {
        metrics.failed(reason);
    }

    /**
     * One acquisition attempt: CREATE, or on 409 GET and maybe a takeover UPDATE.
     *
     * @param timeout the longest each of these calls may wait (what is left of the caller's deadline)
     */
    LeaseAttempt tryAcquire(LockSession session, Duration timeout) {
        metrics.attempt();
        String name = session.leaseName();
        Instant now = clock.instant();
        String holder = settings.podName() + "/" + tokens.get();
        LeaseRecord mine = new LeaseRecord(name, holder, now, now, settings.leaseDurationSeconds(), 0, null);
        try {
            metrics.leaseCall("create");
            LeaseRecord created = api.create(mine, timeout);
            return acquired(session, new HeldLease(created, now, false));
        } catch (LeaseConflictException exists) {
            // fall through: somebody has it, or had it and it expired
        } catch (RuntimeException noAnswer) {
            // it may have been created all the same, with our token: ours to take back next time
            rememberOrphan(holder);
            throw noAnswer;
        }
        metrics.leaseCall("get");
        Optional<LeaseRecord> current = api.get(name, timeout);
        if (current.isEmpty()) {
            // released between our create and our read: plain contention, the next attempt creates it
            metrics.contended();
            return new LeaseAttempt.Contended(null, null);
        }
        LeaseRecord theirs = current.get();
        Instant checked = clock.instant();
        boolean reclaim = isOurOrphan(theirs);
        if (!reclaim && !theirs.expiredAt(checked)) {
            metrics.contended();
            return new LeaseAttempt.Contended(theirs.holderIdentity(), theirs.expiresAt());
        }
        int transitions = theirs.leaseTransitions() == null ? 1 : theirs.leaseTransitions() + 1;
        LeaseRecord takeover = new LeaseRecord(name, holder, checked, checked, settings.leaseDurationSeconds(),
                transitions, theirs.resourceVersion());
        try {
            metrics.leaseCall("update");
            LeaseRecord updated = api.update(takeover, timeout);
            if (reclaim) {
                LOG.infof("took back lease=%s key=%s (a release or create of ours had got no answer) from holder=%s",
                        name, session.key(), theirs.holderIdentity());
                return acquired(session, new HeldLease(updated, checked, false));
            }
            metrics.tookOver();
            LOG.infof("took over expired lease=%s key=%s from holder=%s (expired at %s)", name, session.key(),
                    theirs.holderIdentity(), theirs.expiresAt());
            return acquired(session, new HeldLease(updated, checked, true));
        } catch (LeaseConflictException lostRace) {
            metrics.contended();
            return new LeaseAttempt.Contended(null, null);
        }
    }

    private LeaseAttempt acquired(LockSession session, HeldLease held) {
        metrics.acquired(nonNegative(Duration.between(session.openedAt(), clock.instant())));
        return new LeaseAttempt.Acquired(held);
    }

    /**
     * Deletes the Lease if it is still ours. Never throws: a Lease we fail to delete expires by itself.
     *
     * @return true when this call deleted it
     */
    boolean release(HeldLease held) {
        Instant now = clock.instant();
        metrics.released(nonNegative(Duration.between(held.acquiredAt(), now)));
        LeaseRecord mine = held.lease();
        try {
            metrics.leaseCall("delete");
            return api.delete(mine.name(), mine.resourceVersion(), RELEASE_CALL_TIMEOUT);
        } catch (LeaseConflictException changed) {
            LOG.warnf("not releasing lease=%s: taken over since we acquired it, left to its new holder (%s)",
                    mine.name(), changed.getMessage());
            return false;
        } catch (RuntimeException e) {
            LOG.warnf(e, "could not release lease=%s; it expires by itself at %s, or this replica takes it back "
                    + "when it next needs the key", mine.name(), mine.expiresAt());
            rememberOrphan(mine.holderIdentity());
            return false;
        }
    }

    /**
     * True when {@code lease} carries one of our orphaned holder identities. Tokens are unique per acquisition, only
     * their writer writes them and nobody renews, so such a Lease is exactly one we wrote for an attempt that is
     * over (released, or failed before its critical section); the key is ours in this process now. Taking it back
     * is as safe as creating it.
     */
    private boolean isOurOrphan(LeaseRecord lease) {
        String holder = lease.holderIdentity();
        return holder != null && orphanHolders.remove(holder) != null;
    }

    private void rememberOrphan(String holderIdentity) {
        Instant now = clock.instant();
        // bounded by the calls that failed within one lease duration: older Leases have expired anyway
        orphanHolders.values().removeIf(since -> since.plusSeconds(settings.leaseDurationSeconds()).isBefore(now));
        orphanHolders.put(holderIdentity, now);
    }

    private static Duration nonNegative(Duration d) {
        return d.isNegative() ? Duration.ZERO : d;
    }
}
