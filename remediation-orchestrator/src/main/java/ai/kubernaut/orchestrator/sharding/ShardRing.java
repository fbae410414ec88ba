package ai.kubernaut.orchestrator.sharding;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.Optional;

/**
 * Rendezvous (highest random weight) hashing: a key belongs to the member with the highest
 * {@code sha256(member + "\n" + key)}. Every replica that sees the same member set computes the same owner; when
 * a member joins or leaves only the keys it wins or held move (about 1/n of them), no ring state to keep.
 */
public final class ShardRing {

    private ShardRing() {
    }

    /** The owner of {@code key} among {@code members}; empty when there are none. */
    public static Optional<String> owner(String key, Collection<String> members) {
        String best = null;
        long bestWeight = 0;
        for (String member : members) {
            long weight = weight(member, key);
            // ties (practically impossible) go to the smaller name so that every replica agrees
            if (best == null || Long.compareUnsigned(weight, bestWeight) > 0
                    || (weight == bestWeight && member.compareTo(best) < 0)) {
                best = member;
                bestWeight = weight;
            }
        }
        return Optional.ofNullable(best);
    }

    static long weight(String member, String key) {
        byte[] digest = sha256().digest((member + "\n" + key).getBytes(StandardCharsets.UTF_8));
        long weight = 0;
        for (int i = 0; i < 8; i++) {
            weight = (weight << 8) | (digest[i] & 0xff);
        }
        return weight;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    }
}
