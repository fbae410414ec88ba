package ai.kubernaut.orchestrator.sharding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ShardRingTest {

    static final List<String> THREE = List.of("ro-0", "ro-1", "ro-2");

    static String key(int i) {
        return "shop/Deployment/app-" + i;
    }

    @Test
    void everyReplicaComputesTheSameOwnerWhateverTheOrderOfTheMembers() {
        for (int i = 0; i < 200; i++) {
            assertEquals(ShardRing.owner(key(i), THREE), ShardRing.owner(key(i), List.of("ro-2", "ro-0", "ro-1")));
        }
    }

    @Test
    void noMembersNoOwnerAndOneMemberOwnsEverything() {
        assertEquals(Optional.empty(), ShardRing.owner(key(1), List.of()));
        for (int i = 0; i < 50; i++) {
            assertEquals(Optional.of("ro-0"), ShardRing.owner(key(i), List.of("ro-0")));
        }
    }

    @Test
    void keysSpreadEvenlyOverTheMembers() {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 3000; i++) {
            counts.merge(ShardRing.owner(key(i), THREE).orElseThrow(), 1, Integer::sum);
        }
        assertEquals(3, counts.size());
        counts.values().forEach(c -> assertTrue(c > 850 && c < 1150, "uneven: " + counts));
    }

    @Test
    void aLeavingMemberMovesOnlyItsOwnKeysAndAJoiningOneTakesOnlyKeysItWins() {
        int moved = 0;
        for (int i = 0; i < 3000; i++) {
            String before = ShardRing.owner(key(i), THREE).orElseThrow();
            String after = ShardRing.owner(key(i), List.of("ro-0", "ro-1")).orElseThrow();
            if (!before.equals("ro-2")) {
                assertEquals(before, after, "a key of a remaining member moved");
            } else {
                moved++;
            }
            // and back: ro-2 joining takes exactly the keys it wins, nothing moves between ro-0 and ro-1
            String rejoined = ShardRing.owner(key(i), THREE).orElseThrow();
            assertEquals(before, rejoined);
        }
        assertTrue(moved > 850 && moved < 1150, "about a third moved: " + moved);
    }
}
