package ai.kubernaut.orchestrator.sharding;

import java.time.Duration;
import java.util.SortedSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Follows ownership with the shard caches, on a thread of its own (a switch waits for LISTs): when the member set
 * changes, the caches switch to the shards owned now ({@link ShardCaches#switchTo}), plus, while members are
 * leaving, the shards gained once they are gone (listed ahead, then said on our member Lease: a leaving replica waits
 * for that, so its targets change hands without a list), then {@code afterChange} runs
 * (the controller enqueues the RRs it owns now, the labeller files what it owns now). A switch that fails (a list
 * not done in time) is tried again a second later. A replica that is not live itself owns nothing and keeps its
 * caches for when it is back: a short pause does not cost a re-list.
 */
public final class Resharding implements AutoCloseable {

    /** How long a switch waits for the gained shards' first lists before it tries again. */
    static final Duration SYNC_WAIT = Duration.ofSeconds(30);
    private static final Duration RETRY = Duration.ofSeconds(1);
    private static final Logger LOG = Logger.getLogger(Resharding.class);

    private final String podName;
    private final ShardCaches caches;
    private final Supplier<Membership> membership;
    private final Runnable afterChange;
    private final ScheduledExecutorService thread;
    private volatile boolean closed;

    /** @param membership the replica's membership (created after this, hence a supplier) */
    public Resharding(String podName, ShardCaches caches, Supplier<Membership> membership, Runnable afterChange) {
        this.podName = podName;
        this.caches = caches;
        this.membership = membership;
        this.afterChange = afterChange;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ro-shards-" + podName);
            t.setDaemon(true);
            return t;
        });
    }

    /** Membership's change callback (on its thread): the switch runs on ours. */
    public void membersChanged() {
        try {
            thread.execute(this::reshard);
        } catch (RejectedExecutionException stopping) {
            // closing: the others take over when our member Lease goes
        }
    }

    private void reshard() {
        if (closed) {
            return;
        }
        Membership members = membership.get();
        // one snapshot: the shards listed ahead are those of exactly the leaving set we then say we prepared for
        Membership.View view = members.view();
        if (view.members().contains(podName)) {
            // what we own now, and ahead what we gain once the leaving members are gone (they wait for it)
            SortedSet<String> held = view.held();
            if (!held.equals(caches.shards())) {
                try {
                    caches.switchTo(held, SYNC_WAIT);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (ExecutionException | TimeoutException | RuntimeException e) {
                    LOG.warnf("listing the shards of pod=%s failed, trying again in %s: %s", podName, RETRY,
                            e.toString());
                    try {
                        thread.schedule(this::reshard, RETRY.toMillis(), TimeUnit.MILLISECONDS);
                    } catch (RejectedExecutionException stopping) {
                        // closing
                    }
                    return;
                }
                LOG.infof("shards switched: pod=%s owns %d of %d (%d more listed ahead for leaving %s), members=%s",
                        podName, view.owned().size(), Shards.COUNT, held.size() - view.owned().size(), view.leaving(),
                        view.members());
            }
            members.preparedFor(view.leaving());
        }
        afterChange.run();
    }

    @Override
    public void close() {
        closed = true;
        thread.shutdownNow();
    }
}
