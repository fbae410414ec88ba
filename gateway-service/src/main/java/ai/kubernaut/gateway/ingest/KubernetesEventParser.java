package ai.kubernaut.gateway.ingest;

import static ai.kubernaut.gateway.ingest.JsonInput.optionalObject;
import static ai.kubernaut.gateway.ingest.JsonInput.optionalText;
import static ai.kubernaut.gateway.ingest.JsonInput.optionalTime;
import static ai.kubernaut.gateway.ingest.JsonInput.requireObject;
import static ai.kubernaut.gateway.ingest.JsonInput.requiredObject;
import static ai.kubernaut.gateway.ingest.JsonInput.requiredText;
import static ai.kubernaut.gateway.ingest.JsonInput.stringMap;

import ai.kubernaut.gateway.auth.ReplayWindow;
import ai.kubernaut.gateway.fingerprint.ClusterConfig;
import ai.kubernaut.gateway.fingerprint.KubernetesNames;
import ai.kubernaut.gateway.signal.InvalidSignalException;
import ai.kubernaut.gateway.signal.Signal;
import com.fasterxml.jackson.databind.JsonNode;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Reads a core v1 Event (also the {@code events.k8s.io/v1} spellings {@code regarding}, {@code note},
 * {@code reportingController}). {@code Normal} events are rejected; {@code Warning} and {@code Error} become
 * signals named after the event's reason, about its involved object.
 */
@ApplicationScoped
class KubernetesEventParser {

    private final String defaultClusterId;
    private final ReplayWindow replayWindow;
    private final SignalLimits limits;

    @Inject
    KubernetesEventParser(ClusterConfig cluster, ReplayWindow replayWindow, SignalLimits limits) {
        this(cluster.id().orElse(""), replayWindow, limits);
    }

    KubernetesEventParser(String defaultClusterId, ReplayWindow replayWindow) {
        this(defaultClusterId, replayWindow, SignalLimits.defaults());
    }

    KubernetesEventParser(String defaultClusterId, ReplayWindow replayWindow, SignalLimits limits) {
        this.defaultClusterId = defaultClusterId;
        this.replayWindow = replayWindow;
        this.limits = limits;
    }

    /**
     * @param checkTimestamps whether the event's newest timestamp must be inside the replay window (no
     *                        {@code X-Timestamp} header was sent)
     */
    ParsedItem parse(JsonNode root, boolean checkTimestamps) {
        requireObject(root, "");
        String type = requiredText(root, "type", "", 32);
        switch (type.toLowerCase(Locale.ROOT)) {
            case "normal":
                return ParsedItem.rejected("normal_event", "Normal events are informational; only Warning and "
                        + "Error events become signals");
            case "warning":
            case "error":
                break;
            default:
                throw new InvalidSignalException("type", KubernetesNames.quote(type)
                        + " is not an event type (Warning, Error or Normal)");
        }
        String reason = requiredText(root, "reason", "", 253);
        AlertmanagerParser.requirePrintable(reason, 253, "reason");

        String objField = root.hasNonNull("involvedObject") || !root.hasNonNull("regarding") ? "involvedObject"
                : "regarding";
        JsonNode obj = requiredObject(root, objField, "");
        String kind = requiredText(obj, "kind", objField, 63);
        KubernetesNames.requireKind(kind, objField + ".kind");
        String name = requiredText(obj, "name", objField, 253);
        KubernetesNames.requireName(kind, name, objField + ".name");
        String apiVersion = optionalText(obj, "apiVersion", objField, 253);
        if (!apiVersion.isEmpty()) {
            KubernetesNames.requireApiVersion(apiVersion, objField + ".apiVersion");
        }
        JsonNode metadata = optionalObject(root, "metadata", "");
        String namespace = namespace(obj, objField, kind, metadata);

        JsonNode series = optionalObject(root, "series", "");
        Instant first = optionalTime(root, "firstTimestamp", "");
        Instant last = optionalTime(root, "lastTimestamp", "");
        Instant eventTime = optionalTime(root, "eventTime", "");
        Instant observed = series == null ? null : optionalTime(series, "lastObservedTime", "series");
        if (checkTimestamps) {
            String newestField = observed != null ? "series.lastObservedTime"
                    : last != null ? "lastTimestamp" : "eventTime";
            replayWindow.checkEventTimestamp(Stream.of(observed, last, eventTime).filter(Objects::nonNull)
                    .findFirst().orElse(null), newestField);
        }

        String messageField = "message";
        String message = optionalText(root, messageField, "", limits.maxAnnotationValueLength());
        if (message.isEmpty()) {
            messageField = "note";
            message = optionalText(root, messageField, "", limits.maxAnnotationValueLength());
        }
        Map<String, String> labels = metadata == null ? Map.of() : stringMap(metadata, "labels", "metadata");
        limits.checkLabels(labels, "metadata.labels");
        Map<String, String> annotations = new LinkedHashMap<>();
        if (!message.isEmpty()) {
            limits.checkMessage(message, messageField);
            annotations.put("message", message);
        }
        JsonNode source = optionalObject(root, "source", "");
        String sender = Stream.of(source == null ? "" : optionalText(source, "component", "source", 253),
                optionalText(root, "reportingComponent", "", 253), optionalText(root, "reportingController", "", 253))
                .filter(s -> !s.isEmpty()).findFirst().orElse("");
        Instant firing = Stream.of(first, eventTime, last).filter(Objects::nonNull).findFirst().orElse(null);

        return ParsedItem.of(new SignalCandidate(SignalCandidate.KUBERNETES_EVENT, reason,
                type.toLowerCase(Locale.ROOT), sender, new Signal.Resource(kind, name, namespace, apiVersion),
                defaultClusterId, firing, labels, annotations, limits.payload(root)));
    }

    /**
     * The involved object's namespace; else the event's own (events live with their object); empty for
     * cluster-scoped kinds. A well-known namespaced kind without any namespace is incomplete.
     */
    private static String namespace(JsonNode obj, String objField, String kind, JsonNode metadata) {
        if (KubernetesNames.isClusterScoped(kind)) {
            return "";
        }
        String field = objField + ".namespace";
        String namespace = optionalText(obj, "namespace", objField, 63);
        if (namespace.isEmpty() && metadata != null) {
            namespace = optionalText(metadata, "namespace", "metadata", 63);
            field = "metadata.namespace";
        }
        if (namespace.isEmpty()) {
            if (KubernetesNames.isNamespaced(kind)) {
                throw new InvalidSignalException(objField + ".namespace", "is required for kind " + kind);
            }
            return "";
        }
        KubernetesNames.requireNamespace(namespace, field);
        return namespace;
    }
}
