package ai.kubernaut.gateway.ingest.generated;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Generated request bodies for both signal endpoints: valid Alertmanager webhooks and Kubernetes events (random
 * names, labels, annotations, unicode text), and mutations of them (values of the wrong type, huge and unicode
 * strings, control characters, deep nesting, odd numbers, missing and duplicated fields, invalid names, cut text).
 * The same arbitraries drive the parser properties (jqwik engine) and the HTTP edge test (a {@code @QuarkusTest},
 * seeded by hand: jqwik's engine does not run Quarkus tests).
 */
public final class SignalInputs {

    public static final String PROMETHEUS = "prometheus";
    public static final String EVENT = "kubernetes-event";

    /**
     * One generated request.
     *
     * @param endpoint {@link #PROMETHEUS} or {@link #EVENT}
     * @param valid    built to be accepted (2xx); false: it may or may not be (a mutation can leave it valid)
     * @param mutation what was done to the valid body ("" for none), for failure messages
     */
    public record Case(String endpoint, String body, boolean valid, String mutation) {
        @Override
        public String toString() {
            String b = body.length() > 600 ? body.substring(0, 600) + "... (" + body.length() + " chars)" : body;
            return endpoint + (valid ? " valid" : " mutated: " + mutation) + " " + b;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RAW = "@@raw@@";
    /** Bodies above this (chars) are not multiplied further: they are far over the 100 KiB body limit already. */
    private static final int GROWN = 150_000;
    /** Largest body the multiplying mutations aim at (a few MB: over every limit, cheap to send). */
    private static final long MAX_GROWN_BODY = 3_000_000;
    private static final List<String> RESOURCE_LABELS = List.of("deployment", "statefulset", "daemonset",
            "replicaset", "job_name", "pod", "persistentvolumeclaim", "node", "persistentvolume");
    private static final List<String> ODD_NUMBERS = List.of("1e400", "-1e400", "1e-400", "-0", "0.0e0",
            "123456789012345678901234567890123456789", "1E999999999", "-1.5e-999999999", "9007199254740993",
            "1e2147483648", "0.1000000000000000055511151231257827");
    private static final List<String> INVALID_NAMES = List.of("", " ", "Bad_Name", "UPPER", "-lead", "trail-",
            "a..b", "a/b", "..", ".", "x".repeat(300), "name with space", "na\u00efve", "\u0000", "\ud83d\ude00",
            "a\nb", "%2F");

    private SignalInputs() {
    }

    /** Every kind of case, most of them mutated. */
    public static Arbitrary<Case> cases() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(1, validAlertmanager()),
                net.jqwik.api.Tuple.of(1, validEvent()),
                net.jqwik.api.Tuple.of(4, mutated(validAlertmanager())),
                net.jqwik.api.Tuple.of(3, mutated(validEvent())));
    }

    public static Arbitrary<Case> validAlertmanager() {
        // no flatMap: outside jqwik's engine (the edge test's sample stream) every flat-mapped arbitrary's generator
        // is memoized for good, and memory grows with each case
        return alert().list().ofMinSize(1).ofMaxSize(5).map(alerts -> {
            ObjectNode root = JSON.createObjectNode();
            root.put("version", "4");
            root.put("groupKey", "{}:{alertname=\"x\"}");
            root.put("status", "firing");
            root.put("receiver", "kubernaut");
            root.putObject("commonLabels");
            root.put("truncatedAlerts", 0);
            ArrayNode array = root.putArray("alerts");
            alerts.forEach(array::add);
            return new Case(PROMETHEUS, root.toString(), true, "");
        });
    }

    public static Arbitrary<Case> validEvent() {
        return Combinators.combine(dnsLabel(), dnsLabel(), printable(1, 40), text(0, 300),
                Arbitraries.of("Warning", "warning", "Error", "Normal"), Arbitraries.of("Pod", "Deployment", "Node"),
                labels()).as((ns, name, reason, message, type, kind, labels) -> {
                    ObjectNode e = JSON.createObjectNode();
                    e.put("apiVersion", "v1");
                    e.put("kind", "Event");
                    ObjectNode md = e.putObject("metadata");
                    md.put("name", name + ".17a8b9c0d1e2f3a4");
                    md.put("namespace", ns);
                    ObjectNode l = md.putObject("labels");
                    labels.forEach(l::put);
                    e.put("type", type);
                    e.put("reason", reason);
                    e.put("message", message);
                    ObjectNode io = e.putObject("involvedObject");
                    io.put("kind", kind);
                    io.put("namespace", ns);
                    io.put("name", name);
                    e.putObject("source").put("component", "kubelet");
                    e.put("lastTimestamp", Instant.now().toString());
                    e.put("count", 3);
                    return new Case(EVENT, e.toString(), true, "");
                });
    }

    private static Arbitrary<ObjectNode> alert() {
        return Combinators.combine(printable(1, 60), Arbitraries.of(RESOURCE_LABELS), dnsLabel(), dnsLabel(),
                Arbitraries.of("critical", "warning", "info", ""), labels(), annotations(),
                Arbitraries.of("firing", "resolved", "")).as((name, kindLabel, ns, res, sev, extra, annotations, status) -> {
                    ObjectNode a = JSON.createObjectNode();
                    if (!status.isEmpty()) {
                        a.put("status", status);
                    }
                    ObjectNode l = a.putObject("labels");
                    extra.forEach(l::put);
                    l.put("alertname", name);
                    l.put("severity", sev);
                    l.put("namespace", ns);
                    l.put(kindLabel, res);
                    ObjectNode an = a.putObject("annotations");
                    annotations.forEach(an::put);
                    a.put("startsAt", "2024-05-01T10:00:00.123Z");
                    a.put("endsAt", "0001-01-01T00:00:00Z");
                    a.put("fingerprint", "1a2b3c4d5e6f7a8b");
                    return a;
                });
    }

    /** Prometheus-style label names (so that they never collide with the resource labels above). */
    private static Arbitrary<Map<String, String>> labels() {
        return Arbitraries.maps(Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(20)
                .map(s -> "x_" + s), printable(0, 80)).ofMaxSize(8);
    }

    private static Arbitrary<Map<String, String>> annotations() {
        return Arbitraries.maps(Arbitraries.of("summary", "description", "runbook_url", "message"), text(0, 400))
                .ofMaxSize(4);
    }

    /** A DNS-1123 label: a valid namespace and a valid name of every kind generated. */
    private static Arbitrary<String> dnsLabel() {
        return Arbitraries.strings().withCharRange('a', 'z').numeric().ofMinLength(1).ofMaxLength(20)
                .map(s -> "n" + s);
    }

    /** Printable text without control characters: ASCII, Latin, CJK, emoji (surrogate pairs). */
    private static Arbitrary<String> printable(int min, int max) {
        return Arbitraries.strings().withCharRange(' ', '~').withCharRange('\u00a0', '\u00ff')
                .withCharRange('\u4e00', '\u4e40').withChars("\ud83d\ude00\ud83d\udd25").ofMinLength(min)
                .ofMaxLength(max).filter(SignalInputs::noSplitPair).map(s -> s.isBlank() && min > 0 ? "a" + s : s);
    }

    /** Like {@link #printable} plus line breaks and tabs (multi-line annotations and messages). */
    private static Arbitrary<String> text(int min, int max) {
        return Arbitraries.strings().withCharRange(' ', '~').withChars("\n\t\u00e9\u4e2d\ud83d\ude00")
                .ofMinLength(min).ofMaxLength(max).filter(SignalInputs::noSplitPair);
    }

    private static boolean noSplitPair(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    /** One to three mutations of a valid case; each chosen by a seed the arbitrary draws. */
    public static Arbitrary<Case> mutated(Arbitrary<Case> valid) {
        return Combinators.combine(valid, Arbitraries.longs(), Arbitraries.integers().between(1, 3))
                .as((c, seed, count) -> {
                    Random random = new Random(seed);
                    String body = c.body();
                    List<String> done = new ArrayList<>();
                    for (int i = 0; i < count; i++) {
                        Mutation m = Mutation.values()[random.nextInt(Mutation.values().length)];
                        body = m.apply(body, random);
                        done.add(m.name());
                    }
                    return new Case(c.endpoint(), body, false, String.join("+", done));
                });
    }

    enum Mutation {
        WRONG_TYPE {
            @Override
            String apply(String body, Random r) {
                return onTree(body, r, (parent, key) -> set(parent, key, pick(r, List.of(
                        JsonNodeFactory.instance.numberNode(r.nextInt()), JsonNodeFactory.instance.booleanNode(true),
                        JsonNodeFactory.instance.nullNode(), JsonNodeFactory.instance.arrayNode().add("x"),
                        JsonNodeFactory.instance.objectNode().put("a", "b"), JsonNodeFactory.instance.textNode("")))));
            }
        },
        REMOVE_FIELD {
            @Override
            String apply(String body, Random r) {
                return onTree(body, r, (parent, key) -> {
                    if (parent instanceof ObjectNode o) {
                        o.remove(key);
                    } else {
                        ((ArrayNode) parent).remove(Integer.parseInt(key));
                    }
                });
            }
        },
        HUGE_STRING {
            @Override
            String apply(String body, Random r) {
                int length = pick(r, List.of(300, 1100, 17_000, 70_000, 130_000));
                String unit = pick(r, List.of("a", "\u00e9", "\u4e2d", "\ud83d\ude00", "\"", "\\"));
                return onTree(body, r, (parent, key) -> set(parent, key,
                        JsonNodeFactory.instance.textNode(unit.repeat(Math.max(1, length / unit.length())))));
            }
        },
        ODD_STRING {
            @Override
            String apply(String body, Random r) {
                if (r.nextBoolean()) { // as escapes in the JSON text: lone surrogates, NUL
                    return raw(body, r, pick(r, List.of("\"\\ud800\"", "\"x\\udc00\"", "\"\\ud83d\\ud83d\"",
                            "\"\\u0000\"", "\"\\ud83d\\ude00\"")));
                }
                String s = pick(r, List.of("\u0000", "a\u0007b", "\u007f", "\u0085", "\u202e\u200b", "\ufeff", "\r\n",
                        "\t", "\\", "\"", "\u2028"));
                return onTree(body, r, (parent, key) -> set(parent, key, JsonNodeFactory.instance.textNode(s)));
            }
        },
        INVALID_NAME {
            @Override
            String apply(String body, Random r) {
                String name = pick(r, INVALID_NAMES);
                JsonNode root = read(body);
                if (root == null) {
                    return body;
                }
                List<ObjectNode> targets = new ArrayList<>();
                root.findParents("namespace").forEach(n -> targets.add((ObjectNode) n));
                root.findParents("name").forEach(n -> targets.add((ObjectNode) n));
                root.findParents("alertname").forEach(n -> targets.add((ObjectNode) n));
                root.findParents("pod").forEach(n -> targets.add((ObjectNode) n));
                if (targets.isEmpty()) {
                    return body;
                }
                ObjectNode t = pick(r, targets);
                String field = pick(r, List.of("namespace", "name", "alertname", "pod"));
                if (t.has(field)) {
                    t.put(field, name);
                }
                return root.toString();
            }
        },
        DEEP_NESTING {
            @Override
            String apply(String body, Random r) {
                int depth = pick(r, List.of(20, 31, 33, 200, 5000));
                String open = r.nextBoolean() ? "[" : "{\"a\":";
                String close = open.equals("[") ? "]" : "}";
                return raw(body, r, open.repeat(depth) + "1" + close.repeat(depth));
            }
        },
        ODD_NUMBER {
            @Override
            String apply(String body, Random r) {
                return raw(body, r, pick(r, ODD_NUMBERS));
            }
        },
        DUPLICATE_FIELD {
            @Override
            String apply(String body, Random r) {
                JsonNode root = read(body);
                if (root == null) {
                    return body;
                }
                List<JsonNode> objects = new ArrayList<>();
                collect(root, objects);
                List<JsonNode> nonEmpty = objects.stream().filter(o -> o.isObject() && !o.isEmpty()).toList();
                if (nonEmpty.isEmpty()) {
                    return body;
                }
                ObjectNode o = (ObjectNode) pick(r, nonEmpty);
                String key = o.fieldNames().next();
                o.put(RAW, "dup");
                return root.toString().replace("\"" + RAW + "\"", JSON.getNodeFactory().textNode(key).toString());
            }
        },
        CUT_TEXT {
            @Override
            String apply(String body, Random r) {
                return body.isEmpty() ? body : body.substring(0, r.nextInt(body.length()));
            }
        },
        EDIT_BYTE {
            @Override
            String apply(String body, Random r) {
                if (body.isEmpty()) {
                    return "{";
                }
                int at = r.nextInt(body.length());
                String c = pick(r, List.of("{", "}", "[", "]", "\"", ",", ":", "\\", "0", " ", "\u00e9"));
                return body.substring(0, at) + c + body.substring(Math.min(body.length(), at + (r.nextBoolean() ? 1 : 0)));
            }
        },
        MANY_ALERTS {
            @Override
            String apply(String body, Random r) {
                if (body.length() > GROWN) { // 300 copies of a huge string would be gigabytes: over the limit anyway
                    return body;
                }
                JsonNode root = read(body);
                if (root == null || !root.path("alerts").isArray() || root.path("alerts").isEmpty()) {
                    return body;
                }
                ArrayNode alerts = (ArrayNode) root.get("alerts");
                int n = pick(r, List.of(63, 64, 65, 300));
                if ((long) body.length() * n > MAX_GROWN_BODY) {
                    n = 65; // one over the limit, without a body of many megabytes
                }
                JsonNode first = alerts.get(0);
                while (alerts.size() < n) {
                    alerts.add(first.deepCopy());
                }
                return root.toString();
            }
        },
        MANY_LABELS {
            @Override
            String apply(String body, Random r) {
                if (body.length() > GROWN) {
                    return body;
                }
                JsonNode root = read(body);
                if (root == null) {
                    return body;
                }
                List<JsonNode> maps = new ArrayList<>(root.findValues("labels"));
                maps.addAll(root.findValues("annotations"));
                List<JsonNode> objects = maps.stream().filter(JsonNode::isObject).toList();
                if (objects.isEmpty()) {
                    return body;
                }
                ObjectNode m = (ObjectNode) pick(r, objects);
                int n = pick(r, List.of(64, 70, 200));
                String value = "v".repeat(pick(r, List.of(1, 300, 1025, 17_000)));
                for (int i = m.size(); i < n; i++) {
                    m.put("k" + i, value);
                }
                return root.toString();
            }
        };

        abstract String apply(String body, Random r);
    }

    interface Edit {
        void at(JsonNode parent, String key);
    }

    /** Applies {@code edit} at a random member or element of the parsed body (unchanged when it does not parse). */
    private static String onTree(String body, Random r, Edit edit) {
        JsonNode root = read(body);
        if (root == null || !root.isContainerNode()) {
            return body;
        }
        List<JsonNode> containers = new ArrayList<>();
        collect(root, containers);
        List<JsonNode> nonEmpty = containers.stream().filter(n -> !n.isEmpty()).toList();
        if (nonEmpty.isEmpty()) {
            return body;
        }
        JsonNode parent = pick(r, nonEmpty);
        String key;
        if (parent.isObject()) {
            List<String> keys = new ArrayList<>();
            parent.fieldNames().forEachRemaining(keys::add);
            key = pick(r, keys);
        } else {
            key = Integer.toString(r.nextInt(parent.size()));
        }
        edit.at(parent, key);
        return root.toString();
    }

    /** Replaces a random value by {@code literal}, written as is into the JSON text. */
    private static String raw(String body, Random r, String literal) {
        String marked = onTree(body, r, (parent, key) -> set(parent, key, JsonNodeFactory.instance.textNode(RAW)));
        return marked.replace("\"" + RAW + "\"", literal);
    }

    private static void set(JsonNode parent, String key, JsonNode value) {
        if (parent instanceof ObjectNode o) {
            o.set(key, value);
        } else {
            ((ArrayNode) parent).set(Integer.parseInt(key), value);
        }
    }

    private static void collect(JsonNode node, List<JsonNode> out) {
        if (node.isContainerNode()) {
            out.add(node);
            for (Iterator<JsonNode> it = node.elements(); it.hasNext();) {
                collect(it.next(), out);
            }
        }
    }

    private static JsonNode read(String body) {
        try {
            return JSON.readTree(body);
        } catch (Exception e) {
            return null;
        }
    }

    private static <T> T pick(Random r, List<T> from) {
        return from.get(r.nextInt(from.size()));
    }
}
