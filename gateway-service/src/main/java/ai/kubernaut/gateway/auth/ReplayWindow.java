package ai.kubernaut.gateway.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.Executor;
import java.util.regex.Pattern;

/**
 * Replay protection: a request's send time must be within {@code gateway.auth.replay-window} of now.
 *
 * <ul>
 * <li>{@code X-Timestamp} (RFC 3339 or unix seconds), when present, is the send time, for every endpoint.</li>
 * <li>Without it, a Kubernetes event's newest timestamp ({@code series.lastObservedTime}, else
 * {@code lastTimestamp}, else {@code eventTime}) stands for it: forwarders send an event when it is observed,
 * so an old one is a replay or a stale re-list.</li>
 * <li>Alertmanager bodies are never checked: they carry no send time. {@code startsAt} is when the alert
 * started and is re-sent unchanged every {@code repeat_interval} for as long as it fires (a window on it would
 * drop real, long-firing alerts), and {@code endsAt} of a firing alert is zero or a resolve deadline.</li>
 * </ul>
 *
 * <p>Inside the window, a request with {@code X-Timestamp} is remembered ({@link #remember}: SHA-256 of endpoint,
 * header and body) for twice the window (by then its timestamp has left the window, which refuses it by itself), and
 * the same request again is refused (409) while it is remembered. Per replica, in memory, at most {@code gateway.auth.replay-memory-max-entries} (Caffeine evicts beyond
 * that); a request that is not accepted after all (a 4xx or 5xx answer) is forgotten so that its retry goes through.
 */
@ApplicationScoped
public class ReplayWindow {

    public static final String HEADER = "X-Timestamp";
    private static final Pattern UNIX_SECONDS = Pattern.compile("[0-9]{1,12}(\\.[0-9]{1,9})?");

    private final Duration window;
    private final boolean checkEvents;
    private final Clock clock;
    /** Hash of an accepted request -> an id of this acceptance (so that forgetting it cannot drop a later one). */
    private final Cache<String, Long> accepted;
    private final java.util.concurrent.atomic.AtomicLong acceptances = new java.util.concurrent.atomic.AtomicLong();
    private final MeterRegistry meters;

    @Inject
    public ReplayWindow(AuthConfig config, MeterRegistry meters) {
        this(config.replayWindow(), config.checkEventTimestamps(), Clock.systemUTC(),
                config.replayMemoryMaxEntries(), null, meters);
    }

    public ReplayWindow(Duration window, boolean checkEvents, Clock clock) {
        this(window, checkEvents, clock, 50_000, Runnable::run, new SimpleMeterRegistry());
    }

    /** @param maintenance Caffeine's housekeeping executor (null: its default); tests pass a direct one */
    public ReplayWindow(Duration window, boolean checkEvents, Clock clock, int maxEntries, Executor maintenance,
            MeterRegistry meters) {
        this.window = window;
        this.checkEvents = checkEvents;
        this.clock = clock;
        this.meters = meters;
        Caffeine<Object, Object> builder = Caffeine.newBuilder().maximumSize(Math.max(0, maxEntries))
                .ticker(() -> {
                    Instant i = clock.instant();
                    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
                });
        if (maintenance != null) {
            builder.executor(maintenance);
        }
        // A fixed 2 x window from acceptance outlives every accepted timestamp (at most window ahead of now) and
        // keeps to the cache shapes quarkus-caffeine registers for the native image (variable expiry does not).
        this.accepted = builder.expireAfterWrite(window.multipliedBy(2)).build();
        meters.gauge("gateway.replay.memory.entries", accepted, Cache::estimatedSize);
    }

    /** An accepted request in the replay memory; {@link #forget()} when it was not accepted after all. */
    public interface Remembered {
        Remembered NOTHING = () -> { };

        void forget();
    }

    /**
     * Remembers a request that carried a valid {@code X-Timestamp} (checked by {@link #checkHeader} before) for twice
     * the window.
     *
     * @param endpoint        the request path (the same body on another endpoint is another request)
     * @param timestampHeader as sent; null: nothing is remembered (a request without it cannot be told from a retry)
     * @throws ReplayedRequestException when the same request is already remembered
     */
    public Remembered remember(String endpoint, String timestampHeader, byte[] body) {
        if (timestampHeader == null) {
            return Remembered.NOTHING;
        }
        String value = timestampHeader.trim();
        String key = hash(endpoint, value, body);
        Long id = acceptances.incrementAndGet();
        if (accepted.asMap().putIfAbsent(key, id) != null) {
            throw new ReplayedRequestException("this request (same endpoint, " + HEADER + " " + value
                    + " and body) was already accepted; a new request needs a new " + HEADER);
        }
        return () -> accepted.asMap().remove(key, id);
    }

    /** Requests remembered now (for tests and the gauge). */
    public long remembered() {
        accepted.cleanUp();
        return accepted.estimatedSize();
    }

    private static String hash(String endpoint, String timestamp, byte[] body) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(endpoint.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
            digest.update(timestamp.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
            digest.update(body);
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the Java platform", e);
        }
    }

    /**
     * @param headerValue the {@code X-Timestamp} header, may be null
     * @return whether the header was present (it was then valid and fresh)
     * @throws ReplayRejectedException when it is malformed or outside the window
     */
    public boolean checkHeader(String headerValue) {
        if (headerValue == null) {
            return false;
        }
        Instant sent = parse(headerValue.trim());
        requireInside(sent, HEADER);
        return true;
    }

    /** Checks an event's newest timestamp when no {@code X-Timestamp} was sent (and the check is enabled). */
    public void checkEventTimestamp(Instant newest, String field) {
        if (checkEvents && newest != null) {
            requireInside(newest, field);
        }
    }

    private void requireInside(Instant t, String field) {
        Instant now = clock.instant();
        Duration skew = Duration.between(t, now).abs();
        if (skew.compareTo(window) > 0) {
            throw new ReplayRejectedException(field, t + " is " + (t.isBefore(now) ? "older" : "newer")
                    + " than the replay window allows (" + window.toSeconds() + " s either way of " + now + ")");
        }
    }

    static Instant parse(String value) {
        if (UNIX_SECONDS.matcher(value).matches()) {
            BigDecimal seconds = new BigDecimal(value);
            return Instant.ofEpochSecond(seconds.longValue(),
                    seconds.remainder(BigDecimal.ONE).movePointRight(9).longValue());
        }
        try {
            return OffsetDateTime.parse(value.toUpperCase(Locale.ROOT)).toInstant();
        } catch (DateTimeParseException e) {
            throw new ReplayRejectedException(HEADER,
                    "must be an RFC 3339 timestamp (2024-05-01T12:00:00Z) or unix seconds");
        }
    }
}
