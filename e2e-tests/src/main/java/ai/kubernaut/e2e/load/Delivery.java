package ai.kubernaut.e2e.load;

import ai.kubernaut.e2e.replica.Replica;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One notification delivered the way Alertmanager's webhook notifier delivers it: sent, and on a 5xx or no answer
 * sent again after an exponential backoff (250 ms doubling to 2 s, &plusmn;20 %), each time to the replica
 * {@code gateways} picks (behind a Service, the next connection may land on any), until it is accepted (2xx),
 * refused (4xx: Alertmanager does not retry those) or {@code giveUpAfter} has passed. Like Alertmanager, it does not
 * wait for a {@code Retry-After}.
 *
 * @param alert    what was delivered
 * @param attempts every request, in order; the last one decided
 */
public record Delivery(Alert alert, List<Outcome> attempts) {

    private static final Duration FIRST_BACKOFF = Duration.ofMillis(250);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(2);

    public Delivery {
        attempts = List.copyOf(attempts);
    }

    public static Delivery send(SignalSender sender, Supplier<Replica> gateways, Alert alert, Duration giveUpAfter) {
        List<Outcome> attempts = new ArrayList<>();
        long giveUpAt = System.nanoTime() + giveUpAfter.toNanos();
        Duration backoff = FIRST_BACKOFF;
        while (true) {
            Outcome outcome = sender.sendAlert(gateways.get(), alert);
            attempts.add(outcome);
            boolean retry = outcome.code() < 0 || outcome.code() >= 500;
            if (!retry || System.nanoTime() + backoff.toNanos() > giveUpAt) {
                return new Delivery(alert, attempts);
            }
            long jittered = (long) (backoff.toNanos() * ThreadLocalRandom.current().nextDouble(0.8, 1.2));
            try {
                // a pause between a sender's own attempts (Alertmanager's backoff), not a wait for something to happen
                TimeUnit.NANOSECONDS.sleep(jittered);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Delivery(alert, attempts);
            }
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        }
    }

    /** The answer that ended the delivery. */
    public Outcome last() {
        return attempts.get(attempts.size() - 1);
    }

    /** Accepted: the last answer was 201 (RR created) or 202 (counted on an existing RR). */
    public boolean accepted() {
        return last().created() || last().duplicate();
    }

    /**
     * Attempts that got a 5xx or no answer: each may or may not have been counted (the Gateway may have stored the
     * occurrence and then failed to answer, e.g. a 504 past its deadline, or failed before storing it).
     */
    public int unacknowledgedAttempts() {
        return (int) attempts.stream().filter(o -> o.code() < 0 || o.code() >= 500).count();
    }
}
