package ai.kubernaut.gateway.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The {@code originalPayload} of an RR: the alert or event as JSON text, at most a byte cap, and <b>always valid
 * JSON</b>. A larger document is shortened by whole values, never cut mid-token: first the largest string values are
 * shortened to a common length (at a code point, so no character or surrogate pair is split), then, if that is not enough (many small
 * values), whole members and array elements are dropped, trailing ones and the largest first. A shortened payload
 * carries the member {@value #TRUNCATED} = {@code {"originalBytes": n, "shortenedValues": s, "removedValues": r}}
 * (docs/contracts.md); the member is reserved: a sender's own member of that name is not stored.
 */
final class OriginalPayload {

    /** The marker member of a shortened payload (an RR annotation-style key: no sender's field looks like it). */
    static final String TRUNCATED = "kubernaut.ai/truncated";
    /** The smallest cap that always leaves room for the marker. */
    static final int MIN_CAP = 1024;
    /** Strings at most this long (bytes) are not worth shortening: values are dropped instead. */
    private static final int SHORT_STRING = 64;
    /** Each round shortens the longest strings or drops a run of values; far more than real documents need. */
    private static final int MAX_ROUNDS = 256;

    record Capped(String json, boolean truncated) {
    }

    private OriginalPayload() {
    }

    static Capped cap(JsonNode document, int maxBytes) {
        JsonNode doc = document;
        if (doc.isObject() && doc.has(TRUNCATED)) {
            doc = doc.deepCopy();
            ((ObjectNode) doc).remove(TRUNCATED);
        }
        String json = SignalJson.write(doc);
        long original = utf8(json);
        if (original <= maxBytes) {
            return new Capped(json, false);
        }
        ObjectNode copy = doc.isObject() ? (ObjectNode) doc.deepCopy() : JsonNodeFactory.instance.objectNode();
        ObjectNode marker = JsonNodeFactory.instance.objectNode();
        int shortened = 0;
        int removed = doc.isObject() ? 0 : 1;
        for (int round = 0; round < MAX_ROUNDS; round++) {
            marker.put("originalBytes", original).put("shortenedValues", shortened).put("removedValues", removed);
            copy.set(TRUNCATED, marker);
            json = SignalJson.write(copy);
            long excess = utf8(json) - maxBytes;
            if (excess <= 0) {
                return new Capped(json, true);
            }
            copy.remove(TRUNCATED);
            int cut = shortenLongest(copy, excess);
            if (cut > 0) {
                shortened += cut;
            } else {
                int dropped = dropValues(copy, excess);
                if (dropped == 0) {
                    break;
                }
                removed += dropped;
            }
        }
        // not reachable for documents the parsers accept; still valid JSON and marked
        ObjectNode only = JsonNodeFactory.instance.objectNode();
        only.set(TRUNCATED, JsonNodeFactory.instance.objectNode().put("originalBytes", original)
                .put("shortenedValues", shortened).put("removedValues", "all"));
        return new Capped(SignalJson.write(only), true);
    }

    /** The longest prefix of {@code s} of at most {@code maxBytes} UTF-8 bytes that ends between code points. */
    static String cutUtf8(String s, long maxBytes) {
        long bytes = 0;
        int i = 0;
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            int len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + len > maxBytes) {
                break;
            }
            bytes += len;
            i += Character.charCount(cp);
        }
        return s.substring(0, i);
    }

    /**
     * Drops whole values to win back {@code excess} bytes: descends into the largest child while it alone is larger
     * than the excess, then drops, from the end, children of that container until their size covers the excess.
     *
     * @return how many values were dropped (0 when nothing is left to drop)
     */
    private static int dropValues(JsonNode root, long excess) {
        JsonNode node = root;
        while (true) {
            List<Long> sizes = new ArrayList<>();
            int largest = -1;
            int i = 0;
            for (JsonNode child : children(node)) {
                long size = utf8(SignalJson.write(child));
                sizes.add(size);
                if (largest < 0 || size > sizes.get(largest)) {
                    largest = i;
                }
                i++;
            }
            if (sizes.isEmpty()) {
                return 0;
            }
            JsonNode child = child(node, largest);
            if (sizes.get(largest) > excess && child.isContainerNode() && !child.isEmpty()) {
                node = child;
                continue;
            }
            long won = 0;
            int dropped = 0;
            for (int k = sizes.size() - 1; k >= 0 && won < excess; k--) {
                remove(node, k);
                won += sizes.get(k) + 1; // the comma (and, for members, the key) go with it
                dropped++;
            }
            return dropped;
        }
    }

    private static Iterable<JsonNode> children(JsonNode node) {
        if (node.isObject()) {
            List<JsonNode> values = new ArrayList<>();
            node.fields().forEachRemaining(e -> values.add(e.getValue()));
            return values;
        }
        return node.isArray() ? node : List.of();
    }

    private static JsonNode child(JsonNode node, int index) {
        if (node.isArray()) {
            return node.get(index);
        }
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        for (int i = 0; i < index; i++) {
            it.next();
        }
        return it.next().getValue();
    }

    private static void remove(JsonNode node, int index) {
        if (node.isArray()) {
            ((ArrayNode) node).remove(index);
            return;
        }
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        for (int i = 0; i < index; i++) {
            it.next();
        }
        it.next();
        it.remove();
    }

    /** Where a string value sits, to replace it. */
    private record Slot(JsonNode parent, String key, int index, String text, long bytes) {
        void set(String value) {
            if (parent.isObject()) {
                ((ObjectNode) parent).put(key, value);
            } else {
                ((ArrayNode) parent).set(index, JsonNodeFactory.instance.textNode(value));
            }
        }
    }

    /**
     * Cuts every string longer than a threshold down to it, the threshold chosen as high as wins back {@code excess}
     * bytes (never below {@link #SHORT_STRING}): the longest values give way first, in one pass. Cutting n bytes of a
     * value shortens its JSON text by at least n, so one pass is enough unless the strings alone cannot make it.
     *
     * @return how many values were shortened
     */
    private static int shortenLongest(JsonNode root, long excess) {
        List<Slot> strings = new ArrayList<>();
        collectStrings(root, strings);
        long[] sizes = strings.stream().mapToLong(Slot::bytes).toArray();
        long low = SHORT_STRING;
        long high = Arrays.stream(sizes).max().orElse(0);
        if (high <= low) {
            return 0;
        }
        if (over(sizes, low) >= excess) { // the highest threshold that still wins back the excess
            while (low < high) {
                long mid = (low + high + 1) / 2;
                if (over(sizes, mid) >= excess) {
                    low = mid;
                } else {
                    high = mid - 1;
                }
            }
        }
        int cut = 0;
        for (Slot s : strings) {
            if (s.bytes() > low) {
                s.set(cutUtf8(s.text(), low));
                cut++;
            }
        }
        return cut;
    }

    private static long over(long[] sizes, long threshold) {
        long sum = 0;
        for (long s : sizes) {
            sum += Math.max(0, s - threshold);
        }
        return sum;
    }

    private static void collectStrings(JsonNode node, List<Slot> out) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                collect(node, e.getKey(), -1, e.getValue(), out);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                collect(node, null, i, node.get(i), out);
            }
        }
    }

    private static void collect(JsonNode parent, String key, int index, JsonNode value, List<Slot> out) {
        if (value.isTextual()) {
            out.add(new Slot(parent, key, index, value.textValue(), utf8(value.textValue())));
        } else {
            collectStrings(value, out);
        }
    }

    static long utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
