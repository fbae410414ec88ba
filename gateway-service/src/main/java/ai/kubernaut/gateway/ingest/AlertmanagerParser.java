package ai.kubernaut.gateway.ingest;

import static ai.kubernaut.gateway.ingest.JsonInput.optionalText;
import static ai.kubernaut.gateway.ingest.JsonInput.optionalTime;
import static ai.kubernaut.gateway.ingest.JsonInput.requireObject;
import static ai.kubernaut.gateway.ingest.JsonInput.stringMap;

import ai.kubernaut.gateway.fingerprint.ClusterConfig;
import ai.kubernaut.gateway.fingerprint.ResourceLabels;
import ai.kubernaut.gateway.signal.InvalidSignalException;
import ai.kubernaut.gateway.signal.Signal;
import com.fasterxml.jackson.databind.JsonNode;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads an Alertmanager webhook (v4). Envelope errors (not an object, no alerts) fail the whole request; an
 * invalid alert only fails itself, so that one bad alert in a group does not drop the others.
 *
 * <p>Mapping: signal name = {@code labels.alertname}; severity = {@code labels.severity}; resource per
 * {@link ResourceLabels}; cluster id = {@code labels.cluster}, else {@code commonLabels.cluster}, else
 * {@code gateway.cluster.id}. Resolved alerts are rejected: they neither create nor count a remediation.
 */
@ApplicationScoped
class AlertmanagerParser {

    private final String defaultClusterId;
    private final SignalLimits limits;

    @Inject
    AlertmanagerParser(ClusterConfig cluster, SignalLimits limits) {
        this(cluster.id().orElse(""), limits);
    }

    AlertmanagerParser(String defaultClusterId) {
        this(defaultClusterId, SignalLimits.defaults());
    }

    AlertmanagerParser(String defaultClusterId, SignalLimits limits) {
        this.defaultClusterId = defaultClusterId;
        this.limits = limits;
    }

    List<ParsedItem> parse(JsonNode root) {
        requireObject(root, "");
        JsonNode alerts = root.get("alerts");
        if (alerts == null || alerts.isNull()) {
            throw new InvalidSignalException("alerts", "is required");
        }
        if (!alerts.isArray()) {
            throw new InvalidSignalException("alerts", "must be an array, got " + JsonInput.typeOf(alerts));
        }
        if (alerts.isEmpty()) {
            throw new InvalidSignalException("alerts", "must contain at least one alert");
        }
        limits.checkAlertCount(alerts.size());
        String receiver = optionalText(root, "receiver", "", 253);
        Map<String, String> commonLabels = stringMap(root, "commonLabels", "");
        List<ParsedItem> items = new ArrayList<>(alerts.size());
        for (int i = 0; i < alerts.size(); i++) {
            try {
                items.add(parseAlert(alerts.get(i), "alerts[" + i + "]", receiver, commonLabels));
            } catch (InvalidSignalException e) {
                items.add(ParsedItem.invalid(e));
            }
        }
        return items;
    }

    private ParsedItem parseAlert(JsonNode alert, String path, String receiver, Map<String, String> commonLabels) {
        requireObject(alert, path);
        String status = optionalText(alert, "status", path, 16);
        if (!status.isEmpty() && !status.equals("firing") && !status.equals("resolved")) {
            throw new InvalidSignalException(path + ".status", "must be firing or resolved");
        }
        if (alert.get("labels") == null || alert.get("labels").isNull()) {
            throw new InvalidSignalException(path + ".labels", "is required");
        }
        Map<String, String> labels = stringMap(alert, "labels", path);
        limits.checkLabels(labels, path + ".labels");
        String alertname = labels.getOrDefault("alertname", "");
        if (alertname.isBlank()) {
            throw new InvalidSignalException(path + ".labels.alertname", "is required");
        }
        requirePrintable(alertname, 253, path + ".labels.alertname");
        String severity = labels.getOrDefault("severity", "");
        requirePrintable(severity, 63, path + ".labels.severity");
        Map<String, String> annotations = stringMap(alert, "annotations", path);
        limits.checkAnnotations(annotations, path + ".annotations");
        Instant startsAt = optionalTime(alert, "startsAt", path);
        optionalTime(alert, "endsAt", path);
        if (status.equals("resolved")) {
            return ParsedItem.rejected("resolved_alert",
                    "alert " + alertname + " is resolved; resolved notifications neither create nor count remediations");
        }
        Signal.Resource resource = ResourceLabels.resolve(labels, path + ".labels");
        String clusterId = clusterId(labels, commonLabels, path);
        return ParsedItem.of(new SignalCandidate(SignalCandidate.PROMETHEUS_ALERT, alertname, severity, receiver,
                resource, clusterId, startsAt, labels, annotations, limits.payload(alert)));
    }

    private String clusterId(Map<String, String> labels, Map<String, String> commonLabels, String path) {
        String own = labels.getOrDefault("cluster", "");
        if (!own.isEmpty()) {
            requirePrintable(own, 253, path + ".labels.cluster");
            return own;
        }
        String common = commonLabels.getOrDefault("cluster", "");
        if (!common.isEmpty()) {
            requirePrintable(common, 253, "commonLabels.cluster");
            return common;
        }
        return defaultClusterId;
    }

    /** No control characters or whitespace other than plain spaces, bounded length. */
    static void requirePrintable(String value, int maxLength, String field) {
        if (value.length() > maxLength) {
            throw new InvalidSignalException(field, "is longer than " + maxLength + " characters");
        }
        if (value.chars().anyMatch(c -> c < ' ' || c == 0x7f)) {
            throw new InvalidSignalException(field, "must not contain control characters");
        }
    }
}
