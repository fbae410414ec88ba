package ai.kubernaut.e2e.deploy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every YAML file under deploy/ is a valid kustomization, a valid JSON 6902 patch, or objects fabric8 fully understands. */
class ManifestsParseTest {

    /** Kinds we ship without a fabric8 model class (Prometheus Operator); everything else must parse typed. */
    private static final Set<String> GENERIC_KINDS = Set.of("monitoring.coreos.com/v1/ServiceMonitor", "monitoring.coreos.com/v1/PrometheusRule");

    @Test
    void deployHoldsTheExpectedLayout() {
        List<String> files = DeployFiles.deployYamlFiles().stream().map(DeployFiles::relative).toList();
        for (String required : List.of("deploy/base/kustomization.yaml", "deploy/crds/kustomization.yaml",
                "deploy/base/gateway-service/rbac.yaml", "deploy/base/remediation-orchestrator/rbac.yaml",
                "deploy/overlays/dev/kustomization.yaml", "deploy/overlays/prod/kustomization.yaml",
                "deploy/monitoring/kustomization.yaml", "deploy/base/workflow-catalog.yaml")) {
            assertTrue(files.contains(required), required + " is missing; found " + files);
        }
    }

    @TestFactory
    Stream<DynamicTest> everyManifestParses() {
        Set<Path> json6902 = json6902Patches();
        return DeployFiles.deployYamlFiles().stream().map(file -> DynamicTest.dynamicTest(DeployFiles.relative(file), () -> {
            if (DeployFiles.isKustomization(file)) {
                assertKustomization(file);
            } else if (json6902.contains(file)) {
                assertJson6902(file);
            } else {
                assertObjects(file, DeployFiles.load(file));
            }
        }));
    }

    @Test
    void everyFileUnderDeployIsUsedByAKustomization() {
        Set<Path> used = new HashSet<>();
        for (Path file : DeployFiles.deployYamlFiles()) {
            if (DeployFiles.isKustomization(file)) {
                Map<String, Object> k = DeployFiles.kustomization(file.getParent());
                listOf(k.get("resources")).forEach(r -> used.add(file.getParent().resolve((String) r).normalize()));
                listOf(k.get("patches")).forEach(p -> used.add(file.getParent().resolve((String) ((Map<?, ?>) p).get("path")).normalize()));
            }
        }
        for (Path file : DeployFiles.deployYamlFiles()) {
            if (!DeployFiles.isKustomization(file)) {
                assertTrue(used.contains(file.normalize()), DeployFiles.relative(file) + " is not referenced by any kustomization.yaml, so nobody applies it");
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> everyRenderedFixtureParsesWithoutUnknownFields() {
        return Stream.of("dev", "prod", "monitoring").map(name -> DynamicTest.dynamicTest(name, () -> {
            List<HasMetadata> objects = DeployFiles.rendered(name);
            assertFalse(objects.isEmpty(), name + " fixture is empty");
            assertObjects(DeployFiles.RENDERED.resolve(name + ".yaml"), objects);
        }));
    }

    @Test
    void unknownFieldDetectionCatchesATypo() {
        // the check above is only worth something if a misspelt field really fails it
        String typo = """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: x}
                spec:
                  template:
                    spec:
                      containers:
                        - name: c
                          readinesProbe: {httpGet: {path: /q/health/ready, port: 9000}}
                """;
        HasMetadata parsed = DeployFiles.SERIALIZATION.unmarshal(typo);
        assertEquals(List.of("spec.template.spec.containers[0].readinesProbe"), UnknownFields.in(parsed));
    }

    private static void assertObjects(Path file, List<HasMetadata> objects) {
        assertFalse(objects.isEmpty(), DeployFiles.relative(file) + " holds no object");
        for (HasMetadata o : objects) {
            String id = DeployFiles.relative(file) + ": " + o.getKind() + " " + (o.getMetadata() == null ? null : o.getMetadata().getName());
            assertNotNull(o.getApiVersion(), id + " has no apiVersion");
            assertNotNull(o.getKind(), id + " has no kind");
            assertNotNull(o.getMetadata(), id + " has no metadata");
            assertNotNull(o.getMetadata().getName(), id + " has no name");
            if (o instanceof GenericKubernetesResource) {
                assertTrue(GENERIC_KINDS.contains(o.getApiVersion() + "/" + o.getKind()),
                        id + ": fabric8 has no model for " + o.getApiVersion() + "/" + o.getKind() + " (typo in apiVersion or kind?)");
            } else {
                assertEquals(List.of(), UnknownFields.in(o), id + " has fields fabric8 does not know (a real API server drops them)");
            }
        }
    }

    private static void assertKustomization(Path file) {
        Map<String, Object> k = DeployFiles.kustomization(file.getParent());
        assertEquals("kustomize.config.k8s.io/v1beta1", k.get("apiVersion"), DeployFiles.relative(file));
        assertEquals("Kustomization", k.get("kind"), DeployFiles.relative(file));
        for (Object r : listOf(k.get("resources"))) {
            Path p = file.getParent().resolve((String) r).normalize();
            assertTrue(Files.isRegularFile(p) || Files.isRegularFile(p.resolve("kustomization.yaml")),
                    DeployFiles.relative(file) + ": resource " + r + " is neither a file nor a kustomization directory");
        }
        for (Object patch : listOf(k.get("patches"))) {
            Path p = file.getParent().resolve((String) ((Map<?, ?>) patch).get("path"));
            assertTrue(Files.isRegularFile(p), DeployFiles.relative(file) + ": patch " + p + " does not exist");
        }
    }

    private static void assertJson6902(Path file) {
        List<Object> docs = DeployFiles.yamlDocuments(file);
        assertEquals(1, docs.size(), DeployFiles.relative(file));
        for (Object op : (List<?>) docs.get(0)) {
            Map<?, ?> m = (Map<?, ?>) op;
            assertTrue(Set.of("add", "replace", "remove").contains(m.get("op")), DeployFiles.relative(file) + ": op " + m.get("op"));
            assertTrue(String.valueOf(m.get("path")).startsWith("/"), DeployFiles.relative(file) + ": path " + m.get("path"));
        }
    }

    /** Files a kustomization names as a patch with a target and whose content is a list: JSON 6902 operations. */
    private static Set<Path> json6902Patches() {
        Set<Path> out = new HashSet<>();
        for (Path file : DeployFiles.deployYamlFiles()) {
            if (DeployFiles.isKustomization(file)) {
                for (Object patch : listOf(DeployFiles.kustomization(file.getParent()).get("patches"))) {
                    Path p = file.getParent().resolve((String) ((Map<?, ?>) patch).get("path")).normalize();
                    List<Object> docs = DeployFiles.yamlDocuments(p);
                    if (docs.size() == 1 && docs.get(0) instanceof List) {
                        assertTrue(((Map<?, ?>) patch).containsKey("target"), DeployFiles.relative(p) + " is a JSON 6902 patch without a target");
                        out.add(p);
                    }
                }
            }
        }
        return out;
    }

    private static List<?> listOf(Object value) {
        return value == null ? List.of() : (List<?>) value;
    }
}
