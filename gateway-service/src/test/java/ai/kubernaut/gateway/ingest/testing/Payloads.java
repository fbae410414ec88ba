package ai.kubernaut.gateway.ingest.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Map;

/** Valid request bodies to start from. */
public final class Payloads {

    public static final ObjectMapper JSON = new ObjectMapper();

    private Payloads() {
    }

    /** An Alertmanager v4 webhook with the given alerts. */
    public static ObjectNode webhook(ObjectNode... alerts) {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "4");
        root.put("groupKey", "{}:{alertname=\"KubePodCrashLooping\"}");
        root.put("status", "firing");
        root.put("receiver", "kubernaut");
        root.putObject("groupLabels").put("alertname", "KubePodCrashLooping");
        root.putObject("commonLabels");
        root.putObject("commonAnnotations");
        root.put("externalURL", "http://alertmanager.monitoring:9093");
        root.put("truncatedAlerts", 0);
        ArrayNode array = root.putArray("alerts");
        for (ObjectNode a : alerts) {
            array.add(a);
        }
        return root;
    }

    /** A firing alert with the given labels (key, value, key, value...). */
    public static ObjectNode alert(String... labels) {
        ObjectNode a = JSON.createObjectNode();
        a.put("status", "firing");
        ObjectNode l = a.putObject("labels");
        for (int i = 0; i + 1 < labels.length; i += 2) {
            l.put(labels[i], labels[i + 1]);
        }
        a.putObject("annotations").put("summary", "pod is crash looping");
        a.put("startsAt", "2024-05-01T10:00:00.123Z");
        a.put("endsAt", "0001-01-01T00:00:00Z");
        a.put("generatorURL", "http://prometheus:9090/graph?g0.expr=up");
        a.put("fingerprint", "1a2b3c4d5e6f7a8b");
        return a;
    }

    public static ObjectNode podAlert(String name, String namespace, String pod) {
        return alert("alertname", name, "severity", "critical", "namespace", namespace, "pod", pod,
                "job", "kube-state-metrics", "container", "app");
    }

    /** A Warning event about a pod, observed now. */
    public static ObjectNode event(String type, String reason, String kind, String namespace, String name) {
        ObjectNode e = JSON.createObjectNode();
        e.put("apiVersion", "v1");
        e.put("kind", "Event");
        ObjectNode md = e.putObject("metadata");
        md.put("name", name + ".17a8b9c0d1e2f3a4");
        md.put("namespace", namespace);
        e.put("type", type);
        e.put("reason", reason);
        e.put("message", "Back-off restarting failed container");
        ObjectNode io = e.putObject("involvedObject");
        io.put("kind", kind);
        io.put("namespace", namespace);
        io.put("name", name);
        io.put("uid", "0b6e4f9a-1c2d-4e5f-8a9b-0c1d2e3f4a5b");
        io.put("apiVersion", "v1");
        e.putObject("source").put("component", "kubelet");
        String now = Instant.now().toString();
        e.put("firstTimestamp", now);
        e.put("lastTimestamp", now);
        e.put("count", 3);
        return e;
    }

    public static String text(Object node) {
        return node.toString();
    }

    public static Map<String, String> json() {
        return Map.of("Content-Type", "application/json");
    }
}
