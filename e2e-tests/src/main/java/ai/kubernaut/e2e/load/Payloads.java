package ai.kubernaut.e2e.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** JSON bodies the Gateway accepts: Alertmanager webhooks (v4) and core v1 Events. */
public final class Payloads {

    public static final String PROMETHEUS_PATH = "/api/v1/signals/prometheus";
    public static final String KUBERNETES_EVENT_PATH = "/api/v1/signals/kubernetes-event";

    private static final ObjectMapper JSON = new ObjectMapper();

    private Payloads() {
    }

    /** An Alertmanager webhook (version 4) carrying {@code alerts}, all firing. */
    public static String alertmanagerWebhook(List<Alert> alerts) {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "4");
        root.put("groupKey", "{}:{alertname=\"" + alerts.get(0).alertName() + "\"}");
        root.put("truncatedAlerts", 0);
        root.put("status", "firing");
        root.put("receiver", "kubernaut-gateway");
        root.putObject("groupLabels").put("alertname", alerts.get(0).alertName());
        ObjectNode common = root.putObject("commonLabels");
        common.put("alertname", alerts.get(0).alertName());
        String cluster = alerts.get(0).extraLabels().get("cluster");
        if (cluster != null && alerts.stream().allMatch(a -> cluster.equals(a.extraLabels().get("cluster")))) {
            common.put("cluster", cluster); // the Gateway's cluster id: part of the fingerprint
        }
        root.putObject("commonAnnotations");
        root.put("externalURL", "http://alertmanager.monitoring.svc:9093");
        ArrayNode list = root.putArray("alerts");
        String now = Instant.now().toString();
        for (Alert alert : alerts) {
            ObjectNode a = list.addObject();
            a.put("status", "firing");
            ObjectNode labels = a.putObject("labels");
            alert.labels().forEach(labels::put);
            a.putObject("annotations")
                    .put("summary", alert.alertName() + " on " + alert.subject())
                    .put("description", "e2e signal for " + alert.subject());
            a.put("startsAt", now);
            a.put("endsAt", "0001-01-01T00:00:00Z");
            a.put("generatorURL", "http://prometheus.monitoring.svc:9090/graph?g0.expr=up");
            a.put("fingerprint", HexFormat.of().toHexDigits(alert.labels().hashCode() & 0xffffffffL).substring(0, 16));
        }
        return root.toString();
    }

    public static String alertmanagerWebhook(Alert alert) {
        return alertmanagerWebhook(List.of(alert));
    }

    /** A core v1 Warning Event about {@code kind/name} in {@code namespace}. */
    public static String kubernetesEvent(String reason, String namespace, String kind, String name) {
        ObjectNode root = JSON.createObjectNode();
        root.put("apiVersion", "v1").put("kind", "Event");
        root.putObject("metadata").put("name", name + ".e2e").put("namespace", namespace);
        root.put("type", "Warning").put("reason", reason).put("message", reason + " for " + kind + "/" + name);
        root.putObject("involvedObject").put("kind", kind).put("namespace", namespace).put("name", name)
                .put("apiVersion", kind.equals("Pod") ? "v1" : "apps/v1").put("uid", "00000000-0000-0000-0000-000000000001");
        String now = Instant.now().toString();
        root.put("firstTimestamp", now).put("lastTimestamp", now).put("count", 1);
        root.putObject("source").put("component", "kubelet");
        return root.toString();
    }

    public static String json(Map<String, ?> value) {
        return JSON.valueToTree(value).toString();
    }
}
