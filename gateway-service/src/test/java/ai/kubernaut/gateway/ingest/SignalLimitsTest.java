package ai.kubernaut.gateway.ingest;

import static ai.kubernaut.gateway.ingest.testing.Payloads.alert;
import static ai.kubernaut.gateway.ingest.testing.Payloads.event;
import static ai.kubernaut.gateway.ingest.testing.Payloads.webhook;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.gateway.auth.ReplayWindow;
import ai.kubernaut.gateway.signal.InvalidSignalException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each gateway.limits.* bound: the field it names, the counter it moves, and the bound itself accepted. */
class SignalLimitsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final SignalLimits limits = new SignalLimits(3, 4, 2, 10, 20, 30, 60, 50, 2048, registry);
    private final AlertmanagerParser alertmanager = new AlertmanagerParser("", limits);
    private final KubernetesEventParser events = new KubernetesEventParser("",
            new ReplayWindow(Duration.ofMinutes(5), true, Clock.systemUTC()), limits);

    private List<ParsedItem> parse(ObjectNode body) {
        return alertmanager.parse(SignalJson.parse(body.toString().getBytes(StandardCharsets.UTF_8)));
    }

    private double rejected(String limit) {
        return registry.get("gateway.signal.limit.rejections").tag("limit", limit).counter().count();
    }

    private InvalidSignalException invalidAlert(ObjectNode alert) {
        ParsedItem item = parse(webhook(alert)).get(0);
        assertNotNull(item.invalid(), "refused");
        return item.invalid();
    }

    private static ObjectNode deploymentAlert() {
        return alert("alertname", "A", "namespace", "shop", "deployment", "web");
    }

    @Test
    void tooManyAlertsIs413AndTheCapItselfIsAccepted() {
        ObjectNode a = deploymentAlert();
        assertEquals(3, parse(webhook(a, a, a)).size());
        ProblemException e = assertThrows(ProblemException.class, () -> parse(webhook(a, a, a, a)));
        assertEquals(413, e.status());
        assertEquals(ProblemType.TOO_MANY_ALERTS, e.type());
        assertEquals("alerts", e.field());
        assertTrue(e.getMessage().contains("gateway.limits.max-alerts") && e.getMessage().contains("max_alerts"));
        assertEquals(1.0, rejected("alerts"));
    }

    @Test
    void labelCountKeyValueAndSize() {
        ObjectNode fourLabels = deploymentAlert();
        ((ObjectNode) fourLabels.get("labels")).put("x", "1");
        assertNotNull(parse(webhook(fourLabels)).get(0).candidate(), "4 labels = the cap");
        ((ObjectNode) fourLabels.get("labels")).put("y", "1");
        assertEquals("alerts[0].labels", invalidAlert(fourLabels).field());
        assertEquals(1.0, rejected("label_count"));

        ObjectNode longKey = deploymentAlert();
        ((ObjectNode) longKey.get("labels")).put("k".repeat(11), "v");
        assertEquals("alerts[0].labels", invalidAlert(longKey).field());
        assertEquals(1.0, rejected("key_length"));

        ObjectNode longValue = deploymentAlert();
        ((ObjectNode) longValue.get("labels")).put("k", "v".repeat(21));
        assertEquals("alerts[0].labels.k", invalidAlert(longValue).field());
        assertEquals(1.0, rejected("label_value_length"));

        ObjectNode big = deploymentAlert(); // 4 labels of 20 characters, 2-byte ones: over 60 bytes
        ((ObjectNode) big.get("labels")).put("k", "\u00e9".repeat(20));
        assertTrue(invalidAlert(big).getMessage().contains("gateway.limits.max-labels-size"));
        assertEquals(1.0, rejected("labels_size"));
    }

    @Test
    void controlCharactersInLabelsNeverInAnnotationsOnlyTabsAndLineBreaks() {
        ObjectNode label = deploymentAlert();
        ((ObjectNode) label.get("labels")).put("k", "a\u0000b");
        assertEquals("alerts[0].labels.k", invalidAlert(label).field());
        ObjectNode newline = deploymentAlert();
        ((ObjectNode) newline.get("labels")).put("k", "a\nb");
        assertEquals("alerts[0].labels.k", invalidAlert(newline).field());

        ObjectNode multiLine = deploymentAlert();
        ((ObjectNode) multiLine.get("annotations")).put("summary", "line 1\n\tline 2\r\n");
        assertNotNull(parse(webhook(multiLine)).get(0).candidate());
        ObjectNode bell = deploymentAlert();
        ((ObjectNode) bell.get("annotations")).put("summary", "ding\u0007");
        assertEquals("alerts[0].annotations.summary", invalidAlert(bell).field());
        ObjectNode c1 = deploymentAlert();
        ((ObjectNode) c1.get("annotations")).put("summary", "next line\u0085");
        assertEquals("alerts[0].annotations.summary", invalidAlert(c1).field());
        assertEquals(4.0, rejected("control_character"));
    }

    @Test
    void annotationCountValueAndSize() {
        ObjectNode three = deploymentAlert();
        ((ObjectNode) three.get("annotations")).put("a", "1").put("b", "2");
        assertEquals("alerts[0].annotations", invalidAlert(three).field());
        assertEquals(1.0, rejected("annotation_count"));
        ObjectNode longValue = deploymentAlert();
        ((ObjectNode) longValue.get("annotations")).put("summary", "s".repeat(31));
        assertEquals("alerts[0].annotations.summary", invalidAlert(longValue).field());
        ObjectNode big = deploymentAlert();
        ((ObjectNode) big.get("annotations")).put("summary", "s".repeat(30)).put("desc", "d".repeat(30));
        assertEquals("alerts[0].annotations", invalidAlert(big).field());
        assertEquals(1.0, rejected("annotations_size"));
    }

    @Test
    void oneAlertOverALimitFailsOnlyItself() {
        ObjectNode bad = alert("alertname", "B", "namespace", "shop", "pod", "web-1");
        ((ObjectNode) bad.get("labels")).put("k", "v".repeat(21));
        List<ParsedItem> items = parse(webhook(deploymentAlert(), bad));
        assertNotNull(items.get(0).candidate());
        assertEquals("alerts[1].labels.k", items.get(1).invalid().field());
    }

    @Test
    void eventLabelsAndMessage() {
        ObjectNode e = event("Warning", "BackOff", "Pod", "shop", "web-1");
        e.put("message", "short");
        ((ObjectNode) e.get("metadata")).putObject("labels").put("app", "a\u0001");
        InvalidSignalException labels = assertThrows(InvalidSignalException.class, () -> events.parse(
                SignalJson.parse(e.toString().getBytes(StandardCharsets.UTF_8)), true));
        assertEquals("metadata.labels.app", labels.field());
        ObjectNode m = event("Warning", "BackOff", "Pod", "shop", "web-1");
        m.put("message", "oops\u001b[31m");
        assertEquals("message", assertThrows(InvalidSignalException.class, () -> events.parse(
                SignalJson.parse(m.toString().getBytes(StandardCharsets.UTF_8)), true)).field());
    }

    @Test
    void aLargeAlertIsStoredShortenedAndMarkedNeverRefused() throws Exception {
        ObjectNode a = deploymentAlert();
        a.put("generatorURL", "http://prometheus/graph?g0.expr=" + "x".repeat(5000));
        SignalCandidate c = parse(webhook(a)).get(0).candidate();
        assertNotNull(c);
        assertTrue(OriginalPayload.utf8(c.originalPayload()) <= 2048);
        JsonNode stored = SignalJson.MAPPER.readTree(c.originalPayload());
        assertTrue(stored.has(OriginalPayload.TRUNCATED));
        assertEquals("A", stored.get("labels").get("alertname").textValue());
        assertEquals(1.0, registry.get("gateway.payloads.truncated").counter().count());
    }

    @Test
    void limitsThatAllowAnRrOverEtcdsRequestLimitAreRefusedAtStartUp() {
        assertTrue(SignalLimits.storedWorstCase(16 * 1024, 64 * 1024, 100 * 1024) < SignalLimits.ETCD_REQUEST_LIMIT,
                "the defaults fit");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SignalLimits(3, 4, 2, 10, 20, 30, 64 * 1024, 160 * 1024, 100 * 1024, new SimpleMeterRegistry()));
        assertTrue(e.getMessage().contains("etcd"), e.getMessage());
    }

    @Test
    void aPayloadCapAboveTheSchemaIsRefusedAtStartUp() {
        assertThrows(IllegalArgumentException.class,
                () -> new SignalLimits(3, 4, 2, 10, 20, 30, 60, 50, 200_000, new SimpleMeterRegistry()));
    }
}
