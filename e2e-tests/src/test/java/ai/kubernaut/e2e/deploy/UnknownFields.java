package ai.kubernaut.e2e.deploy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds fields fabric8 did not recognise. fabric8 parses leniently: a misspelt key ({@code readinesProbe},
 * {@code runAsNonroot}) lands in the model's additionalProperties and a real API server silently drops it.
 * Walking the typed model and reporting every non-empty additionalProperties turns such typos into failures.
 */
final class UnknownFields {

    private UnknownFields() {
    }

    /** Paths like {@code spec.template.spec.containers[0].readinesProbe}; empty when everything was recognised. */
    static List<String> in(Object model) {
        if (model instanceof GenericKubernetesResource) {
            throw new IllegalArgumentException("a GenericKubernetesResource keeps everything in additionalProperties");
        }
        List<String> found = new ArrayList<>();
        walk(model, "", found, new IdentityHashMap<>());
        return found;
    }

    private static void walk(Object node, String path, List<String> found, Map<Object, Boolean> seen) {
        if (node == null || !isModel(node.getClass()) || seen.put(node, Boolean.TRUE) != null) {
            return;
        }
        for (Method m : node.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || !m.getName().startsWith("get")
                    || m.getDeclaringClass() == Object.class) {
                continue;
            }
            Object value = invoke(m, node);
            if (value == null) {
                continue;
            }
            String property = Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4);
            if (m.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    extra.keySet().forEach(k -> found.add(join(path, String.valueOf(k))));
                }
            } else if (value instanceof Collection<?> items) {
                int i = 0;
                for (Object item : items) {
                    walk(item, join(path, property) + "[" + i++ + "]", found, seen);
                }
            } else if (value instanceof Map<?, ?> map) {
                map.forEach((k, v) -> walk(v, join(path, property) + "[" + k + "]", found, seen));
            } else {
                walk(value, join(path, property), found, seen);
            }
        }
    }

    private static boolean isModel(Class<?> type) {
        return type.getName().startsWith("io.fabric8.kubernetes.api.model.") && !type.isEnum();
    }

    private static Object invoke(Method m, Object target) {
        try {
            return m.invoke(target);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read " + m, e);
        }
    }

    private static String join(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }
}
