package ai.kubernaut.gateway.ingest;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * What one signal may carry, so that one notification cannot occupy a replica and one RemediationRequest stays far
 * below etcd's 1.5 MiB request limit (the bound is worked out in gateway-service/README.md, "Limits"). Lengths are
 * in characters (UTF-16 units, as Java and JSON count them), sizes in UTF-8 bytes of keys plus values.
 */
@ConfigMapping(prefix = "gateway.limits")
public interface LimitsConfig {

    /**
     * Alerts in one Alertmanager notification; more is 413 {@code too-many-alerts}. Above the shipped
     * Alertmanager receiver's {@code max_alerts: 40}, so that a notification Alertmanager already capped is never
     * refused.
     */
    @WithDefault("64")
    int maxAlerts();

    /** Labels of one signal (an alert's {@code labels}, an event's {@code metadata.labels}). */
    @WithDefault("64")
    int maxLabels();

    /** Annotations of one signal (an alert's {@code annotations}; an event has one, its message). */
    @WithDefault("64")
    int maxAnnotations();

    /** Characters of a label or annotation key. */
    @WithDefault("256")
    int maxKeyLength();

    /** Characters of a label value. */
    @WithDefault("1024")
    int maxLabelValueLength();

    /** Characters of an annotation value (descriptions, runbook links; an event's message). */
    @WithDefault("16384")
    int maxAnnotationValueLength();

    /** All labels of a signal together, keys and values, in UTF-8 bytes. */
    @WithDefault("16K")
    MemorySize maxLabelsSize();

    /** All annotations of a signal together, keys and values, in UTF-8 bytes. */
    @WithDefault("64K")
    MemorySize maxAnnotationsSize();

    /**
     * The stored {@code originalPayload} in UTF-8 bytes (at most the RR schema's 102400): a larger alert or event
     * is stored shortened, still valid JSON, and marked (docs/contracts.md), never refused.
     */
    @WithDefault("100K")
    MemorySize maxPayloadSize();
}
