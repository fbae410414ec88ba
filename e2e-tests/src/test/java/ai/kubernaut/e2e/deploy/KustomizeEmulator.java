package ai.kubernaut.e2e.deploy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Renders a kustomization with the JDK only, for machines without kubectl/kustomize (a fresh CI runner).
 * It implements exactly the kustomize features deploy/ uses (resources, namespace, labels, replicas, images,
 * strategic-merge and JSON 6902 patches, configMapGenerator from files without name hash) with kustomize's
 * semantics for them, and refuses anything else, so
 * a new feature in deploy/ fails loudly here instead of being checked wrongly. The fixtures are rendered by
 * real kustomize; where kubectl exists the tests also re-render with it, which keeps this emulator honest.
 */
final class KustomizeEmulator {

    private static final Set<String> SUPPORTED_KEYS =
            Set.of("apiVersion", "kind", "namespace", "labels", "resources", "replicas", "images", "patches",
                    "configMapGenerator");
    /** Kinds kustomize's namespace transformer leaves without a namespace. */
    private static final Set<String> CLUSTER_SCOPED = Set.of("Namespace", "CustomResourceDefinition", "ClusterRole",
            "ClusterRoleBinding", "PersistentVolume", "StorageClass", "PriorityClass", "IngressClass",
            "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "APIService");
    private static final Set<String> WORKLOADS = Set.of("Deployment", "StatefulSet", "ReplicaSet", "DaemonSet");

    private KustomizeEmulator() {
    }

    static List<Map<String, Object>> build(Path dir) {
        Map<String, Object> k = DeployFiles.kustomization(dir);
        for (String key : k.keySet()) {
            if (!SUPPORTED_KEYS.contains(key)) {
                throw new AssertionError(where(dir) + ": the JDK-only kustomize check does not support '" + key
                        + "'; extend KustomizeEmulator or avoid the feature");
            }
        }
        List<Map<String, Object>> objects = new ArrayList<>();
        for (String resource : strings(k.get("resources"), dir, "resources")) {
            Path path = dir.resolve(resource).normalize();
            if (Files.isDirectory(path)) {
                require(Files.exists(path.resolve("kustomization.yaml")), dir, "resource directory " + resource + " has no kustomization.yaml");
                objects.addAll(build(path));
            } else {
                require(Files.isRegularFile(path), dir, "resource " + resource + " does not exist");
                objects.addAll(DeployFiles.yamlObjects(path));
            }
        }
        for (Map<String, Object> generator : maps(k.get("configMapGenerator"), dir, "configMapGenerator")) {
            objects.add(generateConfigMap(dir, generator));
        }
        for (Map<String, Object> patch : maps(k.get("patches"), dir, "patches")) {
            applyPatch(dir, patch, objects);
        }
        if (k.get("namespace") instanceof String ns) {
            objects.forEach(o -> setNamespace(o, ns));
        }
        for (Map<String, Object> label : maps(k.get("labels"), dir, "labels")) {
            for (String key : label.keySet()) {
                require(key.equals("pairs"), dir, "labels." + key + " is not supported (only pairs)");
            }
            Map<String, Object> pairs = asMap(label.get("pairs"), dir, "labels.pairs");
            objects.forEach(o -> child(child(o, "metadata"), "labels").putAll(pairs));
        }
        for (Map<String, Object> replicas : maps(k.get("replicas"), dir, "replicas")) {
            List<Map<String, Object>> targets = objects.stream()
                    .filter(o -> WORKLOADS.contains(o.get("kind")) && Objects.equals(name(o), replicas.get("name"))).toList();
            require(!targets.isEmpty(), dir, "replicas: no workload named " + replicas.get("name"));
            targets.forEach(o -> child(o, "spec").put("replicas", replicas.get("count")));
        }
        for (Map<String, Object> image : maps(k.get("images"), dir, "images")) {
            int changed = objects.stream().mapToInt(o -> setImage(o, image)).sum();
            require(changed > 0, dir, "images: no container uses " + image.get("name"));
        }
        return objects;
    }

    /** A ConfigMap from files (key = the file name), with options.labels; only with disableNameSuffixHash. */
    private static Map<String, Object> generateConfigMap(Path dir, Map<String, Object> generator) {
        for (String key : generator.keySet()) {
            require(Set.of("name", "files", "options").contains(key), dir, "configMapGenerator[]." + key + " is not supported");
        }
        Map<String, Object> options = generator.get("options") == null ? Map.of() : asMap(generator.get("options"), dir, "configMapGenerator[].options");
        for (String key : options.keySet()) {
            require(Set.of("disableNameSuffixHash", "labels").contains(key), dir, "configMapGenerator[].options." + key + " is not supported");
        }
        require(Boolean.TRUE.equals(options.get("disableNameSuffixHash")), dir,
                "configMapGenerator without disableNameSuffixHash: true (the name hash is not emulated)");
        Map<String, Object> data = new LinkedHashMap<>();
        for (String file : strings(generator.get("files"), dir, "configMapGenerator[].files")) {
            require(!file.contains("="), dir, "configMapGenerator: key=path files are not supported");
            Path path = dir.resolve(file).normalize();
            require(Files.isRegularFile(path), dir, "configMapGenerator file " + file + " does not exist");
            data.put(path.getFileName().toString(), DeployFiles.read(path));
        }
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("name", generator.get("name"));
        if (options.get("labels") != null) {
            metadata.put("labels", new LinkedHashMap<>(asMap(options.get("labels"), dir, "configMapGenerator[].options.labels")));
        }
        Map<String, Object> configMap = new LinkedHashMap<>();
        configMap.put("apiVersion", "v1");
        configMap.put("kind", "ConfigMap");
        configMap.put("metadata", metadata);
        configMap.put("data", data);
        return configMap;
    }

    private static void applyPatch(Path dir, Map<String, Object> patch, List<Map<String, Object>> objects) {
        for (String key : patch.keySet()) {
            require(key.equals("path") || key.equals("target"), dir, "patches[]." + key + " is not supported");
        }
        Path file = dir.resolve((String) patch.get("path"));
        require(Files.isRegularFile(file), dir, "patch " + patch.get("path") + " does not exist");
        List<Object> docs = DeployFiles.yamlDocuments(file);
        if (docs.size() == 1 && docs.get(0) instanceof List<?> ops) {
            Map<String, Object> target = asMap(patch.get("target"), dir, "target of JSON 6902 patch " + patch.get("path"));
            List<Map<String, Object>> matched = objects.stream().filter(o -> matches(o, target, dir)).toList();
            require(!matched.isEmpty(), dir, "patch " + patch.get("path") + " matches no object");
            for (Map<String, Object> o : matched) {
                for (Object op : ops) {
                    JsonPatch.apply(o, asMap(op, dir, "op in " + patch.get("path")), dir + "/" + patch.get("path"));
                }
            }
            return;
        }
        for (Object doc : docs) {
            Map<String, Object> smp = asMap(doc, dir, "strategic merge patch " + patch.get("path"));
            List<Map<String, Object>> matched = objects.stream()
                    .filter(o -> Objects.equals(o.get("kind"), smp.get("kind")) && Objects.equals(name(o), name(smp)))
                    .filter(o -> !patch.containsKey("target") || matches(o, asMap(patch.get("target"), dir, "target"), dir))
                    .toList();
            require(matched.size() == 1, dir, "patch " + patch.get("path") + " must match exactly one " + smp.get("kind")
                    + " " + name(smp) + ", matched " + matched.size());
            StrategicMerge.merge(matched.get(0), smp);
        }
    }

    private static boolean matches(Map<String, Object> o, Map<String, Object> target, Path dir) {
        for (Map.Entry<String, Object> e : target.entrySet()) {
            switch (e.getKey()) {
                case "kind" -> {
                    if (!Objects.equals(o.get("kind"), e.getValue())) return false;
                }
                case "name" -> {
                    if (!Objects.equals(name(o), e.getValue())) return false;
                }
                case "labelSelector" -> {
                    Map<String, Object> labels = child(child(o, "metadata"), "labels");
                    for (String term : ((String) e.getValue()).split(",")) {
                        String[] kv = term.trim().split("=", 2);
                        require(kv.length == 2, dir, "only key=value label selectors are supported: " + e.getValue());
                        if (!Objects.equals(labels.get(kv[0]), kv[1])) return false;
                    }
                }
                default -> throw new AssertionError(where(dir) + ": patch target field " + e.getKey() + " is not supported");
            }
        }
        return true;
    }

    @SuppressWarnings("unchecked")
    private static int setImage(Map<String, Object> o, Map<String, Object> image) {
        if (!WORKLOADS.contains(o.get("kind"))) {
            return 0;
        }
        Map<String, Object> podSpec = child(child(child(o, "spec"), "template"), "spec");
        int changed = 0;
        for (String list : List.of("initContainers", "containers")) {
            for (Object c : (List<Object>) podSpec.getOrDefault(list, List.of())) {
                Map<String, Object> container = (Map<String, Object>) c;
                String ref = (String) container.get("image");
                String repo = ref.replaceFirst("@.*$", "").replaceFirst(":[^:/]*$", "");
                if (!repo.equals(image.get("name"))) {
                    continue;
                }
                String tag = ref.substring(repo.length());
                String newRepo = (String) image.getOrDefault("newName", repo);
                if (image.get("digest") != null) {
                    tag = "@" + image.get("digest");
                } else if (image.get("newTag") != null) {
                    tag = ":" + image.get("newTag");
                }
                container.put("image", newRepo + tag);
                changed++;
            }
        }
        return changed;
    }

    private static void setNamespace(Map<String, Object> o, String ns) {
        if ("Namespace".equals(o.get("kind"))) {
            child(o, "metadata").put("name", ns);
        } else if (!CLUSTER_SCOPED.contains(o.get("kind"))) {
            child(o, "metadata").put("namespace", ns);
        }
    }

    static String name(Map<String, Object> o) {
        return (String) child(o, "metadata").get("name");
    }

    /** The child map under key, created when absent (as kustomize does when it sets a field). */
    @SuppressWarnings("unchecked")
    static Map<String, Object> child(Map<String, Object> parent, String key) {
        return (Map<String, Object>) parent.computeIfAbsent(key, x -> new LinkedHashMap<String, Object>());
    }

    private static List<String> strings(Object value, Path dir, String what) {
        List<String> out = new ArrayList<>();
        if (value == null) return out;
        require(value instanceof List, dir, what + " must be a list");
        for (Object o : (List<?>) value) {
            require(o instanceof String, dir, what + " entries must be strings");
            out.add((String) o);
        }
        return out;
    }

    private static List<Map<String, Object>> maps(Object value, Path dir, String what) {
        List<Map<String, Object>> out = new ArrayList<>();
        if (value == null) return out;
        require(value instanceof List, dir, what + " must be a list");
        for (Object o : (List<?>) value) {
            out.add(asMap(o, dir, what + " entry"));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object value, Path dir, String what) {
        require(value instanceof Map, dir, what + " must be a mapping");
        return (Map<String, Object>) value;
    }

    private static void require(boolean ok, Path dir, String message) {
        if (!ok) {
            throw new AssertionError(where(dir) + ": " + message);
        }
    }

    private static String where(Path dir) {
        return DeployFiles.relative(dir) + "/kustomization.yaml";
    }

    /** Strategic merge for the shapes deploy/ patches: maps merge, lists of named items merge by their key. */
    static final class StrategicMerge {
        /** Merge keys of the lists our patches touch (Kubernetes' patchMergeKey). */
        private static final List<String> MERGE_KEYS = List.of("name", "topologyKey", "containerPort", "mountPath");

        private StrategicMerge() {
        }

        @SuppressWarnings("unchecked")
        static void merge(Map<String, Object> target, Map<String, Object> patch) {
            for (Map.Entry<String, Object> e : patch.entrySet()) {
                Object current = target.get(e.getKey());
                Object value = e.getValue();
                if (value == null) {
                    target.remove(e.getKey());
                } else if (current instanceof Map && value instanceof Map) {
                    merge((Map<String, Object>) current, (Map<String, Object>) value);
                } else if (current instanceof List && value instanceof List) {
                    target.put(e.getKey(), mergeLists((List<Object>) current, (List<Object>) value));
                } else {
                    target.put(e.getKey(), value);
                }
            }
        }

        @SuppressWarnings("unchecked")
        private static List<Object> mergeLists(List<Object> current, List<Object> patch) {
            String key = mergeKey(current, patch);
            if (key == null) {
                return patch; // scalar lists and lists without a merge key are replaced
            }
            // kustomize (kyaml) emits the patch's items first, merged with their originals, then the untouched rest
            List<Object> out = new ArrayList<>();
            List<Object> rest = new ArrayList<>(current);
            for (Object p : patch) {
                Map<String, Object> pm = (Map<String, Object>) p;
                Map<String, Object> existing = rest.stream().map(o -> (Map<String, Object>) o)
                        .filter(o -> Objects.equals(o.get(key), pm.get(key))).findFirst().orElse(null);
                if (existing == null) {
                    out.add(pm);
                } else {
                    rest.remove(existing);
                    merge(existing, pm);
                    out.add(existing);
                }
            }
            out.addAll(rest);
            return out;
        }

        private static String mergeKey(List<Object> current, List<Object> patch) {
            List<Object> all = new ArrayList<>(current);
            all.addAll(patch);
            if (all.isEmpty() || !all.stream().allMatch(o -> o instanceof Map)) {
                return null;
            }
            for (String key : MERGE_KEYS) {
                if (all.stream().allMatch(o -> ((Map<?, ?>) o).containsKey(key))) {
                    return key;
                }
            }
            return null;
        }
    }

    /** JSON 6902 add/replace/remove on the object tree, with RFC 6901 pointers. */
    static final class JsonPatch {
        private JsonPatch() {
        }

        @SuppressWarnings("unchecked")
        static void apply(Map<String, Object> target, Map<String, Object> op, String where) {
            String kind = (String) op.get("op");
            String[] tokens = ((String) op.get("path")).substring(1).split("/");
            Object node = target;
            for (int i = 0; i < tokens.length - 1; i++) {
                node = step(node, unescape(tokens[i]), where, op);
            }
            String last = unescape(tokens[tokens.length - 1]);
            switch (kind) {
                case "replace", "add" -> {
                    if (node instanceof Map) {
                        Map<String, Object> map = (Map<String, Object>) node;
                        if (kind.equals("replace") && !map.containsKey(last)) {
                            throw new AssertionError(where + ": replace of a missing path " + op.get("path"));
                        }
                        map.put(last, op.get("value"));
                    } else if (node instanceof List) {
                        List<Object> list = (List<Object>) node;
                        if (last.equals("-")) {
                            list.add(op.get("value"));
                        } else if (kind.equals("add")) {
                            list.add(Integer.parseInt(last), op.get("value"));
                        } else {
                            list.set(Integer.parseInt(last), op.get("value"));
                        }
                    }
                }
                case "remove" -> {
                    if (node instanceof Map) {
                        ((Map<String, Object>) node).remove(last);
                    } else {
                        ((List<Object>) node).remove(Integer.parseInt(last));
                    }
                }
                default -> throw new AssertionError(where + ": JSON patch op " + kind + " is not supported");
            }
        }

        @SuppressWarnings("unchecked")
        private static Object step(Object node, String token, String where, Map<String, Object> op) {
            Object next = node instanceof Map ? ((Map<String, Object>) node).get(token)
                    : node instanceof List<?> l && token.matches("\\d+") && Integer.parseInt(token) < l.size()
                    ? l.get(Integer.parseInt(token)) : null;
            if (next == null) {
                throw new AssertionError(where + ": path " + op.get("path") + " does not exist at " + token);
            }
            return next;
        }

        private static String unescape(String token) {
            return token.replace("~1", "/").replace("~0", "~");
        }
    }
}
