package ai.kubernaut.e2e.scenarios;

import ai.kubernaut.e2e.load.Alert;
import ai.kubernaut.e2e.load.Payloads;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Requests the Gateway must refuse with a 4xx and without creating anything: broken JSON, wrong shapes and
 * types, missing required fields, invalid Kubernetes names, wrong methods and media types, oversized bodies,
 * and seeded random mutations of valid payloads that each break a required field.
 */
final class MalformedRequests {

    record Request(String description, String method, String path, String contentType, String body) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private MalformedRequests() {
    }

    /** At least {@code count} malformed requests, deterministic (seeded). */
    static List<Request> corpus(String namespace, int count) {
        List<Request> fixed = new ArrayList<>();
        String prom = Payloads.PROMETHEUS_PATH;
        String event = Payloads.KUBERNETES_EVENT_PATH;
        String valid = Payloads.alertmanagerWebhook(Alert.aboutDeployment("KubePodCrashLooping", namespace, "fuzz-target"));
        String validEvent = Payloads.kubernetesEvent("BackOff", namespace, "Pod", "fuzz-pod");

        for (String path : List.of(prom, event)) {
            fixed.add(json("empty body " + path, path, ""));
            fixed.add(json("JSON null " + path, path, "null"));
            fixed.add(json("JSON string " + path, path, "\"hello\""));
            fixed.add(json("JSON number " + path, path, "42"));
            fixed.add(json("JSON array " + path, path, "[]"));
            fixed.add(json("truncated JSON " + path, path, (path.equals(prom) ? valid : validEvent).substring(0, 40)));
            fixed.add(json("trailing garbage " + path, path, "{\"a\":1}}}"));
            fixed.add(json("not JSON at all " + path, path, "alertname=KubePodCrashLooping"));
            fixed.add(json("binary garbage " + path, path, "\u0000\u0001\u0002\u00ff\u00fe"));
            fixed.add(json("deep nesting " + path, path, "[".repeat(5000) + "]".repeat(5000)));
            fixed.add(new Request("text/plain " + path, "POST", path, "text/plain", path.equals(prom) ? valid : validEvent));
            fixed.add(new Request("form encoded " + path, "POST", path, "application/x-www-form-urlencoded", "a=b"));
            fixed.add(new Request("GET " + path, "GET", path, null, null));
            fixed.add(new Request("PUT " + path, "PUT", path, "application/json", path.equals(prom) ? valid : validEvent));
            fixed.add(new Request("DELETE " + path, "DELETE", path, null, null));
            fixed.add(json("body over 100 KB " + path, path, oversized(path.equals(prom) ? valid : validEvent)));
        }
        // Alertmanager webhook: required fields and shapes
        fixed.add(mutate("no alerts", prom, valid, root -> root.remove("alerts")));
        fixed.add(mutate("alerts empty", prom, valid, root -> root.putArray("alerts")));
        fixed.add(mutate("alerts is an object", prom, valid, root -> root.putObject("alerts")));
        fixed.add(mutate("alerts is a string", prom, valid, root -> root.put("alerts", "x")));
        fixed.add(mutate("alert is a number", prom, valid, root -> ((ArrayNode) root.get("alerts")).set(0, 7)));
        fixed.add(mutate("no labels", prom, valid, root -> alert(root).remove("labels")));
        fixed.add(mutate("labels is an array", prom, valid, root -> alert(root).putArray("labels")));
        fixed.add(mutate("no alertname", prom, valid, root -> labels(root).remove("alertname")));
        fixed.add(mutate("empty alertname", prom, valid, root -> labels(root).put("alertname", "")));
        fixed.add(mutate("alertname is a number", prom, valid, root -> labels(root).put("alertname", 5)));
        fixed.add(mutate("no namespace for a Deployment", prom, valid, root -> labels(root).remove("namespace")));
        fixed.add(mutate("no resource label", prom, valid, root -> labels(root).remove("deployment")));
        fixed.add(mutate("upper-case deployment name", prom, valid, root -> labels(root).put("deployment", "Checkout")));
        fixed.add(mutate("deployment name with a slash", prom, valid, root -> labels(root).put("deployment", "a/b")));
        fixed.add(mutate("deployment name of 300 chars", prom, valid, root -> labels(root).put("deployment", "a".repeat(300))));
        fixed.add(mutate("namespace with spaces", prom, valid, root -> labels(root).put("namespace", "my ns")));
        fixed.add(mutate("namespace of 100 chars", prom, valid, root -> labels(root).put("namespace", "n".repeat(100))));
        fixed.add(mutate("node name with underscore", prom, valid, root -> {
            labels(root).remove("deployment");
            labels(root).put("node", "worker_1");
        }));
        // Kubernetes events: required fields and shapes
        fixed.add(mutate("event without involvedObject", event, validEvent, root -> root.remove("involvedObject")));
        fixed.add(mutate("event without reason", event, validEvent, root -> root.remove("reason")));
        fixed.add(mutate("event with empty reason", event, validEvent, root -> root.put("reason", "")));
        fixed.add(mutate("event type unknown", event, validEvent, root -> root.put("type", "Catastrophic")));
        fixed.add(mutate("event without type", event, validEvent, root -> root.remove("type")));
        fixed.add(mutate("involvedObject without kind", event, validEvent, root -> ((ObjectNode) root.get("involvedObject")).remove("kind")));
        fixed.add(mutate("involvedObject without name", event, validEvent, root -> ((ObjectNode) root.get("involvedObject")).remove("name")));
        fixed.add(mutate("involvedObject is a string", event, validEvent, root -> root.put("involvedObject", "pod/x")));
        fixed.add(mutate("involvedObject name invalid", event, validEvent, root -> ((ObjectNode) root.get("involvedObject")).put("name", "Bad Name!")));
        fixed.add(mutate("involvedObject namespace invalid", event, validEvent, root -> ((ObjectNode) root.get("involvedObject")).put("namespace", "-x-")));

        List<Request> all = new ArrayList<>(fixed);
        Random random = new Random(7);
        List<Consumer<ObjectNode>> breakers = List.of(
                root -> labels(root).remove("alertname"),
                root -> labels(root).remove("deployment"),
                root -> labels(root).put("deployment", randomInvalidName(random)),
                root -> labels(root).put("namespace", randomInvalidName(random)),
                root -> alert(root).remove("labels"),
                root -> root.put("alerts", random.nextInt()),
                root -> labels(root).put("alertname", ""));
        while (all.size() < count) {
            int which = random.nextInt(breakers.size());
            all.add(mutate("random mutation " + all.size() + " (breaker " + which + ")", prom,
                    Payloads.alertmanagerWebhook(Alert.aboutDeployment("Fuzz" + random.nextInt(1000), namespace,
                            "fuzz-" + random.nextInt(100))), breakers.get(which)));
        }
        return all;
    }

    private static String randomInvalidName(Random random) {
        // 254+ characters: too long for any name (DNS subdomain, 253) and for a namespace (DNS label, 63)
        String[] bad = {"UPPER", "has space", "trailing-", "-leading", "dot..dot/slash", "x".repeat(254 + random.nextInt(100)),
                "ünïcödé", "semi;colon", "under_score", "tab\there"};
        return bad[random.nextInt(bad.length)];
    }

    private static Request json(String description, String path, String body) {
        return new Request(description, "POST", path, "application/json", body);
    }

    private static Request mutate(String description, String path, String validJson, Consumer<ObjectNode> change) {
        try {
            ObjectNode root = (ObjectNode) JSON.readTree(validJson);
            change.accept(root);
            return json(description, path, root.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ObjectNode alert(ObjectNode root) {
        return (ObjectNode) root.get("alerts").get(0);
    }

    private static ObjectNode labels(ObjectNode root) {
        JsonNode labels = alert(root).get("labels");
        return (ObjectNode) labels;
    }

    private static String oversized(String validJson) {
        try {
            ObjectNode root = (ObjectNode) JSON.readTree(validJson);
            root.put("padding", "x".repeat(110 * 1024));
            return root.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
