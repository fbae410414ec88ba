package ai.kubernaut.gateway.ingest;

import static ai.kubernaut.gateway.ingest.testing.Payloads.alert;
import static ai.kubernaut.gateway.ingest.testing.Payloads.event;
import static ai.kubernaut.gateway.ingest.testing.Payloads.podAlert;
import static ai.kubernaut.gateway.ingest.testing.Payloads.webhook;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.gateway.ingest.testing.IngestTestCluster;
import ai.kubernaut.gateway.ingest.testing.IngestTestProfile;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ValidatableResponse;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every 4xx answer is RFC 7807 problem+json, names what was wrong, and leaves nothing behind. */
@QuarkusTest
@TestProfile(IngestTestProfile.class)
class BadRequestTest extends IngestTestBase {

    @TestHTTPResource("/")
    URI base;

    @AfterEach
    void nothingWasRecordedOrCreated() {
        assertNothingRecordedOrCreated();
    }

    static Stream<Arguments> invalidPayloads() {
        ObjectNode noName = webhook(alert("severity", "critical", "namespace", "demo", "pod", "web-1"));
        ObjectNode noNamespace = webhook(alert("alertname", "A", "pod", "web-1"));
        ObjectNode namespaceOnly = webhook(alert("alertname", "A", "namespace", "demo"));
        ObjectNode badPod = webhook(alert("alertname", "A", "namespace", "demo", "pod", "Web_1"));
        ObjectNode badNamespace = webhook(alert("alertname", "A", "namespace", "Demo", "pod", "web-1"));
        ObjectNode numberLabel = webhook(podAlert("A", "demo", "web-1"));
        ((ObjectNode) numberLabel.get("alerts").get(0).get("labels")).put("severity", 3);
        ObjectNode badStartsAt = webhook(podAlert("A", "demo", "web-1"));
        ((ObjectNode) badStartsAt.get("alerts").get(0)).put("startsAt", "yesterday");
        ObjectNode badStatus = webhook(podAlert("A", "demo", "web-1"));
        ((ObjectNode) badStatus.get("alerts").get(0)).put("status", "pending");
        ObjectNode emptyAlerts = webhook();
        ObjectNode noAlerts = webhook(podAlert("A", "demo", "web-1"));
        noAlerts.remove("alerts");
        ObjectNode alertsObject = webhook();
        alertsObject.putObject("alerts");
        ObjectNode alertNotObject = webhook();
        alertNotObject.putArray("alerts").add("x");
        ObjectNode labelsMissing = webhook(podAlert("A", "demo", "web-1"));
        ((ObjectNode) labelsMissing.get("alerts").get(0)).remove("labels");
        ObjectNode commonLabelsArray = webhook(podAlert("A", "demo", "web-1"));
        commonLabelsArray.putArray("commonLabels");
        ObjectNode longName = webhook(podAlert("A".repeat(300), "demo", "web-1"));
        ObjectNode controlChars = webhook(podAlert("A\u0000B", "demo", "web-1"));
        ObjectNode manyLabels = webhook(podAlert("A", "demo", "web-1"));
        for (int i = 0; i < 64; i++) {
            ((ObjectNode) manyLabels.get("alerts").get(0).get("labels")).put("l" + i, "v");
        }
        ObjectNode longLabel = webhook(podAlert("A", "demo", "web-1"));
        ((ObjectNode) longLabel.get("alerts").get(0).get("labels")).put("url", "u".repeat(1025));
        ObjectNode controlLabel = webhook(podAlert("A", "demo", "web-1"));
        ((ObjectNode) controlLabel.get("alerts").get(0).get("labels")).put("container", "app\r\n");
        ObjectNode bigAnnotations = webhook(podAlert("A", "demo", "web-1"));
        for (int i = 0; i < 5; i++) {
            ((ObjectNode) bigAnnotations.get("alerts").get(0).get("annotations")).put("a" + i, "d".repeat(16_000));
        }

        ObjectNode noInvolved = event("Warning", "BackOff", "Pod", "demo", "db-0");
        noInvolved.remove("involvedObject");
        ObjectNode noKind = event("Warning", "BackOff", "Pod", "demo", "db-0");
        ((ObjectNode) noKind.get("involvedObject")).remove("kind");
        ObjectNode noObjName = event("Warning", "BackOff", "Pod", "demo", "db-0");
        ((ObjectNode) noObjName.get("involvedObject")).remove("name");
        ObjectNode noReason = event("Warning", "BackOff", "Pod", "demo", "db-0");
        noReason.remove("reason");
        ObjectNode eventNoNamespace = event("Warning", "BackOff", "Pod", "demo", "db-0");
        ((ObjectNode) eventNoNamespace.get("involvedObject")).remove("namespace");
        ((ObjectNode) eventNoNamespace.get("metadata")).remove("namespace");
        ObjectNode staleEvent = event("Warning", "BackOff", "Pod", "demo", "db-0");
        staleEvent.put("lastTimestamp", Instant.now().minusSeconds(3600).toString());
        ObjectNode futureEvent = event("Warning", "BackOff", "Pod", "demo", "db-0");
        futureEvent.put("lastTimestamp", Instant.now().plusSeconds(3600).toString());
        ObjectNode badKind = event("Warning", "BackOff", "Pod", "demo", "db-0");
        ((ObjectNode) badKind.get("involvedObject")).put("kind", "Pod/../Secret");

        return Stream.of(
                Arguments.of("malformed JSON", PROMETHEUS, "{\"alerts\": [", "body", "malformed JSON"),
                Arguments.of("empty body", PROMETHEUS, "", "body", "empty"),
                Arguments.of("trailing garbage", PROMETHEUS, webhook(podAlert("A", "demo", "w")) + "x", "body",
                        "malformed JSON"),
                Arguments.of("duplicate keys", PROMETHEUS, "{\"alerts\":[],\"alerts\":[]}", "body", "Duplicate"),
                Arguments.of("array root", PROMETHEUS, "[]", "body", "must be a JSON object"),
                Arguments.of("string root", PROMETHEUS, "\"hello\"", "body", "must be a JSON object"),
                Arguments.of("no alerts", PROMETHEUS, noAlerts.toString(), "alerts", "is required"),
                Arguments.of("empty alerts", PROMETHEUS, emptyAlerts.toString(), "alerts", "at least one alert"),
                Arguments.of("alerts not an array", PROMETHEUS, alertsObject.toString(), "alerts", "must be an array"),
                Arguments.of("alert not an object", PROMETHEUS, alertNotObject.toString(), "alerts[0]",
                        "must be a JSON object"),
                Arguments.of("labels missing", PROMETHEUS, labelsMissing.toString(), "alerts[0].labels", "is required"),
                Arguments.of("commonLabels not an object", PROMETHEUS, commonLabelsArray.toString(), "commonLabels",
                        "must be a JSON object"),
                Arguments.of("alertname missing", PROMETHEUS, noName.toString(), "alerts[0].labels.alertname",
                        "is required"),
                Arguments.of("alertname too long", PROMETHEUS, longName.toString(), "alerts[0].labels.alertname",
                        "longer than 253"),
                Arguments.of("control characters", PROMETHEUS, controlChars.toString(),
                        "alerts[0].labels.alertname", "control characters"),
                Arguments.of("too many labels", PROMETHEUS, manyLabels.toString(), "alerts[0].labels",
                        "gateway.limits.max-labels"),
                Arguments.of("label value too long", PROMETHEUS, longLabel.toString(), "alerts[0].labels.url",
                        "gateway.limits.max-label-value-length"),
                Arguments.of("line break in a label", PROMETHEUS, controlLabel.toString(), "alerts[0].labels.container",
                        "control characters"),
                Arguments.of("annotations too large", PROMETHEUS, bigAnnotations.toString(), "alerts[0].annotations",
                        "gateway.limits.max-annotations-size"),
                // found by ParserPropertiesTest: it reached the stored labels and payload
                Arguments.of("unpaired surrogate", PROMETHEUS, webhook(podAlert("A", "demo", "web-1")).toString()
                        .replace("\"critical\"", "\"crit\\udc00\""), "alerts[0].labels.severity",
                        "unpaired UTF-16 surrogate"),
                Arguments.of("namespace missing", PROMETHEUS, noNamespace.toString(), "alerts[0].labels.namespace",
                        "required for a Pod"),
                Arguments.of("namespace is not a resource", PROMETHEUS, namespaceOnly.toString(), "alerts[0].labels",
                        "a namespace alone is not a resource"),
                Arguments.of("invalid pod name", PROMETHEUS, badPod.toString(), "alerts[0].labels.pod",
                        "DNS-1123 subdomain"),
                Arguments.of("invalid namespace", PROMETHEUS, badNamespace.toString(), "alerts[0].labels.namespace",
                        "DNS-1123 label"),
                Arguments.of("label of wrong type", PROMETHEUS, numberLabel.toString(), "alerts[0].labels.severity",
                        "must be a string"),
                Arguments.of("bad startsAt", PROMETHEUS, badStartsAt.toString(), "alerts[0].startsAt", "RFC 3339"),
                Arguments.of("bad status", PROMETHEUS, badStatus.toString(), "alerts[0].status", "firing or resolved"),
                Arguments.of("event without involvedObject", EVENTS, noInvolved.toString(), "involvedObject",
                        "is required"),
                Arguments.of("event without kind", EVENTS, noKind.toString(), "involvedObject.kind", "is required"),
                Arguments.of("event without object name", EVENTS, noObjName.toString(), "involvedObject.name",
                        "is required"),
                Arguments.of("event without reason", EVENTS, noReason.toString(), "reason", "is required"),
                Arguments.of("event of unknown type", EVENTS, event("Info", "X", "Pod", "demo", "a").toString(), "type",
                        "not an event type"),
                Arguments.of("event without namespace", EVENTS, eventNoNamespace.toString(), "involvedObject.namespace",
                        "required for kind Pod"),
                Arguments.of("event with invalid kind", EVENTS, badKind.toString(), "involvedObject.kind",
                        "not a valid kind"),
                Arguments.of("stale event", EVENTS, staleEvent.toString(), "lastTimestamp", "older than"),
                Arguments.of("event from the future", EVENTS, futureEvent.toString(), "lastTimestamp", "newer than"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidPayloads")
    void invalidPayloadsAre400NamingTheField(String name, String path, String body, String field, String detail) {
        problem(sender().body(body).post(path).then(), 400, path)
                .body("field", equalTo(field))
                .body("detail", containsString(field))
                .body("detail", containsString(detail));
    }

    @Test
    void moreAlertsThanTheLimitIs413NamingTheKnob() {
        ObjectNode[] alerts = new ObjectNode[65];
        for (int i = 0; i < alerts.length; i++) {
            alerts[i] = podAlert("A", "demo", "web-" + i);
        }
        problem(sender().body(webhook(alerts).toString()).post(PROMETHEUS).then(), 413, PROMETHEUS)
                .body("type", equalTo("https://kubernaut.ai/problems/too-many-alerts"))
                .body("field", equalTo("alerts"))
                .body("detail", containsString("65 alerts, more than 64 (gateway.limits.max-alerts)"));
    }

    @Test
    void staleOrMalformedTimestampHeaderIs400() {
        String body = webhook(podAlert("A", "demo", "web-1")).toString();
        problem(sender().header("X-Timestamp", Long.toString(Instant.now().getEpochSecond() - 600)).body(body)
                .post(PROMETHEUS).then(), 400, PROMETHEUS)
                .body("type", equalTo("https://kubernaut.ai/problems/replay-window"))
                .body("field", equalTo("X-Timestamp"));
        problem(sender().header("X-Timestamp", "tuesday").body(body).post(PROMETHEUS).then(), 400, PROMETHEUS)
                .body("field", equalTo("X-Timestamp")).body("detail", containsString("RFC 3339"));
        problem(sender().header("X-Timestamp", Instant.now().plusSeconds(900).toString()).body(body)
                .post(PROMETHEUS).then(), 400, PROMETHEUS).body("detail", containsString("newer than"));
    }

    @Test
    void freshTimestampHeaderIsAcceptedAndOverridesEventTimes() {
        ObjectNode staleEvent = event("Warning", "BackOff", "Pod", "demo", "db-0");
        staleEvent.put("lastTimestamp", "2020-01-01T00:00:00Z");
        sender().header("X-Timestamp", Instant.now().toString()).body(staleEvent.toString()).post(EVENTS).then()
                .statusCode(201);
        sender().header("X-Timestamp", Long.toString(Instant.now().getEpochSecond())).body(
                webhook(podAlert("A", "demo", "web-1")).toString()).post(PROMETHEUS).then().statusCode(201);
        assertEquals(2, recorder.seen().size());
        recorder.reset();
    }

    @Test
    void wrongMethodIs405() {
        problem(sender().get(PROMETHEUS).then(), 405, PROMETHEUS)
                .header("Allow", containsString("POST"));
        problem(sender().body("{}").put(EVENTS).then(), 405, EVENTS);
        problem(sender().delete(PROMETHEUS).then(), 405, PROMETHEUS);
    }

    @Test
    void unknownPathsAre404() {
        problem(sender().body("{}").post("/api/v1/signals/datadog").then(), 404, "/api/v1/signals/datadog");
        problem(given().get("/nothing/here").then(), 404, "/nothing/here");
    }

    @Test
    void nonJsonIs415() {
        problem(given().header("Authorization", "Bearer " + IngestTestCluster.SENDER_TOKEN)
                .contentType("text/plain").body("alertname=A").post(PROMETHEUS).then(), 415, PROMETHEUS)
                .body("detail", containsString("text/plain"));
        problem(given().header("Authorization", "Bearer " + IngestTestCluster.SENDER_TOKEN)
                .contentType("application/x-www-form-urlencoded").formParam("a", "b").post(EVENTS).then(), 415, EVENTS);
    }

    @Test
    void missingContentTypeIsReadAsJsonAndJsonWithCharsetIsFine() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(base.resolve(PROMETHEUS))
                .header("Authorization", "Bearer " + IngestTestCluster.SENDER_TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString(webhook(podAlert("A", "demo", "ct-1")).toString())).build(),
                HttpResponse.BodyHandlers.ofString());
        // no declared type is not a declared non-JSON type: the body must still parse as JSON
        assertEquals(201, r.statusCode(), r.body());
        HttpResponse<String> garbage = client.send(HttpRequest.newBuilder(base.resolve(PROMETHEUS))
                .header("Authorization", "Bearer " + IngestTestCluster.SENDER_TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString("alertname=A")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, garbage.statusCode(), garbage.body());
        assertEquals("application/problem+json", garbage.headers().firstValue("Content-Type").orElse(""));
        HttpResponse<String> ok = client.send(HttpRequest.newBuilder(base.resolve(PROMETHEUS))
                .header("Authorization", "Bearer " + IngestTestCluster.SENDER_TOKEN)
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(webhook(podAlert("A", "demo", "ct-2")).toString())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, ok.statusCode(), ok.body());
        recorder.reset();
    }

    @Test
    void declaredBodyOverTheLimitIs413BeforeReading() throws Exception {
        byte[] big = bigWebhook(150 * 1024);
        HttpResponse<String> r = send(HttpRequest.BodyPublishers.ofByteArray(big));
        assertProblem(r, 413);
    }

    @Test
    void chunkedBodyOverTheLimitIs413WhileReading() throws Exception {
        byte[] big = bigWebhook(100 * 1024 + 512);
        HttpResponse<String> r = send(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big)));
        assertProblem(r, 413);
    }

    @Test
    void bodyJustUnderTheLimitIsRead() throws Exception {
        byte[] ok = bigWebhook(100 * 1024 - 64);
        assertTrue(ok.length <= 100 * 1024);
        HttpResponse<String> r = send(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(ok)));
        assertEquals(201, r.statusCode(), r.body());
        assertEquals(1, recorder.seen().size());
        recorder.reset();
    }

    private HttpResponse<String> send(HttpRequest.BodyPublisher body) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        return client.send(HttpRequest.newBuilder(base.resolve(PROMETHEUS))
                .header("Authorization", "Bearer " + IngestTestCluster.SENDER_TOKEN)
                .header("Content-Type", "application/json")
                .POST(body).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertProblem(HttpResponse<String> r, int status) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse(""));
        JsonNode p = new ObjectMapper().readTree(r.body());
        assertEquals(status, p.get("status").asInt());
        assertEquals("https://kubernaut.ai/problems/payload-too-large", p.get("type").asText());
        assertTrue(p.get("detail").asText().contains("102400 bytes"), p.toString());
        assertEquals(PROMETHEUS, p.get("instance").asText());
    }

    /** A valid webhook padded with a long annotation to about {@code size} bytes. */
    private static byte[] bigWebhook(int size) {
        ObjectNode body = webhook(podAlert("A", "demo", "web-1"));
        int base = body.toString().getBytes(StandardCharsets.UTF_8).length + "\"pad\":\"\",".length();
        // an unknown envelope member: the alert itself stays inside the gateway.limits.* bounds
        body.put("pad", "x".repeat(size - base));
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        assertEquals(size, bytes.length);
        return bytes;
    }

    static ValidatableResponse problem(ValidatableResponse r, int status, String instance) {
        return r.statusCode(status)
                .contentType("application/problem+json")
                .body("type", startsWith("https://kubernaut.ai/problems/"))
                .body("title", org.hamcrest.Matchers.not(org.hamcrest.Matchers.emptyOrNullString()))
                .body("status", equalTo(status))
                .body("detail", org.hamcrest.Matchers.not(org.hamcrest.Matchers.emptyOrNullString()))
                .body("instance", equalTo(instance));
    }
}
