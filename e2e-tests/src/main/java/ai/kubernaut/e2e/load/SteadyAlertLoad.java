package ai.kubernaut.e2e.load;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A steady Alertmanager-like load: one pipeline per alert (an Alertmanager group), each delivering its alert through
 * an {@link AlertmanagerLikeSender} and starting the next delivery {@code interval} after the previous one ended
 * (its group_interval; a delivery being retried holds its group back, as in Alertmanager), until stopped.
 */
public final class SteadyAlertLoad implements AutoCloseable {

    private final ScheduledThreadPoolExecutor pipelines;
    private final AtomicInteger finished = new AtomicInteger();
    private final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();

    private SteadyAlertLoad(AlertmanagerLikeSender sender, List<Alert> alerts, Duration interval) {
        pipelines = new ScheduledThreadPoolExecutor(alerts.size(), r -> {
            Thread t = new Thread(r, "alertmanager-like-group");
            t.setDaemon(true);
            return t;
        });
        long spread = interval.toNanos() / alerts.size();
        for (int i = 0; i < alerts.size(); i++) {
            Alert alert = alerts.get(i);
            pipelines.scheduleWithFixedDelay(() -> {
                try {
                    sender.deliver(alert);
                    finished.incrementAndGet();
                } catch (RuntimeException e) {
                    // a periodic task that throws is never run again: keep the group going, report it
                    errors.add(alert.subject() + ": " + e);
                }
            }, i * spread, interval.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    public static SteadyAlertLoad start(AlertmanagerLikeSender sender, List<Alert> alerts, Duration interval) {
        return new SteadyAlertLoad(sender, alerts, interval);
    }

    /** Deliveries ended so far (delivered, lost or rejected). */
    public int finished() {
        return finished.get();
    }

    /** Deliveries that failed in the harness itself (not in the system under test); empty when all went well. */
    public List<String> errors() {
        return List.copyOf(errors);
    }

    /**
     * Starts no new delivery and waits up to {@code timeout} for those under way (each ends within the sender's
     * give-up time); true when all ended.
     */
    public boolean stop(Duration timeout) throws InterruptedException {
        pipelines.shutdown(); // periodic tasks do not run again after shutdown; a running one finishes
        return pipelines.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        pipelines.shutdownNow();
    }
}
