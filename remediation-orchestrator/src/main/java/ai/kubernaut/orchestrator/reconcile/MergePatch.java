package ai.kubernaut.orchestrator.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/** The JSON merge patch (RFC 7386) that turns one object into another: changed fields, nulls for removals. */
final class MergePatch {

    private MergePatch() {
    }

    static ObjectNode between(JsonNode from, JsonNode to) {
        ObjectNode patch = JsonNodeFactory.instance.objectNode();
        ObjectNode source = from != null && from.isObject() ? (ObjectNode) from : JsonNodeFactory.instance.objectNode();
        ObjectNode target = to != null && to.isObject() ? (ObjectNode) to : JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, JsonNode> field : target.properties()) {
            JsonNode before = source.get(field.getKey());
            JsonNode after = field.getValue();
            if (after.equals(before)) {
                continue;
            }
            if (before != null && before.isObject() && after.isObject()) {
                patch.set(field.getKey(), between(before, after));
            } else {
                patch.set(field.getKey(), after);
            }
        }
        for (Map.Entry<String, JsonNode> field : source.properties()) {
            if (!target.has(field.getKey())) {
                patch.putNull(field.getKey());
            }
        }
        return patch;
    }
}
