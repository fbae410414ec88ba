package ai.kubernaut.orchestrator.retention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.orchestrator.target.Target;
import ai.kubernaut.orchestrator.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Left-behind Leases: deleted after several durations expired, by the owner of their shard, never when renewed. */
class LeaseSweepTest {

    static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");

    final MutableClock clock = new MutableClock(T0);
    final FakeRetentionApi api = new FakeRetentionApi();
    Set<String> owned = Set.of(ai.kubernaut.orchestrator.sharding.Shards.all());

    LeaseSweep sweep() {
        return new LeaseSweep(api, owned::contains, RetentionSettings.defaults(), Duration.ofSeconds(30),
                Duration.ofSeconds(15), clock, clock::advance, RetentionObserver.NONE);
    }

    void lease(String name, Instant renewed, Integer seconds) {
        api.leases.put(name, new Stored.LeaseCopy(name, "uid-" + name, api.nextVersion(), "holder", renewed, seconds));
    }

    @Test
    void leasesExpiredForSeveralDurationsAreDeletedTheOthersStay() throws Exception {
        String lock = "ro-lock-" + Target.hash16("shop/Deployment/web");
        lease("ro-member-ro-dead", T0.minusSeconds(15 * 5 + 1), 15);        // expired 4 durations + 1 s ago
        lease("ro-member-ro-late", T0.minusSeconds(15 * 5), 15);            // exactly at the boundary: stays
        lease("ro-member-ro-live", T0.minusSeconds(3), 15);
        lease(lock, T0.minusSeconds(30 * 5 + 1), 30);
        lease("ro-lock-0123456789abcdef", T0.minusSeconds(30 * 3), 30);
        lease("ro-lock-fedcba9876543210", T0.minusSeconds(200), null);      // no duration: the lock's 30 s
        lease("gw-lock-0123456789abcdef", T0.minusSeconds(86_400), 30);     // the Gateway's own
        lease("kube-something", T0.minusSeconds(86_400), 30);

        assertEquals(3, sweep().sweep());

        assertEquals(Set.of("ro-member-ro-late", "ro-member-ro-live", "ro-lock-0123456789abcdef",
                "gw-lock-0123456789abcdef", "kube-something"), api.leases.keySet());
    }

    @Test
    void aLeaseRenewedSinceTheListStays() throws Exception {
        lease("ro-member-ro-slow", T0.minusSeconds(600), 15);
        api.beforeDelete = name -> api.leases.computeIfPresent(name, (n, l) -> new Stored.LeaseCopy(n, l.uid(),
                api.nextVersion(), l.holder(), T0, l.durationSeconds()));
        assertEquals(0, sweep().sweep());
        assertTrue(api.leases.containsKey("ro-member-ro-slow"), "the DELETE's resourceVersion precondition failed");
    }

    @Test
    void eachReplicaTakesTheLeasesOfItsShards() throws Exception {
        String lock = "ro-lock-" + Target.hash16("shop/Deployment/web");
        lease(lock, T0.minusSeconds(3600), 30);
        lease("ro-member-ro-dead", T0.minusSeconds(3600), 15);
        owned = Set.of();
        assertEquals(0, sweep().sweep());
        owned = Set.of(lock.substring(8, 10), LeaseSweep.shardOf("ro-member-ro-dead"));
        assertEquals(2, sweep().sweep());
        assertEquals(Target.hash16("shop/Deployment/web").substring(0, 2), LeaseSweep.shardOf(lock),
                "a lock Lease belongs to its target's shard");
        assertNull(LeaseSweep.shardOf("gw-lock-0123456789abcdef"));
    }

    @Test
    void everyPageIsRead() throws Exception {
        for (int i = 0; i < 1200; i++) {
            lease(String.format("ro-lock-%016x", i), T0.minusSeconds(3600), 30);
        }
        assertEquals(1000, sweep().sweep(), "bounded per sweep");
        assertTrue(api.calls.contains("list lease 1000"), "the third page of 500");
        assertEquals(200, sweep().sweep());
    }
}
