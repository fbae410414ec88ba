package ai.kubernaut.gateway.fingerprint;

import ai.kubernaut.gateway.signal.Signal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The signal fingerprint (DD-GATEWAY-011): lowercase hex SHA-256 of {@code [clusterId:]namespace:kind:name}
 * of the affected resource, after owner resolution. The alert name is not part of it, so every alert about
 * one workload lands on one RemediationRequest. Cluster-scoped resources hash with an empty namespace
 * ({@code :Node:worker-1}).
 */
public final class Fingerprints {

    private Fingerprints() {
    }

    /** The text that is hashed; exposed so tests and docs can show it. */
    public static String key(String clusterId, Signal.Resource resource) {
        String prefix = clusterId == null || clusterId.isEmpty() ? "" : clusterId + ":";
        return prefix + resource.namespace() + ":" + resource.kind() + ":" + resource.name();
    }

    public static String of(String clusterId, Signal.Resource resource) {
        return sha256Hex(key(clusterId, resource));
    }

    public static String sha256Hex(String text) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the Java platform", e);
        }
    }
}
