package ai.kubernaut.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.gateway.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
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

    private static byte[] body(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aRequestAcceptedInsideTheWindowIsRefusedWhenSentAgainForAsLongAsTheWindowWouldAcceptIt() {
        MutableClock clock = new MutableClock(NOW);
        ReplayWindow memory = new ReplayWindow(Duration.ofMinutes(5), true, clock);
        String sent = "2024-05-01T11:58:00Z"; // inside the window until 12:03:00, remembered until 12:10:00
        memory.remember("/p", sent, body("{\"a\":1}"));
        ReplayedRequestException replay = assertThrows(ReplayedRequestException.class,
                () -> memory.remember("/p", " " + sent + " ", body("{\"a\":1}")));
        assertTrue(replay.getMessage().contains("already accepted"), replay.getMessage());
        // another body, endpoint or timestamp is another request
        assertDoesNotThrow(() -> memory.remember("/p", sent, body("{\"a\":2}")));
        assertDoesNotThrow(() -> memory.remember("/q", sent, body("{\"a\":1}")));
        assertDoesNotThrow(() -> memory.remember("/p", "2024-05-01T11:58:01Z", body("{\"a\":1}")));
        clock.advance(Duration.ofMinutes(2).plusSeconds(59));
        assertThrows(ReplayedRequestException.class, () -> memory.remember("/p", sent, body("{\"a\":1}")));
        clock.advance(Duration.ofSeconds(2)); // 12:03:01: the timestamp is outside the window, which refuses it now
        assertThrows(ReplayRejectedException.class, () -> memory.checkHeader(sent));
        assertEquals(4, memory.remembered());
        clock.advance(Duration.ofMinutes(7)); // 12:10:01: twice the window after acceptance, forgotten
        assertEquals(0, memory.remembered(), "bounded in time too");
    }

    @Test
    void aRequestNotAcceptedAfterAllIsForgottenAndRequestsWithoutTimestampAreNotRemembered() {
        ReplayWindow memory = new ReplayWindow(Duration.ofMinutes(5), true, new MutableClock(NOW));
        String sent = "2024-05-01T12:00:00Z";
        ReplayWindow.Remembered first = memory.remember("/p", sent, body("x"));
        first.forget(); // e.g. answered 503: the sender's retry must go through
        assertDoesNotThrow(() -> memory.remember("/p", sent, body("x")));
        memory.remember("/p", null, body("y"));
        assertDoesNotThrow(() -> memory.remember("/p", null, body("y")), "a retry of Alertmanager is not a replay");
        assertEquals(1, memory.remembered());
    }

    @Test
    void theMemoryIsBounded() {
        ReplayWindow memory = new ReplayWindow(Duration.ofMinutes(5), true, new MutableClock(NOW), 100,
                Runnable::run, new SimpleMeterRegistry());
        for (int i = 0; i < 1000; i++) {
            memory.remember("/p", "2024-05-01T12:00:00Z", body("alert " + i));
            assertTrue(memory.remembered() <= 100, "bounded: " + memory.remembered());
        }
    }
}
