package ai.kubernaut.gateway.lock;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Deletes {@code gw-lock-*} Leases nobody holds any more: the Lease of a replica killed inside its critical section,
 * or one whose release failed, for a fingerprint that never fires again. A Lease goes once it has been expired for
 * {@code expiredDurations} of its own durations (by the lock's rule, on this replica's clock: far past any clock
 * skew). Found by name in a paged LIST of the namespace's Leases, labelled or not (Leases written before the labels
 * too). Every replica sweeps, at a jittered interval: each DELETE carries uid and resourceVersion preconditions, so a
 * Lease taken over or created again since the LIST stays, and two replicas deleting the same one do no harm.
 */
public final class LeaseSweeper implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(LeaseSweeper.class);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

    /**
     * @param interval           between two sweeps of this replica (the first after a random part of it)
     * @param expiredDurations   how many of its durations a Lease must have been expired
     * @param pageSize           LIST page size
     * @param deletesPerSecond   pace of the DELETEs
     * @param maxDeletesPerSweep DELETEs per sweep; the rest waits for the next
     * @param lockDuration       the duration of a Lease that carries none
     */
    public record Settings(Duration interval, int expiredDurations, int pageSize, double deletesPerSecond,
            int maxDeletesPerSweep, Duration lockDuration) {
        public Settings {
            Objects.requireNonNull(interval, "interval");
            Objects.requireNonNull(lockDuration, "lockDuration");
            if (interval.isNegative() || expiredDurations < 1 || pageSize < 1 || !(deletesPerSecond > 0)
                    || maxDeletesPerSweep < 1) {
                throw new IllegalArgumentException("gateway.lock.sweep.*: interval must not be negative, the others "
                        + "must be positive");
            }
        }
    }

    /** How the sweep waits between two DELETEs (the thread sleeps; a test's clock moves on). */
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    private final LeaseSweepApi api;
    private final Settings settings;
    private final String prefix;
    private final Clock clock;
    private final Sleeper sleeper;
    private final MeterRegistry registry;
    private final ScheduledExecutorService thread;

    public LeaseSweeper(LeaseSweepApi api, Settings settings, String prefix, Clock clock, Sleeper sleeper,
            MeterRegistry registry, String podName) {
        this.api = api;
        this.settings = settings;
        this.prefix = prefix;
        this.clock = clock;
        this.sleeper = sleeper;
        this.registry = registry;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gw-lease-sweep-" + podName);
            t.setDaemon(true);
            return t;
        });
        registry.counter("gateway.retention.deleted", "kind", "Lease");
    }

    /** Sweeps every interval (none when it is zero), the first time after a random part of it. */
    public LeaseSweeper start() {
        long every = settings.interval().toMillis();
        if (every > 0) {
            long first = every / 2 + ThreadLocalRandom.current().nextLong(Math.max(1, every / 2));
            thread.scheduleWithFixedDelay(this::sweepLogged, first, every, TimeUnit.MILLISECONDS);
        }
        return this;
    }

    /** Left behind: expired for {@code expiredDurations} of its duration at {@code now}. */
    boolean leftBehind(LeaseSweepApi.Listed lease, Instant now) {
        if (lease.renewed() == null) {
            return false;
        }
        Duration duration = lease.leaseDurationSeconds() != null && lease.leaseDurationSeconds() > 0
                ? Duration.ofSeconds(lease.leaseDurationSeconds()) : settings.lockDuration();
        return lease.renewed().plus(duration.multipliedBy(1L + settings.expiredDurations())).isBefore(now);
    }

    /** One sweep: the number of Leases this call deleted. */
    public int sweep() throws InterruptedException {
        Instant now = clock.instant();
        List<LeaseSweepApi.Listed> leftBehind = new ArrayList<>();
        String token = null;
        do {
            LeaseSweepApi.Page page = api.list(settings.pageSize(), token, CALL_TIMEOUT);
            page.items().stream().filter(l -> l.name().startsWith(prefix) && leftBehind(l, now))
                    .forEach(leftBehind::add);
            token = page.continueToken();
        } while (token != null);
        int deleted = 0;
        Duration spacing = Duration.ofNanos((long) (1_000_000_000L / settings.deletesPerSecond()));
        for (int i = 0; i < Math.min(leftBehind.size(), settings.maxDeletesPerSweep()); i++) {
            if (i > 0) {
                sleeper.sleep(spacing);
            }
            LeaseSweepApi.Listed lease = leftBehind.get(i);
            LeaseSweepApi.Deletion outcome = api.delete(lease.name(), lease.uid(), lease.resourceVersion(),
                    CALL_TIMEOUT);
            if (outcome == LeaseSweepApi.Deletion.DELETED) {
                deleted++;
                registry.counter("gateway.retention.deleted", "kind", "Lease").increment();
                LOG.infof("deleted a Lease left behind: lease=%s holder=%s renewed=%s duration=%ss", lease.name(),
                        lease.holderIdentity(), lease.renewed(), lease.leaseDurationSeconds());
            } else if (outcome == LeaseSweepApi.Deletion.CHANGED) {
                registry.counter("gateway.retention.changed", "kind", "Lease").increment();
                LOG.debugf("Lease renewed or taken over since the sweep listed it, kept: lease=%s", lease.name());
            }
        }
        return deleted;
    }

    private void sweepLogged() {
        try {
            sweep();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warnf("Lease sweep failed, the next one starts over in %s: %s", settings.interval(), e.toString());
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
