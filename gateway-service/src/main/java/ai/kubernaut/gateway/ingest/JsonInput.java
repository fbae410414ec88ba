package ai.kubernaut.gateway.ingest;

import ai.kubernaut.gateway.fingerprint.KubernetesNames;
import ai.kubernaut.gateway.signal.InvalidSignalException;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Typed reads from a JSON tree that name the offending field on failure. JSON {@code null} counts as absent;
 * fields nobody asks for are ignored.
 */
final class JsonInput {

    /** Go's zero time, which Alertmanager and Kubernetes send for "not set". */
    private static final Instant GO_ZERO_TIME = Instant.parse("0001-01-01T00:00:00Z");

    private JsonInput() {
    }

    static String path(String parent, String name) {
        return parent.isEmpty() ? name : parent + "." + name;
    }

    static JsonNode requireObject(JsonNode node, String field) {
        if (node == null || !node.isObject()) {
            throw new InvalidSignalException(field.isEmpty() ? "body" : field,
                    "must be a JSON object, got " + typeOf(node));
        }
        return node;
    }

    /** @return the object member, or null when absent or null */
    static JsonNode optionalObject(JsonNode parent, String name, String parentPath) {
        JsonNode v = parent.get(name);
        if (v == null || v.isNull()) {
            return null;
        }
        return requireObject(v, path(parentPath, name));
    }

    static JsonNode requiredObject(JsonNode parent, String name, String parentPath) {
        JsonNode v = optionalObject(parent, name, parentPath);
        if (v == null) {
            throw new InvalidSignalException(path(parentPath, name), "is required");
        }
        return v;
    }

    /** @return the string member, or "" when absent or null */
    static String optionalText(JsonNode parent, String name, String parentPath, int maxLength) {
        JsonNode v = parent.get(name);
        if (v == null || v.isNull()) {
            return "";
        }
        String field = path(parentPath, name);
        if (!v.isTextual()) {
            throw new InvalidSignalException(field, "must be a string, got " + typeOf(v));
        }
        String s = v.textValue();
        if (s.length() > maxLength) {
            throw new InvalidSignalException(field, "is longer than " + maxLength + " characters");
        }
        return s;
    }

    static String requiredText(JsonNode parent, String name, String parentPath, int maxLength) {
        String s = optionalText(parent, name, parentPath, maxLength);
        if (s.isBlank()) {
            throw new InvalidSignalException(path(parentPath, name), "is required");
        }
        return s;
    }

    /** A map of string to string (labels, annotations); absent = empty. */
    static Map<String, String> stringMap(JsonNode parent, String name, String parentPath) {
        JsonNode obj = optionalObject(parent, name, parentPath);
        Map<String, String> out = new LinkedHashMap<>();
        if (obj == null) {
            return out;
        }
        String base = path(parentPath, name);
        for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            if (v.isNull()) {
                continue;
            }
            if (!v.isTextual()) {
                throw new InvalidSignalException(base + "." + e.getKey(), "must be a string, got " + typeOf(v));
            }
            out.put(e.getKey(), v.textValue());
        }
        return out;
    }

    /** An RFC 3339 timestamp; absent, empty or Go's zero time = null. */
    static Instant optionalTime(JsonNode parent, String name, String parentPath) {
        String s = optionalText(parent, name, parentPath, 64);
        if (s.isBlank()) {
            return null;
        }
        try {
            Instant t = OffsetDateTime.parse(s.trim().toUpperCase(Locale.ROOT)).toInstant();
            return t.equals(GO_ZERO_TIME) ? null : t;
        } catch (DateTimeParseException e) {
            throw new InvalidSignalException(path(parentPath, name),
                    KubernetesNames.quote(s) + " is not an RFC 3339 timestamp");
        }
    }

    static String typeOf(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "nothing";
        }
        return node.getNodeType().name().toLowerCase(Locale.ROOT);
    }
}
