package ai.kubernaut.gateway.ingest;

import ai.kubernaut.gateway.signal.InvalidSignalException;
import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The limits of {@link LimitsConfig}, checked by both parsers before anything touches the cluster. A refused alert
 * or event is a 400 {@code invalid-signal} naming the field (inside a notification, a {@code failed} result: the
 * other alerts go on); a notification with too many alerts is a 413 {@code too-many-alerts}. Each refusal is counted
 * in {@code gateway_signal_limit_rejections_total{limit}}; each payload stored shortened in
 * {@code gateway_payloads_truncated_total}.
 */
@ApplicationScoped
public class SignalLimits {

    /** Tag values of the rejection counter: which limit refused the signal. */
    static final List<String> LIMITS = List.of("alerts", "label_count", "annotation_count", "key_length",
            "label_value_length", "annotation_value_length", "labels_size", "annotations_size", "control_character");

    /** etcd's default {@code --max-request-bytes}: an RR larger than this cannot be stored. */
    static final long ETCD_REQUEST_LIMIT = 1536 * 1024;
    /**
     * Bytes a stored byte can take in the RR as etcd keeps it: the API server's JSON writes {@code <}, {@code >}
     * and {@code &} as six-byte unicode escapes.
     */
    static final int WORST_ESCAPE = 6;
    /** Everything else of an RR (names, spec fields of at most 253 characters, metadata), escaped: generous. */
    static final long RR_REST = 32 * 1024;

    private final int maxAlerts;
    private final int maxLabels;
    private final int maxAnnotations;
    private final int maxKeyLength;
    private final int maxLabelValueLength;
    private final int maxAnnotationValueLength;
    private final long maxLabelsSize;
    private final long maxAnnotationsSize;
    private final int maxPayloadSize;
    private final MeterRegistry registry;
    private final Counter truncated;

    @Inject
    public SignalLimits(LimitsConfig config, MeterRegistry registry) {
        this(config.maxAlerts(), config.maxLabels(), config.maxAnnotations(), config.maxKeyLength(),
                config.maxLabelValueLength(), config.maxAnnotationValueLength(), config.maxLabelsSize().asLongValue(),
                config.maxAnnotationsSize().asLongValue(), config.maxPayloadSize().asLongValue(), registry);
    }

    SignalLimits(int maxAlerts, int maxLabels, int maxAnnotations, int maxKeyLength, int maxLabelValueLength,
            int maxAnnotationValueLength, long maxLabelsSize, long maxAnnotationsSize, long maxPayloadSize,
            MeterRegistry registry) {
        if (maxPayloadSize > SignalCandidate.MAX_PAYLOAD_CHARS || maxPayloadSize < OriginalPayload.MIN_CAP) {
            throw new IllegalArgumentException("gateway.limits.max-payload-size must be between "
                    + OriginalPayload.MIN_CAP + " and " + SignalCandidate.MAX_PAYLOAD_CHARS
                    + " bytes (the RR schema's maxLength), got " + maxPayloadSize);
        }
        long worstCase = storedWorstCase(maxLabelsSize, maxAnnotationsSize, maxPayloadSize);
        if (worstCase > ETCD_REQUEST_LIMIT) {
            throw new IllegalArgumentException("gateway.limits.max-labels-size + max-annotations-size + "
                    + "max-payload-size allow an RR of " + worstCase + " bytes in etcd, over its request limit of "
                    + ETCD_REQUEST_LIMIT + " (see gateway-service/README.md, Limits)");
        }
        this.maxAlerts = positive(maxAlerts, "max-alerts");
        this.maxLabels = positive(maxLabels, "max-labels");
        this.maxAnnotations = positive(maxAnnotations, "max-annotations");
        this.maxKeyLength = positive(maxKeyLength, "max-key-length");
        this.maxLabelValueLength = positive(maxLabelValueLength, "max-label-value-length");
        this.maxAnnotationValueLength = positive(maxAnnotationValueLength, "max-annotation-value-length");
        this.maxLabelsSize = maxLabelsSize;
        this.maxAnnotationsSize = maxAnnotationsSize;
        this.maxPayloadSize = (int) maxPayloadSize;
        this.registry = registry;
        for (String limit : LIMITS) {
            rejections(limit); // at 0 from the start, so that rate() works before the first refusal
        }
        this.truncated = Counter.builder("gateway.payloads.truncated")
                .description("originalPayloads stored shortened (over gateway.limits.max-payload-size)")
                .register(registry);
    }

    /** The largest RR the limits allow, as etcd stores it (worst-case escaping of every stored byte). */
    static long storedWorstCase(long labelsSize, long annotationsSize, long payloadSize) {
        return WORST_ESCAPE * (labelsSize + annotationsSize + payloadSize) + RR_REST;
    }

    /** The defaults of {@link LimitsConfig}, for tests that build parsers by hand. */
    static SignalLimits defaults() {
        return new SignalLimits(64, 64, 64, 256, 1024, 16384, 16 * 1024, 64 * 1024, 100 * 1024,
                new SimpleMeterRegistry());
    }

    int maxAlerts() {
        return maxAlerts;
    }

    int maxAnnotationValueLength() {
        return maxAnnotationValueLength;
    }

    /** 413 when a notification carries more alerts than {@code gateway.limits.max-alerts}. */
    void checkAlertCount(int alerts) {
        if (alerts > maxAlerts) {
            rejections("alerts").increment();
            throw new ProblemException(ProblemType.TOO_MANY_ALERTS, "the notification carries " + alerts
                    + " alerts, more than " + maxAlerts + " (gateway.limits.max-alerts): set max_alerts of the "
                    + "Alertmanager receiver to at most " + maxAlerts, "alerts");
        }
    }

    /** Count, key and value lengths, total size, and no control characters at all. */
    void checkLabels(Map<String, String> labels, String path) {
        check(labels, path, maxLabels, "label_count", maxLabelValueLength, "label_value_length", maxLabelsSize,
                "labels_size", false);
    }

    /** As labels, with their own bounds; values may hold tabs and line breaks (multi-line descriptions). */
    void checkAnnotations(Map<String, String> annotations, String path) {
        check(annotations, path, maxAnnotations, "annotation_count", maxAnnotationValueLength,
                "annotation_value_length", maxAnnotationsSize, "annotations_size", true);
    }

    /** An event's message (its one annotation): tabs and line breaks allowed, other control characters not. */
    void checkMessage(String message, String field) {
        if (hasControl(message, true)) {
            throw refuse("control_character", field, "must not contain control characters other than tab and line "
                    + "breaks");
        }
    }

    /** The stored payload: the JSON as received, or shortened to the cap and marked (see {@link OriginalPayload}). */
    String payload(JsonNode document) {
        OriginalPayload.Capped capped = OriginalPayload.cap(document, maxPayloadSize);
        if (capped.truncated()) {
            truncated.increment();
        }
        return capped.json();
    }

    private void check(Map<String, String> map, String path, int maxCount, String countLimit, int maxValueLength,
            String valueLimit, long maxSize, String sizeLimit, boolean lineBreaksInValues) {
        if (map.size() > maxCount) {
            throw refuse(countLimit, path, "has " + map.size() + " entries, more than " + maxCount + " (gateway.limits."
                    + (countLimit.startsWith("label") ? "max-labels" : "max-annotations") + ")");
        }
        long size = 0;
        for (Map.Entry<String, String> e : map.entrySet()) {
            String key = e.getKey();
            String field = path + "." + key;
            if (key.length() > maxKeyLength) {
                throw refuse("key_length", path, "has a key longer than " + maxKeyLength
                        + " characters (gateway.limits.max-key-length)");
            }
            if (hasControl(key, false)) {
                throw refuse("control_character", path, "has a key with a control character");
            }
            String value = e.getValue();
            if (value.length() > maxValueLength) {
                throw refuse(valueLimit, field, "is longer than " + maxValueLength + " characters (gateway.limits.max-"
                        + valueLimit.replace('_', '-') + ")");
            }
            if (hasControl(value, lineBreaksInValues)) {
                throw refuse("control_character", field, "must not contain control characters"
                        + (lineBreaksInValues ? " other than tab and line breaks" : ""));
            }
            size += utf8Length(key) + utf8Length(value);
        }
        if (size > maxSize) {
            throw refuse(sizeLimit, path, "take " + size + " bytes, more than " + maxSize + " (gateway.limits.max-"
                    + sizeLimit.replace('_', '-') + ")");
        }
    }

    private InvalidSignalException refuse(String limit, String field, String problem) {
        rejections(limit).increment();
        return new InvalidSignalException(field, problem);
    }

    private Counter rejections(String limit) {
        return Counter.builder("gateway.signal.limit.rejections").tag("limit", limit)
                .description("Signals (or notifications: limit=alerts) refused by a gateway.limits.* bound")
                .register(registry);
    }

    /** C0 controls and DEL (C1 controls too: never meant as text in a label). */
    static boolean hasControl(String s, boolean lineBreaksAllowed) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (lineBreaksAllowed && (c == '\n' || c == '\r' || c == '\t')) {
                continue;
            }
            if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
                return true;
            }
        }
        return false;
    }

    static long utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static int positive(int value, String key) {
        if (value < 1) {
            throw new IllegalArgumentException("gateway.limits." + key + " must be at least 1, got " + value);
        }
        return value;
    }
}
