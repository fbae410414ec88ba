package ai.kubernaut.gateway.lock;

import ai.kubernaut.gateway.fingerprint.Fingerprints;
import java.time.Duration;
import java.util.Objects;

/**
 * Immutable settings of one lock manager (one per replica), in the style of fabric8's
 * {@code LeaderElectionConfig}.
 *
 * @param namespace      where the Leases live (the Gateway's own namespace)
 * @param podName        this replica's pod name, the first half of every holder identity
 * @param leaseDuration  how long a Lease is valid after its renewTime; others take it over after that
 * @param namePrefix     Lease name prefix ({@code gw-lock-})
 */
public record LockSettings(String namespace, String podName, Duration leaseDuration, String namePrefix) {

    public static final String GATEWAY_PREFIX = "gw-lock-";

    public LockSettings {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(podName, "podName");
        Objects.requireNonNull(leaseDuration, "leaseDuration");
        Objects.requireNonNull(namePrefix, "namePrefix");
        if (namespace.isBlank() || podName.isBlank()) {
            throw new IllegalArgumentException("namespace and podName must not be blank");
        }
        if (podName.contains("/")) {
            throw new IllegalArgumentException("podName must not contain '/': " + podName);
        }
        if (leaseDuration.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("leaseDuration must be at least 1s (Leases count whole seconds): "
                    + leaseDuration);
        }
    }

    public static LockSettings gateway(String namespace, String podName, Duration leaseDuration) {
        return new LockSettings(namespace, podName, leaseDuration, GATEWAY_PREFIX);
    }

    /** Lease seconds as written to {@code spec.leaseDurationSeconds} (rounded up). */
    public int leaseDurationSeconds() {
        long s = leaseDuration.toSeconds() + (leaseDuration.toNanosPart() > 0 ? 1 : 0);
        return (int) Math.min(Integer.MAX_VALUE, s);
    }

    /** {@code <prefix><first 16 hex of sha256(key)>}: short, DNS-safe, stable for a key. */
    public String leaseName(String key) {
        return namePrefix + Fingerprints.sha256Hex(key).substring(0, 16);
    }

}
