package ai.kubernaut.gateway.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.gateway.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The Gateway's Lease sweep against an in-memory API server and a fake clock. */
class LeaseSweeperTest {

    static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");

    /** Pages with continue tokens; DELETEs that check uid and resourceVersion as the API server does. */
    static final class FakeSweepApi implements LeaseSweepApi {
        final Map<String, Listed> leases = new TreeMap<>();
        final List<String> calls = new ArrayList<>();
        Consumer<String> beforeDelete = name -> { };
        int version = 100;

        void put(String name, Instant renewed, Integer seconds) {
            leases.put(name, new Listed(name, "uid-" + name, Integer.toString(++version), "gw-0/abc", renewed, seconds));
        }

        @Override
        public Page list(int limit, String continueToken, Duration timeout) {
            calls.add("list " + continueToken);
            List<Listed> all = leases.values().stream().sorted(Comparator.comparing(Listed::name)).toList();
            int from = continueToken == null ? 0 : Integer.parseInt(continueToken);
            int to = Math.min(all.size(), from + limit);
            return new Page(all.subList(from, to), to < all.size() ? Integer.toString(to) : null);
        }

        @Override
        public Deletion delete(String name, String uid, String resourceVersion, Duration timeout) {
            calls.add("delete " + name);
            beforeDelete.accept(name);
            Listed lease = leases.get(name);
            if (lease == null) {
                return Deletion.GONE;
            }
            if (!lease.uid().equals(uid) || !lease.resourceVersion().equals(resourceVersion)) {
                return Deletion.CHANGED;
            }
            leases.remove(name);
            return Deletion.DELETED;
        }
    }

    final MutableClock clock = new MutableClock(T0);
    final FakeSweepApi api = new FakeSweepApi();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final List<Duration> slept = new ArrayList<>();

    LeaseSweeper sweeper(int pageSize, int maxDeletes) {
        return new LeaseSweeper(api, new LeaseSweeper.Settings(Duration.ofMinutes(1), 4, pageSize, 10, maxDeletes,
                Duration.ofSeconds(30)), LockSettings.GATEWAY_PREFIX, clock, d -> {
                    slept.add(d);
                    clock.advance(d);
                }, registry, "gw-test");
    }

    @Test
    void gatewayLocksExpiredForSeveralDurationsGoTheRestStays() throws Exception {
        api.put("gw-lock-dead000000000000", T0.minusSeconds(30 * 5 + 1), 30);
        api.put("gw-lock-boundary00000000", T0.minusSeconds(30 * 5), 30);
        api.put("gw-lock-justexpired00000", T0.minusSeconds(31), 30);
        api.put("gw-lock-live000000000000", T0, 30);
        api.put("gw-lock-noduration000000", T0.minusSeconds(600), null);
        api.put("gw-lock-notime0000000000", null, 30);
        api.put("ro-lock-0000000000000000", T0.minusSeconds(86_400), 30);
        api.put("ro-member-ro-0", T0.minusSeconds(86_400), 15);

        assertEquals(2, sweeper(500, 500).sweep());

        assertEquals(Set.of("gw-lock-boundary00000000", "gw-lock-justexpired00000", "gw-lock-live000000000000",
                "gw-lock-notime0000000000", "ro-lock-0000000000000000", "ro-member-ro-0"), api.leases.keySet());
        assertEquals(2.0, registry.counter("gateway.retention.deleted", "kind", "Lease").count());
    }

    @Test
    void aLeaseTakenOverSinceTheListStays() throws Exception {
        api.put("gw-lock-taken00000000000", T0.minusSeconds(3600), 30);
        api.beforeDelete = name -> api.put(name, T0, 30); // another replica's takeover: a new version
        assertEquals(0, sweeper(500, 500).sweep());
        assertTrue(api.leases.containsKey("gw-lock-taken00000000000"));
        assertEquals(1.0, registry.counter("gateway.retention.changed", "kind", "Lease").count());
    }

    @Test
    void everyPageIsReadAndEachSweepIsBoundedAndPaced() throws Exception {
        for (int i = 0; i < 25; i++) {
            api.put(String.format("gw-lock-%016x", i), T0.minusSeconds(3600), 30);
        }
        assertEquals(20, sweeper(10, 20).sweep());
        assertTrue(api.calls.contains("list 20"), "the third page of 10");
        assertEquals(19, slept.size());
        assertTrue(slept.stream().allMatch(d -> d.equals(Duration.ofMillis(100))), "10 per second");
        assertEquals(5, sweeper(10, 20).sweep());
        assertTrue(api.leases.isEmpty());
    }

    @Test
    void settingsRejectNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new LeaseSweeper.Settings(Duration.ofMinutes(1), 0, 1, 1, 1,
                Duration.ofSeconds(30)));
        assertThrows(IllegalArgumentException.class, () -> new LeaseSweeper.Settings(Duration.ofMinutes(-1), 1, 1, 1, 1,
                Duration.ofSeconds(30)));
    }
}
