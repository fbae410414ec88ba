package ai.kubernaut.gateway.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import org.junit.jupiter.api.Test;

/**
 * The stored payload is valid JSON within the cap, shortened by whole values only (every string it keeps is a
 * prefix of one of the document's, cut between characters), marked exactly when it was shortened.
 */
class OriginalPayloadTest {

    private static final AtomicInteger TRIED = new AtomicInteger();
    private static final AtomicInteger TRUNCATED = new AtomicInteger();
    private static final String[] UNITS = {"a", "\u00e9", "\u4e2d", "\ud83d\ude00", "\"", "\\", "\n", " "};

    @Property(seed = "20261208")
    void cappedPayloadsAreValidJsonWithinTheCap(@ForAll long seed, @ForAll @IntRange(min = 1024, max = 40_000) int cap)
            throws Exception {
        ObjectNode doc = randomObject(new Random(seed), 0);
        String full = SignalJson.write(doc);
        OriginalPayload.Capped capped = OriginalPayload.cap(doc, cap);
        TRIED.incrementAndGet();
        JsonNode stored = SignalJson.MAPPER.readTree(capped.json());
        assertTrue(OriginalPayload.utf8(capped.json()) <= cap, "over the cap");
        assertEquals(OriginalPayload.utf8(full) > cap, capped.truncated());
        assertEquals(capped.truncated(), stored.has(OriginalPayload.TRUNCATED));
        if (!capped.truncated()) {
            assertEquals(full, capped.json());
            return;
        }
        TRUNCATED.incrementAndGet();
        assertEquals(OriginalPayload.utf8(full), stored.get(OriginalPayload.TRUNCATED).get("originalBytes").asLong());
        Set<String> originals = new HashSet<>();
        strings(doc, originals);
        Set<String> kept = new HashSet<>();
        strings(((ObjectNode) stored).without(OriginalPayload.TRUNCATED), kept);
        for (String s : kept) {
            assertFalse(SignalJson.hasUnpairedSurrogate(s), "a split character");
            assertTrue(originals.contains(s) || originals.stream().anyMatch(o -> o.startsWith(s)),
                    "a value that is no prefix of the document's: " + s);
        }
    }

    @AfterContainer
    static void printCounts() {
        System.out.println("GENERATED payload cases tried: " + TRIED.get() + " (" + TRUNCATED.get() + " truncated)");
    }

    @Test
    void aLongStringIsCutBetweenTheHalvesOfASurrogatePairNever() throws Exception {
        ObjectNode doc = JsonNodeFactory.instance.objectNode();
        doc.put("text", "\ud83d\ude00".repeat(1000)); // 4000 bytes of emoji
        OriginalPayload.Capped capped = OriginalPayload.cap(doc, 2001);
        assertTrue(capped.truncated());
        String text = SignalJson.MAPPER.readTree(capped.json()).get("text").textValue();
        assertFalse(SignalJson.hasUnpairedSurrogate(text));
        assertTrue(text.length() > 0 && text.length() % 2 == 0, "whole emoji kept: " + text.length());
        assertTrue(OriginalPayload.utf8(capped.json()) <= 2001);
    }

    @Test
    void manySmallValuesAreDroppedFromTheEnd() throws Exception {
        ObjectNode doc = JsonNodeFactory.instance.objectNode();
        doc.put("first", "kept");
        ArrayNode numbers = doc.putArray("numbers");
        for (int i = 0; i < 5000; i++) {
            numbers.add(i);
        }
        OriginalPayload.Capped capped = OriginalPayload.cap(doc, 4096);
        JsonNode stored = SignalJson.MAPPER.readTree(capped.json());
        assertEquals("kept", stored.get("first").textValue());
        assertTrue(stored.get("numbers").size() > 100 && stored.get("numbers").size() < 5000);
        assertEquals(0, stored.get("numbers").get(0).asInt(), "the leading elements stay");
        assertTrue(stored.get(OriginalPayload.TRUNCATED).get("removedValues").asInt() > 0);
    }

    @Test
    void aSendersOwnMarkerIsNotStored() throws Exception {
        ObjectNode doc = JsonNodeFactory.instance.objectNode().put("a", "b");
        doc.putObject(OriginalPayload.TRUNCATED).put("originalBytes", 1);
        OriginalPayload.Capped capped = OriginalPayload.cap(doc, 1024);
        assertFalse(capped.truncated());
        assertEquals("{\"a\":\"b\"}", capped.json());
    }

    private static ObjectNode randomObject(Random r, int depth) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        int members = r.nextInt(depth == 0 ? 12 : 6);
        for (int i = 0; i < members; i++) {
            o.set("k" + i + UNITS[r.nextInt(UNITS.length)], randomValue(r, depth + 1));
        }
        return o;
    }

    private static JsonNode randomValue(Random r, int depth) {
        int kind = r.nextInt(depth > 4 ? 3 : 5);
        switch (kind) {
            case 0:
                String unit = UNITS[r.nextInt(UNITS.length)];
                int n = r.nextInt(10) == 0 ? r.nextInt(20_000) : r.nextInt(200);
                return JsonNodeFactory.instance.textNode(unit.repeat(n));
            case 1:
                return JsonNodeFactory.instance.numberNode(r.nextLong());
            case 2:
                return r.nextBoolean() ? JsonNodeFactory.instance.booleanNode(r.nextBoolean())
                        : JsonNodeFactory.instance.nullNode();
            case 3:
                ArrayNode a = JsonNodeFactory.instance.arrayNode();
                int size = r.nextInt(10) == 0 ? r.nextInt(3000) : r.nextInt(8);
                for (int i = 0; i < size; i++) {
                    a.add(randomValue(r, size > 8 ? 5 : depth + 1)); // long arrays hold scalars only
                }
                return a;
            default:
                return randomObject(r, depth);
        }
    }

    private static void strings(JsonNode node, Set<String> out) {
        if (node.isTextual()) {
            out.add(node.textValue());
        }
        for (Iterator<JsonNode> it = node.elements(); it.hasNext();) {
            strings(it.next(), out);
        }
    }

}
