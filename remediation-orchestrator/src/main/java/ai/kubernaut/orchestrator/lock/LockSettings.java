package ai.kubernaut.orchestrator.lock;

import java.time.Duration;
import java.util.Objects;

/**
 * Immutable settings of one lock manager (like fabric8's LeaderElectionConfig).
 *
 * @param namePrefix    Lease name prefix; the name is the prefix plus 16 hex chars of the key's SHA-256
 * @param holderPrefix  this replica's identity (POD_NAME); the holderIdentity is {@code <holderPrefix>/<token>}
 * @param leaseDuration how long a Lease protects its holder without renewal; whole seconds on the wire
 */
public record LockSettings(String namePrefix, String holderPrefix, Duration leaseDuration) {

    public LockSettings {
        Objects.requireNonNull(namePrefix, "namePrefix");
        Objects.requireNonNull(holderPrefix, "holderPrefix");
        Objects.requireNonNull(leaseDuration, "leaseDuration");
        if (holderPrefix.isBlank()) {
            throw new IllegalArgumentException("holderPrefix (the pod name) must not be blank");
        }
        if (leaseDuration.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("leaseDuration must be at least 1s (Lease durations are whole seconds)");
        }
    }

    /** The duration written to {@code spec.leaseDurationSeconds}: rounded up to whole seconds. */
    public int leaseDurationSeconds() {
        long millis = leaseDuration.toMillis();
        return (int) Math.min(Integer.MAX_VALUE, (millis + 999) / 1000);
    }
}
