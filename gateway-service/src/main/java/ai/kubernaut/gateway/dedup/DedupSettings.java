package ai.kubernaut.gateway.dedup;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** {@code gateway.dedup.*}: finding and counting on RemediationRequests. Documented in the module README. */
@ConfigMapping(prefix = "gateway.dedup")
public interface DedupSettings {

    /**
     * {@code label}: list by the {@code kubernaut.ai/fingerprint} label (any server, the CRUD mock too);
     * {@code field-selector}: list by {@code spec.signalFingerprint} (CRD selectableFields, Kubernetes 1.32+).
     * Either way the fingerprint is confirmed in memory.
     */
    @WithDefault("label")
    RemediationRequestApi.Lookup lookup();

    /** Budget of all Kubernetes calls for one signal; past it the signal fails with 504. */
    @WithDefault("15s")
    Duration kubernetesDeadline();

    /** Attempts per Kubernetes call on transient faults (no answer, 429, 5xx). */
    @WithDefault("3")
    int apiMaxAttempts();

    /** Retry-After answered when the API server keeps failing. */
    @WithDefault("5s")
    Duration apiRetryAfter();
}
