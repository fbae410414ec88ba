package ai.kubernaut.e2e.deploy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Finds and reads the files under {@code deploy/} and the rendered fixtures, as plain YAML trees or fabric8 objects. */
final class DeployFiles {

    static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final YAMLMapper YAML = new YAMLMapper();
    static final Path ROOT = findRepositoryRoot();
    static final Path DEPLOY = ROOT.resolve("deploy");
    static final Path RENDERED = ROOT.resolve("e2e-tests/src/test/resources/deploy/rendered");
    /** The one YAML file under deploy/ that is not Kubernetes objects: checked by {@code AlertmanagerExampleTest}. */
    static final Path ALERTMANAGER_CONFIG = DEPLOY.resolve("monitoring/alertmanager/alertmanager.yaml");

    private DeployFiles() {
    }

    /** Surefire runs in e2e-tests/; the repository root is the first ancestor holding deploy/crds. */
    private static Path findRepositoryRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("deploy/crds"))) {
                return p;
            }
        }
        throw new IllegalStateException("no deploy/crds above " + Path.of("").toAbsolutePath());
    }

    /** Every Kubernetes YAML file under deploy/ (all but the Alertmanager config example), sorted, so failures name a stable path. */
    static List<Path> deployYamlFiles() {
        try (Stream<Path> files = Files.walk(DEPLOY)) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                    .filter(p -> !p.toAbsolutePath().normalize().equals(ALERTMANAGER_CONFIG.toAbsolutePath().normalize()))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static boolean isKustomization(Path file) {
        return file.getFileName().toString().equals("kustomization.yaml");
    }

    /**
     * Every YAML document of a file as a plain tree (maps, lists, scalars); empty documents are dropped.
     * Read document by document: Jackson's readValues would unwrap a top-level list into its elements.
     */
    static List<Object> yamlDocuments(Path file) {
        try (YAMLParser parser = YAML.getFactory().createParser(file.toFile())) {
            List<Object> out = new ArrayList<>();
            while (parser.nextToken() != null) {
                Object doc = YAML.readValue(parser, Object.class);
                if (doc != null) {
                    out.add(doc);
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read YAML " + relative(file), e);
        }
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> yamlObjects(Path file) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object doc : yamlDocuments(file)) {
            if (!(doc instanceof Map)) {
                throw new AssertionError(relative(file) + ": expected Kubernetes objects, found a " + doc.getClass().getSimpleName());
            }
            out.add((Map<String, Object>) doc);
        }
        return out;
    }

    static Map<String, Object> kustomization(Path dir) {
        List<Map<String, Object>> docs = yamlObjects(dir.resolve("kustomization.yaml"));
        if (docs.size() != 1) {
            throw new AssertionError(relative(dir) + "/kustomization.yaml must hold exactly one document");
        }
        return docs.get(0);
    }

    /** The objects of a manifest file as fabric8 typed models (GenericKubernetesResource for unknown kinds). */
    static List<HasMetadata> load(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            Object parsed = SERIALIZATION.unmarshal(in);
            List<HasMetadata> out = new ArrayList<>();
            if (parsed instanceof List<?> list) {
                for (Object o : list) {
                    out.add(asResource(file, o));
                }
            } else if (parsed != null) {
                out.add(asResource(file, parsed));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + relative(file), e);
        }
    }

    private static HasMetadata asResource(Path file, Object o) {
        if (o instanceof HasMetadata h) {
            return h;
        }
        throw new AssertionError(relative(file) + ": not a Kubernetes object: " + (o == null ? "null" : o.getClass()));
    }

    static List<HasMetadata> rendered(String name) {
        return load(RENDERED.resolve(name + ".yaml"));
    }

    static <T extends HasMetadata> T one(List<HasMetadata> objects, Class<T> type, String name) {
        List<T> found = objects.stream().filter(type::isInstance).map(type::cast)
                .filter(o -> name.equals(o.getMetadata().getName())).toList();
        if (found.size() != 1) {
            throw new AssertionError("expected exactly one " + type.getSimpleName() + " " + name + ", found " + found.size());
        }
        return found.get(0);
    }

    static String relative(Path p) {
        return ROOT.relativize(p.toAbsolutePath()).toString();
    }

    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static <T> T convert(Object tree, TypeReference<T> type) {
        return YAML.convertValue(tree, type);
    }
}
