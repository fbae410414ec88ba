package ai.kubernaut.gateway.ingest;

import static ai.kubernaut.gateway.ingest.testing.Payloads.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.kubernaut.gateway.auth.ReplayRejectedException;
import ai.kubernaut.gateway.auth.ReplayWindow;
import ai.kubernaut.gateway.testing.MutableClock;
import ai.kubernaut.gateway.signal.InvalidSignalException;
import ai.kubernaut.gateway.signal.Signal;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class KubernetesEventParserTest {

    private final KubernetesEventParser parser = new KubernetesEventParser("c1",
            new ReplayWindow(Duration.ofMinutes(5), true, java.time.Clock.systemUTC()));

    private ParsedItem parse(ObjectNode body, boolean checkTimestamps) {
        return parser.parse(SignalJson.parse(body.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                checkTimestamps);
    }

    @Test
    void mapsAWarningEvent() {
        SignalCandidate c = parse(event("Warning", "BackOff", "Pod", "shop", "web-1"), true).candidate();
        assertEquals("kubernetes-event", c.signalType());
        assertEquals("BackOff", c.signalName());
        assertEquals("warning", c.severity());
        assertEquals("kubelet", c.signalSource());
        assertEquals(new Signal.Resource("Pod", "web-1", "shop", "v1"), c.resource());
        assertEquals("c1", c.clusterId());
        assertEquals("Back-off restarting failed container", c.annotations().get("message"));
    }

    @Test
    void normalEventsAreRejectedWhateverElseTheyCarry() {
        ObjectNode e = event("Normal", "Scheduled", "Pod", "shop", "web-1");
        e.remove("involvedObject");
        assertEquals("normal_event", parse(e, true).rejection().reason());
    }

    @Test
    void clusterScopedObjectsHaveNoNamespaceAndUnknownKindsWithoutOneAreAccepted() {
        ObjectNode node = event("Warning", "NodeNotReady", "Node", "default", "worker-1");
        assertEquals(new Signal.Resource("Node", "worker-1", "", "v1"), parse(node, true).candidate().resource());
        ObjectNode crd = event("Warning", "Degraded", "Widget", "x", "w1");
        ((ObjectNode) crd.get("involvedObject")).remove("namespace");
        ((ObjectNode) crd.get("metadata")).remove("namespace");
        ((ObjectNode) crd.get("involvedObject")).put("apiVersion", "example.com/v1");
        assertEquals("", parse(crd, true).candidate().resource().namespace());
    }

    @Test
    void eventNamespaceStandsInForTheObjectNamespace() {
        ObjectNode e = event("Warning", "BackOff", "Pod", "shop", "web-1");
        ((ObjectNode) e.get("involvedObject")).remove("namespace");
        assertEquals("shop", parse(e, true).candidate().resource().namespace());
    }

    @Test
    void eventsK8sIoSpellingsAreUnderstood() {
        ObjectNode e = event("Warning", "BackOff", "Pod", "shop", "web-1");
        e.set("regarding", e.remove("involvedObject"));
        e.put("note", e.remove("message").asText());
        e.remove("source");
        e.put("reportingController", "kubelet-x");
        e.remove("firstTimestamp");
        e.remove("lastTimestamp");
        e.put("eventTime", Instant.now().toString());
        SignalCandidate c = parse(e, true).candidate();
        assertEquals("web-1", c.resource().name());
        assertEquals("kubelet-x", c.signalSource());
        assertEquals("Back-off restarting failed container", c.annotations().get("message"));
    }

    @Test
    void timestampWindowAppliesToTheNewestTimestampOnlyWhenAsked() {
        ObjectNode old = event("Warning", "BackOff", "Pod", "shop", "web-1");
        old.put("firstTimestamp", "2020-01-01T00:00:00Z");
        old.put("lastTimestamp", Instant.now().minusSeconds(30).toString());
        assertEquals(Instant.parse("2020-01-01T00:00:00Z"), parse(old, true).candidate().firingTime(),
                "an old first occurrence is fine when the event was observed just now");
        old.put("lastTimestamp", "2020-01-01T00:10:00Z");
        assertEquals("lastTimestamp", assertThrows(ReplayRejectedException.class, () -> parse(old, true)).field());
        assertEquals("BackOff", parse(old, false).candidate().signalName());
        ObjectNode noTimes = event("Warning", "BackOff", "Pod", "shop", "web-1");
        noTimes.remove("firstTimestamp");
        noTimes.remove("lastTimestamp");
        assertNull(parse(noTimes, true).candidate().firingTime());
    }

    @Test
    void invalidFieldsAreNamed() {
        ObjectNode e = event("Warning", "BackOff", "Pod", "shop", "web-1");
        ((ObjectNode) e.get("involvedObject")).put("name", 5);
        assertEquals("involvedObject.name", assertThrows(InvalidSignalException.class, () -> parse(e, true)).field());
        ObjectNode ns = event("Warning", "BackOff", "Pod", "Shop", "web-1");
        assertEquals("involvedObject.namespace",
                assertThrows(InvalidSignalException.class, () -> parse(ns, true)).field());
        ObjectNode labels = event("Warning", "BackOff", "Pod", "shop", "web-1");
        ((ObjectNode) labels.get("metadata")).putObject("labels").put("a", true);
        assertEquals("metadata.labels.a", assertThrows(InvalidSignalException.class, () -> parse(labels, true)).field());
    }
}
