package ai.kubernaut.gateway.auth;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;
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
 */
@ApplicationScoped
public class ReplayWindow {

    public static final String HEADER = "X-Timestamp";
    private static final Pattern UNIX_SECONDS = Pattern.compile("[0-9]{1,12}(\\.[0-9]{1,9})?");

    private final Duration window;
    private final boolean checkEvents;
    private final Clock clock;

    @Inject
    public ReplayWindow(AuthConfig config) {
        this(config.replayWindow(), config.checkEventTimestamps(), Clock.systemUTC());
    }

    public ReplayWindow(Duration window, boolean checkEvents, Clock clock) {
        this.window = window;
        this.checkEvents = checkEvents;
        this.clock = clock;
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
