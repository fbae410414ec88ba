package ai.kubernaut.gateway.dedup;

import ai.kubernaut.backoff.BackoffPolicy;
import java.time.Duration;
import java.util.Objects;

/**
 * Immutable settings of one {@link DeduplicatingSignalRecorder} (one per replica). Built from the
 * {@code gateway.dedup}, {@code gateway.lock} and {@code gateway.pod} config mappings, or by hand in tests to
 * simulate several replicas in one JVM.
 *
 * @param namespace          controller namespace: RRs and Leases live here
 * @param podName            this replica (lock holder identity)
 * @param kubernetesDeadline overall budget of all Kubernetes calls for one signal
 * @param apiMaxAttempts     attempts per call on transient API faults
 * @param apiRetryAfter      Retry-After when the API keeps failing
 * @param lockEnabled        false: no Lease (in-process exclusion and the fenced create still apply)
 * @param leaseDuration      Lease validity
 * @param lockRetryAfter     Retry-After when the lock stays contended
 * @param localWait          longest wait for another request of this replica on the same fingerprint
 * @param holderWait         how long a request that found the Lease held (or just released) by a holder it had
 *                           not seen before waits for that holder's RR to reach the view (woken when it does) before it tries the
 *                           Lease again; at least the backoff step, at most the holder's remaining Lease and the
 *                           deadline
 * @param lockPolicy         retry schedule for Lease contention (ADR-052 preset)
 * @param statusPolicy       retry schedule for status write conflicts
 */
public record RecorderSettings(String namespace, String podName, Duration kubernetesDeadline, int apiMaxAttempts, Duration apiRetryAfter, boolean lockEnabled,
        Duration leaseDuration, Duration lockRetryAfter, Duration localWait, Duration holderWait,
        BackoffPolicy lockPolicy, BackoffPolicy statusPolicy) {

    public RecorderSettings {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(podName, "podName");
        Objects.requireNonNull(kubernetesDeadline, "kubernetesDeadline");
        Objects.requireNonNull(apiRetryAfter, "apiRetryAfter");
        Objects.requireNonNull(leaseDuration, "leaseDuration");
        Objects.requireNonNull(lockRetryAfter, "lockRetryAfter");
        Objects.requireNonNull(localWait, "localWait");
        Objects.requireNonNull(holderWait, "holderWait");
        if (holderWait.isNegative()) {
            throw new IllegalArgumentException("holderWait must not be negative");
        }
        Objects.requireNonNull(lockPolicy, "lockPolicy");
        Objects.requireNonNull(statusPolicy, "statusPolicy");
        if (apiMaxAttempts < 1) {
            throw new IllegalArgumentException("apiMaxAttempts must be >= 1");
        }
    }

    /** {@code gateway.lock.holder-wait}'s default: a few times a real API server's watch lag under load. */
    public static final Duration DEFAULT_HOLDER_WAIT = Duration.ofSeconds(2);

    public RecorderSettings withHolderWait(Duration d) {
        return new RecorderSettings(namespace, podName, kubernetesDeadline, apiMaxAttempts, apiRetryAfter,
                lockEnabled, leaseDuration, lockRetryAfter, localWait, d, lockPolicy, statusPolicy);
    }

    /** Conflicts on one RR's status come from a few writers (replicas, the orchestrator): short, spread out. */
    public static BackoffPolicy defaultStatusPolicy() {
        return BackoffPolicy.builder().baseDelay(Duration.ofMillis(20)).maxDelay(Duration.ofMillis(500))
                .fullJitter(1.0).maxAttempts(15).build();
    }

    /** The documented defaults for a namespace and pod. */
    public static RecorderSettings defaults(String namespace, String podName) {
        return new RecorderSettings(namespace, podName, Duration.ofSeconds(15),
                3, Duration.ofSeconds(5), true, Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofSeconds(10),
                DEFAULT_HOLDER_WAIT, BackoffPolicy.adr052(), defaultStatusPolicy());
    }

    public RecorderSettings withLeaseDuration(Duration d) {
        return new RecorderSettings(namespace, podName, kubernetesDeadline, apiMaxAttempts, apiRetryAfter,
                lockEnabled, d, lockRetryAfter, localWait, holderWait, lockPolicy, statusPolicy);
    }

    public RecorderSettings withLockEnabled(boolean enabled) {
        return new RecorderSettings(namespace, podName, kubernetesDeadline, apiMaxAttempts, apiRetryAfter,
                enabled, leaseDuration, lockRetryAfter, localWait, holderWait, lockPolicy, statusPolicy);
    }


    public RecorderSettings withKubernetesDeadline(Duration d) {
        return new RecorderSettings(namespace, podName, d, apiMaxAttempts, apiRetryAfter,
                lockEnabled, leaseDuration, lockRetryAfter, localWait, holderWait, lockPolicy, statusPolicy);
    }

    public RecorderSettings withLockPolicy(BackoffPolicy p) {
        return new RecorderSettings(namespace, podName, kubernetesDeadline, apiMaxAttempts, apiRetryAfter,
                lockEnabled, leaseDuration, lockRetryAfter, localWait, holderWait, p, statusPolicy);
    }
}
