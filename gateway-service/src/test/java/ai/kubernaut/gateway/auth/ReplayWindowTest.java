package ai.kubernaut.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.gateway.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ReplayWindowTest {

    private static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");
    private final ReplayWindow window = new ReplayWindow(Duration.ofMinutes(5), true, new MutableClock(NOW));

    @Test
    void headerInsideTheWindowIsAcceptedInEitherFormat() {
        assertFalse(window.checkHeader(null));
        assertTrue(window.checkHeader("2024-05-01T12:04:59Z"));
        assertTrue(window.checkHeader("2024-05-01T12:58:00+01:00"));
        assertTrue(window.checkHeader("2024-05-01t11:56:00.123456789z"));
        assertTrue(window.checkHeader(Long.toString(NOW.getEpochSecond() - 299)));
        assertTrue(window.checkHeader(NOW.getEpochSecond() + ".5"));
    }

    @Test
    void headerOutsideTheWindowOrMalformedIsRejectedNamingTheHeader() {
        ReplayRejectedException old = assertThrows(ReplayRejectedException.class,
                () -> window.checkHeader("2024-05-01T11:54:59Z"));
        assertEquals("X-Timestamp", old.field());
        assertTrue(old.getMessage().contains("older"));
        assertTrue(assertThrows(ReplayRejectedException.class, () -> window.checkHeader(
                Long.toString(NOW.getEpochSecond() + 301))).getMessage().contains("newer"));
        assertThrows(ReplayRejectedException.class, () -> window.checkHeader("yesterday"));
        assertThrows(ReplayRejectedException.class, () -> window.checkHeader("2024-05-01 12:00:00"));
        assertThrows(ReplayRejectedException.class, () -> window.checkHeader(""));
    }

    @Test
    void eventTimestampsAreCheckedOnlyWhenEnabled() {
        assertThrows(ReplayRejectedException.class,
                () -> window.checkEventTimestamp(NOW.minusSeconds(3600), "lastTimestamp"));
        assertDoesNotThrow(() -> window.checkEventTimestamp(NOW.minusSeconds(60), "lastTimestamp"));
        assertDoesNotThrow(() -> window.checkEventTimestamp(null, "lastTimestamp"));
        ReplayWindow off = new ReplayWindow(Duration.ofMinutes(5), false, new MutableClock(NOW));
        assertDoesNotThrow(() -> off.checkEventTimestamp(NOW.minusSeconds(3600), "lastTimestamp"));
    }
}
