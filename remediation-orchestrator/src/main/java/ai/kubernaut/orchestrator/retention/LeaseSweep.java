package ai.kubernaut.orchestrator.retention;

import ai.kubernaut.orchestrator.sharding.MemberLeases;
import ai.kubernaut.orchestrator.target.Target;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * Deletes the orchestrator's Leases that nobody holds any more: {@code ro-member-<pod>} of replicas gone without a
 * clean stop (kill -9, OOM kill, node loss) and {@code ro-lock-<hash>} whose release failed, once each has been
 * expired for {@code expiredLeaseDurations} of its own durations. Found by name in a paged LIST of the namespace's
 * Leases (labelled or not: Leases from before the labels too). Each replica takes the Leases of the shards it owns
 * (a lock Lease's shard is its target's, the first two hex digits of its hash; a member Lease's the first two of
 * the hash of its name). Each DELETE carries uid and resourceVersion preconditions: a Lease renewed or taken over
 * since the LIST has a new version and stays.
 */
public final class LeaseSweep {

    private static final Logger LOG = Logger.getLogger(LeaseSweep.class);
    static final String LEASE = "Lease";
    static final String LOCK_PREFIX = "ro-lock-";
    private static final Pattern LOCK_NAME = Pattern.compile("^ro-lock-([0-9a-f]{2})[0-9a-f]*$");

    private final RetentionApi api;
    private final Predicate<String> ownsShard;
    private final RetentionSettings settings;
    private final Duration lockDuration;
    private final Duration memberDuration;
    private final Clock clock;
    private final Pacer pacer;
    private final RetentionObserver observer;

    /**
     * @param lockDuration   the duration of a lock Lease that carries none
     * @param memberDuration the duration of a member Lease that carries none
     */
    public LeaseSweep(RetentionApi api, Predicate<String> ownsShard, RetentionSettings settings, Duration lockDuration,
            Duration memberDuration, Clock clock, Pacer.Sleeper sleeper, RetentionObserver observer) {
        this.api = api;
        this.ownsShard = ownsShard;
        this.settings = settings;
        this.lockDuration = lockDuration;
        this.memberDuration = memberDuration;
        this.clock = clock;
        this.pacer = new Pacer(clock, sleeper, settings.deletesPerSecond());
        this.observer = observer;
    }

    /** The shard a Lease of ours belongs to; null for a Lease that is not the orchestrator's. */
    static String shardOf(String leaseName) {
        var lock = LOCK_NAME.matcher(leaseName);
        if (lock.matches()) {
            return lock.group(1);
        }
        return leaseName.startsWith(MemberLeases.NAME_PREFIX) ? Target.hash16(leaseName).substring(0, 2) : null;
    }

    /** Left behind: expired for {@code expiredLeaseDurations} of its duration at {@code now}. */
    boolean leftBehind(Stored.LeaseCopy lease, Instant now) {
        if (lease.renewed() == null) {
            return false;
        }
        Duration duration = lease.durationSeconds() != null && lease.durationSeconds() > 0
                ? Duration.ofSeconds(lease.durationSeconds())
                : lease.name().startsWith(LOCK_PREFIX) ? lockDuration : memberDuration;
        return lease.renewed().plus(duration.multipliedBy(1L + settings.expiredLeaseDurations())).isBefore(now);
    }

    /** One sweep: the number of Leases deleted. */
    public int sweep() throws InterruptedException {
        List<Stored.LeaseCopy> leftBehind = new ArrayList<>();
        String token = null;
        Instant now = clock.instant();
        do {
            RetentionApi.Page<Stored.LeaseCopy> page = api.leases(settings.pageSize(), token);
            for (Stored.LeaseCopy lease : page.items()) {
                String shard = shardOf(lease.name());
                if (shard != null && ownsShard.test(shard) && leftBehind(lease, now)) {
                    leftBehind.add(lease);
                }
            }
            token = page.continueToken();
        } while (token != null && !token.isEmpty());
        int deleted = 0;
        for (Stored.LeaseCopy lease : leftBehind.subList(0, Math.min(leftBehind.size(), settings.maxDeletesPerSweep()))) {
            pacer.await();
            RetentionApi.Deletion outcome = api.deleteLease(lease.name(), lease.uid(), lease.resourceVersion());
            if (outcome == RetentionApi.Deletion.DELETED) {
                deleted++;
                observer.retentionDeleted(LEASE);
                LOG.infof("deleted a Lease left behind: lease=%s holder=%s renewed=%s duration=%ss", lease.name(),
                        lease.holder(), lease.renewed(), lease.durationSeconds());
            } else if (outcome == RetentionApi.Deletion.CHANGED) {
                observer.retentionChanged(LEASE);
                LOG.debugf("Lease renewed or taken over since the sweep listed it, kept: lease=%s", lease.name());
            }
        }
        return deleted;
    }
}
