package ai.kubernaut.orchestrator.retention;

import ai.kubernaut.orchestrator.lock.LeaseLockManager;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.SortedSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The retention and Lease sweeps of one replica, on a thread of their own (never a worker's): every
 * {@code interval} a {@link RetentionSweep} of the shards it owns, every {@code leaseInterval} a
 * {@link LeaseSweep}. No leader: each replica sweeps what it owns; at a hand-over two may sweep one shard, and
 * the preconditions of every DELETE make the second one's deletes no-ops.
 */
public final class Retention implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Retention.class);

    private final RetentionSweep history;
    private final LeaseSweep leases;
    private final RetentionSettings settings;
    private final RetentionObserver observer;
    private final ScheduledExecutorService thread;

    public Retention(RetentionSweep history, LeaseSweep leases, RetentionSettings settings,
            RetentionObserver observer, String podName) {
        this.history = history;
        this.leases = leases;
        this.settings = settings;
        this.observer = observer;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ro-retention-" + podName);
            t.setDaemon(true);
            return t;
        });
    }

    /** The production wiring: the replica's client, its shards, its target lock manager. */
    public static Retention of(KubernetesClient client, String namespace, String podName,
            Supplier<SortedSet<String>> ownedShards, LeaseLockManager locks, RetentionSettings settings,
            Duration lockDuration, Duration memberDuration, Clock clock, RetentionObserver observer) {
        KubeRetentionApi api = new KubeRetentionApi(client, namespace);
        return new Retention(
                new RetentionSweep(api, ownedShards, TargetLocks.of(locks), settings, clock, Pacer.Sleeper.THREAD,
                        observer),
                new LeaseSweep(api, shard -> ownedShards.get().contains(shard), settings, lockDuration, memberDuration,
                        clock, Pacer.Sleeper.THREAD, observer),
                settings, observer, podName);
    }

    public Retention start() {
        long interval = settings.interval().toMillis();
        thread.scheduleWithFixedDelay(this::sweepHistory, interval, interval, TimeUnit.MILLISECONDS);
        if (!settings.leaseInterval().isZero()) {
            long leaseInterval = settings.leaseInterval().toMillis();
            thread.scheduleWithFixedDelay(this::sweepLeases, leaseInterval, leaseInterval, TimeUnit.MILLISECONDS);
        }
        LOG.infof("retention: terminal RRs kept %s, heads %s, swept every %s (Leases every %s)",
                settings.deletesHistory() ? settings.retention() : "forever",
                settings.deletesHeads() ? settings.headRetention() : "forever", settings.interval(),
                settings.leaseInterval().isZero() ? "never" : settings.leaseInterval());
        return this;
    }

    private void sweepHistory() {
        try {
            history.sweep();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            observer.retentionSweep("error");
            LOG.warnf("retention sweep failed, the next one starts over in %s: %s", settings.interval(),
                    e.toString());
        }
    }

    private void sweepLeases() {
        try {
            leases.sweep();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warnf("Lease sweep failed, the next one starts over in %s: %s", settings.leaseInterval(),
                    e.toString());
        }
    }

    /** Stops at once: a sweep in progress is interrupted between two writes (what it left waits for the next). */
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
