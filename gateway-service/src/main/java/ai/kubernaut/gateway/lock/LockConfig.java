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
 * @param releaseMargin  a hold older than {@code leaseDuration - releaseMargin} may have been taken over, so
 *                       its release checks the holder with a GET before deleting (see the ADR)
 * @param namePrefix     Lease name prefix ({@code gw-lock-})
 */
public record LockConfig(String namespace, String podName, Duration leaseDuration, Duration releaseMargin,
        String namePrefix) {

    public static final String GATEWAY_PREFIX = "gw-lock-";

    public LockConfig {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(podName, "podName");
        Objects.requireNonNull(leaseDuration, "leaseDuration");
        Objects.requireNonNull(releaseMargin, "releaseMargin");
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
        if (releaseMargin.isNegative() || releaseMargin.compareTo(leaseDuration) >= 0) {
            throw new IllegalArgumentException("releaseMargin must be in [0, leaseDuration): " + releaseMargin);
        }
    }

    public static LockConfig gateway(String namespace, String podName, Duration leaseDuration) {
        return new LockConfig(namespace, podName, leaseDuration, defaultMargin(leaseDuration), GATEWAY_PREFIX);
    }

    /** A fifth of the lease, at most 5 s: room for the DELETE round trip and clock skew between replicas. */
    public static Duration defaultMargin(Duration leaseDuration) {
        Duration fifth = leaseDuration.dividedBy(5);
        return fifth.compareTo(Duration.ofSeconds(5)) > 0 ? Duration.ofSeconds(5) : fifth;
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
