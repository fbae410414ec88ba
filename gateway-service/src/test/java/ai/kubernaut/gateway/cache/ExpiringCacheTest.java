package ai.kubernaut.gateway.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import ai.kubernaut.gateway.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ExpiringCacheTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2024-05-01T00:00:00Z"));

    @Test
    void entriesExpireAfterTheTtl() {
        ExpiringCache<String, String> cache = new ExpiringCache<>(Duration.ofSeconds(30), 10, clock);
        cache.put("a", "1");
        clock.advance(Duration.ofSeconds(29));
        assertEquals("1", cache.get("a"));
        clock.advance(Duration.ofSeconds(1));
        assertNull(cache.get("a"));
        assertEquals(0, cache.size());
    }

    @Test
    void sizeIsBoundedByEvictingTheLeastRecentlyUsed() {
        ExpiringCache<String, String> cache = new ExpiringCache<>(Duration.ofMinutes(1), 2, clock);
        cache.put("a", "1");
        cache.put("b", "2");
        cache.get("a");
        cache.put("c", "3");
        assertEquals(2, cache.size());
        assertEquals("1", cache.get("a"));
        assertNull(cache.get("b"));
        assertEquals("3", cache.get("c"));
    }

    @Test
    void zeroTtlOrSizeDisablesCaching() {
        ExpiringCache<String, String> noTtl = new ExpiringCache<>(Duration.ZERO, 10, clock);
        noTtl.put("a", "1");
        assertNull(noTtl.get("a"));
        ExpiringCache<String, String> noRoom = new ExpiringCache<>(Duration.ofSeconds(1), 0, clock);
        noRoom.put("a", "1");
        assertNull(noRoom.get("a"));
    }
}
