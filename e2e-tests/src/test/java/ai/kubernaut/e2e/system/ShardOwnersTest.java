package ai.kubernaut.e2e.system;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import org.junit.jupiter.api.Test;

/** The harness's copy of the orchestrator's shard ownership, pinned to vectors computed with its ShardRing and Shards. */
class ShardOwnersTest {

    private static final List<String> THREE = List.of("ro-0", "ro-1", "ro-2");

    @Test
    void ownersAreTheOrchestratorsOwners() {
        assertEquals(Optional.of("ro-0"), ShardOwners.owner("00", THREE));
        assertEquals(Optional.of("ro-1"), ShardOwners.owner("45", THREE));
        assertEquals(Optional.of("ro-0"), ShardOwners.owner("a7", THREE));
        assertEquals(Optional.of("ro-1"), ShardOwners.owner("ff", THREE));
        assertEquals(Optional.of("ro-3"), ShardOwners.owner("00", List.of("ro-1", "ro-2", "ro-3")));
        assertEquals(Optional.empty(), ShardOwners.owner("00", List.of()));
    }

    @Test
    void ownedShardsAreTheOrchestratorsShards() {
        SortedSet<String> ro0 = ShardOwners.ownedBy("ro-0", THREE);
        assertEquals(78, ro0.size());
        assertEquals("00", ro0.first());
        assertEquals("fe", ro0.last());
        assertEquals("[03, 07, 0b, 10, 13, 15, 17, 1a, 1b, 27, 28, 2c, 2d, 37, 3e, 40, 46, 4e, 57, 5b, 5d, 63, 67, 69, "
                + "6b, 6d, 72, 73, 75, 79, 7b, 80, 87, 8d, 94, 9c, 9d, a2, ac, b5, ba, bc, bf, c2, ca, d7, d8, d9, db, dc, "
                + "de, df, e4, e5, e6, e8, e9, ec, ee, f1, f2, f4, fb]",
                ShardOwners.ownedBy("ro-3", List.of("ro-0", "ro-1", "ro-2", "ro-3")).toString());
        assertEquals(0, ShardOwners.ownedBy("ro-9", THREE).size());
    }
}
