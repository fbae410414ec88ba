package ai.kubernaut.gateway.ingest;

import static ai.kubernaut.gateway.ingest.testing.Payloads.event;
import static ai.kubernaut.gateway.ingest.testing.Payloads.podAlert;
import static ai.kubernaut.gateway.ingest.testing.Payloads.webhook;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.kubernaut.gateway.ingest.testing.IngestTestProfile;
import ai.kubernaut.gateway.ingest.testing.Payloads;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A few hundred malformed payloads from seeded random mutations of valid ones: truncations, byte edits, values
 * of the wrong type, removed fields, huge strings, deep nesting. None may produce a 5xx; an answer that rejects
 * the payload must not have called the recorder; nothing may appear in the cluster.
 */
@QuarkusTest
@TestProfile(IngestTestProfile.class)
class MalformedPayloadFuzzTest extends IngestTestBase {

    private static final long SEED = 20240501L;
    private static final int CASES = 400;
    private static final String EDIT_CHARS = "{}[]\",:\\0x \u0000\u00e9\ud83d";

    @Test
    void malformedPayloadsNeverCause5xxNorRecording() throws Exception {
        Random random = new Random(SEED);
        Map<Integer, Integer> statusCounts = new TreeMap<>();
        for (int i = 0; i < CASES; i++) {
            boolean prometheus = random.nextBoolean();
            ObjectNode valid = prometheus
                    ? webhook(podAlert("KubePodCrashLooping", "demo", "fuzz-" + i),
                            podAlert("KubePodNotReady", "demo", "fuzz-" + i + "-b"))
                    : event("Warning", "BackOff", "Pod", "demo", "fuzz-" + i);
            if (prometheus && random.nextBoolean()) {
                ((ArrayNode) valid.get("alerts")).remove(1);
            }
            String mutation = mutate(valid, random);
            int before = recorder.seen().size();
            Response r = sender().body(mutation).post(prometheus ? PROMETHEUS : EVENTS);
            int status = r.statusCode();
            statusCounts.merge(status, 1, Integer::sum);
            int recorded = recorder.seen().size() - before;
            String context = "case " + i + " (seed " + SEED + "): HTTP " + status + " for " + abbreviate(mutation)
                    + " -> " + abbreviate(r.asString());
            if (status >= 500) {
                fail("5xx: " + context);
            }
            switch (status) {
                case 201, 202 -> assertEquals(1, recorded, context);
                case 207 -> {
                    JsonNode summary = Payloads.JSON.readTree(r.asString()).get("summary");
                    assertEquals(summary.get("created").asInt() + summary.get("deduplicated").asInt(), recorded,
                            context);
                }
                case 200 -> assertEquals(0, recorded, context);
                default -> {
                    assertTrue(status == 400 || status == 413, context);
                    assertEquals(0, recorded, context);
                    assertEquals("application/problem+json", r.contentType(), context);
                }
            }
        }
        assertTrue(statusCounts.getOrDefault(400, 0) > CASES / 2, "most mutations must be rejected: " + statusCounts);
        assertTrue(cluster.resources(ai.kubernaut.gateway.model.RemediationRequest.class).inAnyNamespace().list()
                .getItems().isEmpty());
        System.out.println("fuzz status counts: " + statusCounts);
    }

    private static String mutate(ObjectNode valid, Random random) {
        String text = valid.toString();
        switch (random.nextInt(8)) {
            case 0: // truncation
                return text.substring(0, random.nextInt(text.length()));
            case 1: { // byte edits
                StringBuilder sb = new StringBuilder(text);
                int edits = 1 + random.nextInt(4);
                for (int e = 0; e < edits; e++) {
                    int at = random.nextInt(sb.length());
                    char c = EDIT_CHARS.charAt(random.nextInt(EDIT_CHARS.length()));
                    switch (random.nextInt(3)) {
                        case 0 -> sb.setCharAt(at, c);
                        case 1 -> sb.insert(at, c);
                        default -> sb.deleteCharAt(at);
                    }
                }
                return sb.toString();
            }
            case 2: // a value of the wrong type
                replaceRandomValue(valid, random, wrongType(random));
                return valid.toString();
            case 3: // a required-looking field removed
                removeRandomField(valid, random);
                return valid.toString();
            case 4: // a huge string (below the body limit)
                replaceRandomValue(valid, random, Payloads.JSON.getNodeFactory().textNode("x".repeat(60_000)));
                return valid.toString();
            case 5: { // deep nesting
                JsonNode deep = Payloads.JSON.getNodeFactory().textNode("bottom");
                int depth = 20 + random.nextInt(200);
                for (int d = 0; d < depth; d++) {
                    ArrayNode wrap = Payloads.JSON.createArrayNode();
                    wrap.add(deep);
                    deep = wrap;
                }
                replaceRandomValue(valid, random, deep);
                return valid.toString();
            }
            case 6: { // several wrong types at once
                for (int k = 0; k < 3; k++) {
                    replaceRandomValue(valid, random, wrongType(random));
                }
                return valid.toString();
            }
            default: // not JSON at all
                byte[] noise = new byte[1 + random.nextInt(200)];
                random.nextBytes(noise);
                return new String(noise, java.nio.charset.StandardCharsets.ISO_8859_1);
        }
    }

    private static JsonNode wrongType(Random random) {
        var f = Payloads.JSON.getNodeFactory();
        return switch (random.nextInt(6)) {
            case 0 -> f.numberNode(random.nextInt());
            case 1 -> f.booleanNode(true);
            case 2 -> f.nullNode();
            case 3 -> f.arrayNode().add(1).add("two");
            case 4 -> f.objectNode().put("unexpected", "object");
            default -> f.textNode("");
        };
    }

    /** Replaces the value of a random field anywhere in the tree. */
    private static void replaceRandomValue(JsonNode root, Random random, JsonNode replacement) {
        List<Object[]> slots = new ArrayList<>();
        collect(root, slots);
        Object[] slot = slots.get(random.nextInt(slots.size()));
        if (slot[0] instanceof ObjectNode o) {
            o.set((String) slot[1], replacement);
        } else {
            ((ArrayNode) slot[0]).set((Integer) slot[1], replacement);
        }
    }

    private static void removeRandomField(JsonNode root, Random random) {
        List<Object[]> slots = new ArrayList<>();
        collect(root, slots);
        slots.removeIf(s -> !(s[0] instanceof ObjectNode));
        Object[] slot = slots.get(random.nextInt(slots.size()));
        ((ObjectNode) slot[0]).remove((String) slot[1]);
    }

    private static void collect(JsonNode node, List<Object[]> slots) {
        if (node instanceof ObjectNode o) {
            for (Iterator<String> it = o.fieldNames(); it.hasNext();) {
                String name = it.next();
                slots.add(new Object[] {o, name});
                collect(o.get(name), slots);
            }
        } else if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                slots.add(new Object[] {a, i});
                collect(a.get(i), slots);
            }
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "...(" + s.length() + " chars)" : s;
    }
}
