package ai.kubernaut.e2e.load;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Delivers alerts to a Gateway Service the way Alertmanager's webhook notifier does: each alert (one webhook) to
 * the Service's current {@link ServiceEndpoints}, retried with exponential backoff while there is no answer, the
 * connection is refused or cut, or the answer is a 5xx or 429 (a {@code Retry-After} is honoured), and given up
 * after {@link Settings#giveUpAfter()}: that alert is then LOST. Any other answer ends the delivery (2xx delivered,
 * other 4xx rejected). Every try and every delivery is recorded for the assertions.
 */
public final class AlertmanagerLikeSender {

    /**
     * @param giveUpAfter    from the first try; Alertmanager's notification deadline
     * @param answerTimeout  one try without an answer for this long is abandoned (and retried)
     * @param connectTimeout one connect
     * @param initialBackoff first retry delay; then times {@code multiplier}, randomised by +-50%, at most {@code maxBackoff}
     */
    public record Settings(Duration giveUpAfter, Duration answerTimeout, Duration connectTimeout, Duration initialBackoff,
                           double multiplier, Duration maxBackoff) {

        /** Alertmanager's defaults (its backoff: 500 ms, x1.5, +-50%), 60 s per alert, 10 s per try. */
        public static Settings alertmanager() {
            return new Settings(Duration.ofSeconds(60), Duration.ofSeconds(10), Duration.ofSeconds(2),
                    Duration.ofMillis(500), 1.5, Duration.ofSeconds(10));
        }
    }

    /** How one try ended. */
    public enum Failure {
        /** answered, whatever the status */
        NONE,
        /** the connection was refused */
        REFUSED,
        /** the connection was accepted, then closed or reset before a complete answer */
        CUT,
        /** no answer within the answer timeout (or the connect timed out) */
        NO_ANSWER,
        /** the Service had no endpoint */
        NO_ENDPOINT
    }

    /**
     * One try.
     *
     * @param outcome     the endpoint (pod name), the HTTP status (-1 without one), the body or the error, when sent
     * @param requestSent whether the whole request had been written before the answer (or the failure)
     */
    public record Attempt(long delivery, int number, Outcome outcome, Failure failure, boolean requestSent, long endNanos) {

        public String endpoint() {
            return outcome.target();
        }

        public long startNanos() {
            return outcome.sentAtNanos();
        }

        public int code() {
            return outcome.code();
        }

        public boolean accepted() {
            return code() >= 200 && code() < 300;
        }

        @Override
        public String toString() {
            return "try " + number + " of alert " + delivery + " at " + endpoint() + ": "
                    + (failure == Failure.NONE ? Integer.toString(code()) : failure + (requestSent ? " after the request was sent" : ""))
                    + (failure == Failure.NONE ? "" : " (" + outcome.body() + ")");
        }
    }

    /** The end of one alert's delivery. */
    public enum Status { DELIVERED, LOST, REJECTED }

    /** One alert: every try, and how it ended. */
    public record Delivery(long id, Alert alert, long startNanos, long endNanos, Status status, List<Attempt> attempts) {

        public int tries() {
            return attempts.size();
        }

        /** The last try's outcome: for a delivered alert, the accepting answer. */
        public Outcome last() {
            return attempts.get(attempts.size() - 1).outcome();
        }

        @Override
        public String toString() {
            return "alert " + id + " (" + alert.subject() + ") " + status + " after " + tries() + " tries in "
                    + (endNanos - startNanos) / 1_000_000 + " ms, last: " + attempts.get(attempts.size() - 1);
        }

        /** Every try, with its start relative to the delivery's, and the answers' bodies. */
        public String describe() {
            StringBuilder s = new StringBuilder("alert " + id + " (" + alert.subject() + ") " + status + " in "
                    + (endNanos - startNanos) / 1_000_000 + " ms:");
            for (Attempt a : attempts) {
                s.append("\n  +").append((a.startNanos() - startNanos) / 1_000_000).append(" ms ").append(a)
                        .append(a.failure() == Failure.NONE ? " " + abbreviate(a.outcome().body()) : "");
            }
            return s.toString();
        }

        private static String abbreviate(String body) {
            return body == null ? "" : body.length() > 300 ? body.substring(0, 300) + "..." : body;
        }
    }

    private final ServiceEndpoints endpoints;
    private final Settings settings;
    private final AtomicLong ids = new AtomicLong();
    private final ConcurrentLinkedQueue<Attempt> attempts = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Delivery> deliveries = new ConcurrentLinkedQueue<>();

    public AlertmanagerLikeSender(ServiceEndpoints endpoints, Settings settings) {
        this.endpoints = endpoints;
        this.settings = settings;
    }

    public ServiceEndpoints endpoints() {
        return endpoints;
    }

    public Settings settings() {
        return settings;
    }

    /** Every try so far, in no particular order. */
    public List<Attempt> attempts() {
        return List.copyOf(attempts);
    }

    /** Every finished delivery so far. */
    public List<Delivery> deliveries() {
        return List.copyOf(deliveries);
    }

    /** Delivers {@code alert} (one webhook carrying it), retrying as Alertmanager does; blocks until it ends. */
    public Delivery deliver(Alert alert) {
        long id = ids.incrementAndGet();
        byte[] body = Payloads.alertmanagerWebhook(alert).getBytes(StandardCharsets.UTF_8); // the same on every try
        long start = System.nanoTime();
        long deadline = start + settings.giveUpAfter().toNanos();
        List<Attempt> tries = new ArrayList<>();
        for (int n = 1; ; n++) {
            Attempt attempt = attempt(id, n, body, deadline);
            tries.add(attempt);
            attempts.add(attempt);
            if (attempt.failure() == Failure.NONE && attempt.code() != 429 && attempt.code() < 500) {
                return finish(id, alert, start, attempt.accepted() ? Status.DELIVERED : Status.REJECTED, tries);
            }
            long delay = retryAfter(attempt.outcome().retryAfter()).orElseGet(() -> backoff(tries.size()));
            long now = System.nanoTime();
            // the behaviour under test: wait before the next try, but never past the deadline
            if (!pause(Math.min(delay, deadline - now)) || System.nanoTime() >= deadline) {
                return finish(id, alert, start, Status.LOST, tries);
            }
        }
    }

    private Delivery finish(long id, Alert alert, long start, Status status, List<Attempt> tries) {
        Delivery delivery = new Delivery(id, alert, start, System.nanoTime(), status, List.copyOf(tries));
        deliveries.add(delivery);
        return delivery;
    }

    private Attempt attempt(long id, int n, byte[] body, long deadline) {
        long start = System.nanoTime();
        Optional<ServiceEndpoints.Endpoint> endpoint = endpoints.pick();
        if (endpoint.isEmpty()) {
            return new Attempt(id, n, new Outcome(-1, 0, "(none)", "no endpoint", start), Failure.NO_ENDPOINT, false,
                    System.nanoTime());
        }
        ServiceEndpoints.Endpoint target = endpoint.get();
        long left = Math.max(1, (deadline - start) / 1_000_000);
        OneShotHttp.Result r = OneShotHttp.post(target.host(), target.port(), Payloads.PROMETHEUS_PATH, body,
                Map.of("Content-Type", "application/json", "User-Agent", "Alertmanager/0.25.0 (e2e)"),
                (int) Math.min(settings.connectTimeout().toMillis(), left),
                (int) Math.min(settings.answerTimeout().toMillis(), left));
        long end = System.nanoTime();
        Outcome outcome = new Outcome(r.code(), end - start, target.name(),
                r.failure() == OneShotHttp.Failure.NONE ? r.body() : r.error(), start, r.headers().get("retry-after"));
        return new Attempt(id, n, outcome, Failure.valueOf(r.failure().name()), r.requestSent(), end);
    }

    /** Exponential backoff before try {@code tries + 1}, randomised by +-50% as Alertmanager's is. */
    private long backoff(int tries) {
        double d = settings.initialBackoff().toNanos() * Math.pow(settings.multiplier(), tries - 1);
        d = Math.min(d, settings.maxBackoff().toNanos());
        return (long) (d * (0.5 + ThreadLocalRandom.current().nextDouble()));
    }

    /** {@code Retry-After} as delta-seconds or an HTTP date, in nanoseconds. */
    static Optional<Long> retryAfter(String header) {
        if (header == null || header.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Duration.ofSeconds(Long.parseLong(header.trim())).toNanos());
        } catch (NumberFormatException e) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(header.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
                return Optional.of(Math.max(0, Duration.between(ZonedDateTime.now(at.getZone()), at).toNanos()));
            } catch (RuntimeException unparseable) {
                return Optional.empty();
            }
        }
    }

    private static boolean pause(long nanos) {
        if (nanos <= 0) {
            return true;
        }
        try {
            Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
