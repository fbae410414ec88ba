package ai.kubernaut.e2e.system;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Which orchestrator replica owns which shard, recomputed as the orchestrator does (its {@code ShardRing} and
 * {@code Shards.ownedBy}, pinned by ShardOwnersTest to the same vectors): rendezvous hashing, a shard belongs to the
 * member with the highest {@code sha256(member + "\n" + shard)} (first 8 bytes, unsigned), ties to the smaller name.
 */
public final class ShardOwners {

    private ShardOwners() {
    }

    public static Optional<String> owner(String shard, Collection<String> members) {
        String best = null;
        long bestWeight = 0;
        for (String member : members) {
            long weight = weight(member, shard);
            if (best == null || Long.compareUnsigned(weight, bestWeight) > 0
                    || (weight == bestWeight && member.compareTo(best) < 0)) {
                best = member;
                bestWeight = weight;
            }
        }
        return Optional.ofNullable(best);
    }

    /** The shards ({@code 00} to {@code ff}) {@code member} owns among {@code members}; empty when it is not one. */
    public static SortedSet<String> ownedBy(String member, Collection<String> members) {
        SortedSet<String> owned = new TreeSet<>();
        for (int i = 0; i < 256; i++) {
            String shard = String.format("%02x", i);
            if (members.contains(member) && owner(shard, members).orElseThrow().equals(member)) {
                owned.add(shard);
            }
        }
        return owned;
    }

    private static long weight(String member, String shard) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest((member + "\n" + shard).getBytes(StandardCharsets.UTF_8));
            long weight = 0;
            for (int i = 0; i < 8; i++) {
                weight = (weight << 8) | (digest[i] & 0xff);
            }
            return weight;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
