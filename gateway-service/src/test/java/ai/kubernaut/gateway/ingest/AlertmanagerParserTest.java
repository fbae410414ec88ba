package ai.kubernaut.gateway.ingest;

import static ai.kubernaut.gateway.ingest.testing.Payloads.alert;
import static ai.kubernaut.gateway.ingest.testing.Payloads.podAlert;
import static ai.kubernaut.gateway.ingest.testing.Payloads.webhook;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.gateway.signal.InvalidSignalException;
import ai.kubernaut.gateway.signal.Signal;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AlertmanagerParserTest {

    private final AlertmanagerParser parser = new AlertmanagerParser("default-cluster");

    private List<ParsedItem> parse(ObjectNode body) {
        return parser.parse(SignalJson.parse(body.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    @Test
    void mapsAFiringAlert() {
        ObjectNode a = alert("alertname", "KubePodCrashLooping", "severity", "critical", "namespace", "monitoring",
                "exported_namespace", "shop", "pod", "web-1", "job", "kube-state-metrics");
        SignalCandidate c = parse(webhook(a)).get(0).candidate();
        assertEquals("prometheus-alert", c.signalType());
        assertEquals("KubePodCrashLooping", c.signalName());
        assertEquals("critical", c.severity());
        assertEquals("kubernaut", c.signalSource());
        assertEquals(new Signal.Resource("Pod", "web-1", "shop", "v1"), c.resource());
        assertEquals("default-cluster", c.clusterId());
        assertEquals(Instant.parse("2024-05-01T10:00:00.123Z"), c.firingTime());
        assertEquals("pod is crash looping", c.annotations().get("summary"));
        assertTrue(c.originalPayload().startsWith("{\"status\":\"firing\""));
    }

    @Test
    void clusterIdPrefersTheAlertThenCommonLabelsThenTheDefault() {
        ObjectNode body = webhook(podAlert("A", "shop", "p1"),
                alert("alertname", "A", "namespace", "shop", "pod", "p2", "cluster", "own"));
        ((ObjectNode) body.get("commonLabels")).put("cluster", "common");
        List<ParsedItem> items = parse(body);
        assertEquals("common", items.get(0).candidate().clusterId());
        assertEquals("own", items.get(1).candidate().clusterId());
        assertEquals("default-cluster", parse(webhook(podAlert("A", "shop", "p1"))).get(0).candidate().clusterId());
    }

    @Test
    void severityIsOptionalAndMissingStatusMeansFiring() {
        ObjectNode a = alert("alertname", "A", "namespace", "shop", "deployment", "web");
        a.remove("status");
        a.remove("startsAt");
        SignalCandidate c = parse(webhook(a)).get(0).candidate();
        assertEquals("", c.severity());
        assertNull(c.firingTime());
    }

    @Test
    void resolvedAlertsAreRejectedNotRecorded() {
        ObjectNode a = podAlert("A", "shop", "p1");
        a.put("status", "resolved");
        ParsedItem item = parse(webhook(a)).get(0);
        assertNull(item.candidate());
        assertEquals("resolved_alert", item.rejection().reason());
    }

    @Test
    void oneInvalidAlertDoesNotSpoilTheOthers() {
        List<ParsedItem> items = parse(webhook(podAlert("A", "shop", "p1"), alert("alertname", "B"),
                podAlert("C", "shop", "p3")));
        assertNotNull(items.get(0).candidate());
        assertEquals("alerts[1].labels", items.get(1).invalid().field());
        assertNotNull(items.get(2).candidate());
    }

    @Test
    void envelopeErrorsFailTheWholeRequest() {
        ObjectNode receiverNumber = webhook(podAlert("A", "shop", "p1"));
        receiverNumber.put("receiver", 7);
        assertEquals("receiver",
                assertThrows(InvalidSignalException.class, () -> parse(receiverNumber)).field());
        assertEquals("alerts", assertThrows(InvalidSignalException.class, () -> parse(webhook())).field());
    }

    @Test
    void nullValuesCountAsAbsent() {
        ObjectNode a = podAlert("A", "shop", "p1");
        a.putNull("annotations");
        ((ObjectNode) a.get("labels")).putNull("severity");
        SignalCandidate c = parse(webhook(a)).get(0).candidate();
        assertEquals("", c.severity());
        assertTrue(c.annotations().isEmpty());
    }
}
