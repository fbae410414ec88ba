package ai.kubernaut.gateway.cache;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A small thread-safe cache whose entries expire after a fixed time and whose size is bounded (least recently
 * used entries are evicted first). Used for short-lived answers from the API server (auth reviews, owner
 * lookups) where a stale answer is acceptable for a few seconds but unbounded growth is not.
 */
public final class ExpiringCache<K, V> {

    private final Duration ttl;
    private final int maxEntries;
    private final Clock clock;
    private final LinkedHashMap<K, Entry<V>> entries;

    public ExpiringCache(Duration ttl, int maxEntries, Clock clock) {
        if (ttl.isNegative()) {
            throw new IllegalArgumentException("ttl must not be negative: " + ttl);
        }
        if (maxEntries < 0) {
            throw new IllegalArgumentException("maxEntries must not be negative: " + maxEntries);
        }
        this.ttl = ttl;
        this.maxEntries = maxEntries;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<K, Entry<V>> eldest) {
                return size() > ExpiringCache.this.maxEntries;
            }
        };
    }

    /** @return the cached value, or null when absent or expired */
    public synchronized V get(K key) {
        Entry<V> e = entries.get(key);
        if (e == null) {
            return null;
        }
        if (!clock.instant().isBefore(e.expiresAt)) {
            entries.remove(key);
            return null;
        }
        return e.value;
    }

    /** Caches the value for the configured ttl; a zero ttl or size disables caching. */
    public synchronized void put(K key, V value) {
        Objects.requireNonNull(value, "value");
        if (ttl.isZero() || maxEntries == 0) {
            return;
        }
        entries.put(key, new Entry<>(value, clock.instant().plus(ttl)));
    }

    public synchronized void clear() {
        entries.clear();
    }

    public synchronized int size() {
        return entries.size();
    }

    private record Entry<V>(V value, Instant expiresAt) {
    }
}
