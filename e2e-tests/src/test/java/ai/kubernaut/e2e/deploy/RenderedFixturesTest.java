package ai.kubernaut.e2e.deploy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The kustomize output of each overlay is checked in under e2e-tests/src/test/resources/deploy/rendered/
 * (deploy/render-fixtures.sh). A broken or changed overlay must fail the build, with or without kubectl:
 * the JDK-only emulator always re-renders and must equal the fixture; where kubectl is on PATH, real
 * kustomize re-renders too and must equal the fixture.
 */
class RenderedFixturesTest {

    private static final String STALE = " (after changing deploy/, run deploy/render-fixtures.sh and commit the fixtures)";

    private static final Set<String> APP_OBJECTS = Set.of(
            "Namespace//kubernaut-system",
            "CustomResourceDefinition//remediationrequests.kubernaut.ai",
            "CustomResourceDefinition//workflowexecutions.kubernaut.ai",
            "ServiceAccount/kubernaut-system/gateway-service",
            "ServiceAccount/kubernaut-system/remediation-orchestrator",
            "Role/kubernaut-system/gateway-service",
            "Role/kubernaut-system/remediation-orchestrator",
            "Role/kubernaut-system/kubernaut-signal-sender",
            "RoleBinding/kubernaut-system/gateway-service",
            "RoleBinding/kubernaut-system/remediation-orchestrator",
            "ClusterRole//kubernaut-gateway-service",
            "ClusterRoleBinding//kubernaut-gateway-service",
            "ConfigMap/kubernaut-system/kubernaut-workflow-catalog",
            "Deployment/kubernaut-system/gateway-service",
            "Deployment/kubernaut-system/remediation-orchestrator",
            "Service/kubernaut-system/gateway-service",
            "Service/kubernaut-system/remediation-orchestrator",
            "PodDisruptionBudget/kubernaut-system/gateway-service",
            "PodDisruptionBudget/kubernaut-system/remediation-orchestrator");

    private static final Map<String, Set<String>> EXPECTED = Map.of(
            "dev", APP_OBJECTS,
            "prod", APP_OBJECTS,
            "monitoring", Set.of("ServiceMonitor/kubernaut-system/kubernaut", "PrometheusRule/kubernaut-system/kubernaut",
                    "ConfigMap/kubernaut-system/kubernaut-grafana-dashboard"));

    private static final Map<String, Path> SOURCES = Map.of(
            "dev", DeployFiles.DEPLOY.resolve("overlays/dev"),
            "prod", DeployFiles.DEPLOY.resolve("overlays/prod"),
            "monitoring", DeployFiles.DEPLOY.resolve("monitoring"));

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod", "monitoring"})
    void fixtureParsesWithFabric8AndHoldsExactlyTheExpectedObjects(String fixture) {
        List<HasMetadata> objects = DeployFiles.rendered(fixture);
        Set<String> ids = objects.stream()
                .map(o -> o.getKind() + "/" + Optional.ofNullable(o.getMetadata().getNamespace()).orElse("") + "/" + o.getMetadata().getName())
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(EXPECTED.get(fixture)), ids, fixture + ".yaml objects" + STALE);
        assertEquals(ids.size(), objects.size(), fixture + ".yaml holds duplicate objects");
        for (HasMetadata o : objects) {
            assertEquals("kubernaut", o.getMetadata().getLabels().get("app.kubernetes.io/part-of"),
                    o.getKind() + " " + o.getMetadata().getName() + " misses the part-of label");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod", "monitoring"})
    void jdkOnlyRenderingOfTheKustomizationEqualsTheFixture(String fixture) {
        List<Map<String, Object>> emulated = KustomizeEmulator.build(SOURCES.get(fixture));
        assertSameObjects(fixtureTrees(fixture), emulated, "JDK-only rendering of " + DeployFiles.relative(SOURCES.get(fixture)));
    }

    /**
     * With kubectl on PATH, real kustomize must render exactly the fixture. Without it (a JDK-only CI machine)
     * this asserts the fixture is at least internally complete: every object the sources declare is in it
     * (the emulator test above has already compared every field).
     */
    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod", "monitoring"})
    void kubectlKustomizeRendersExactlyTheFixtureWhereKubectlExists(String fixture) throws Exception {
        Optional<Path> kubectl = onPath("kubectl");
        if (kubectl.isPresent()) {
            List<Map<String, Object>> rendered = kubectlKustomize(kubectl.get(), SOURCES.get(fixture));
            assertSameObjects(fixtureTrees(fixture), rendered, "kubectl kustomize " + DeployFiles.relative(SOURCES.get(fixture)));
        } else {
            Set<String> declared = ids(KustomizeEmulator.build(SOURCES.get(fixture)));
            assertEquals(declared, ids(fixtureTrees(fixture)), "objects declared by the sources vs the fixture" + STALE);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod", "monitoring"})
    void aBrokenKustomizationIsCaughtWithoutKubectl(String fixture) throws IOException {
        // guard against an emulator that accepts anything: a copy of the overlay with one patch target renamed
        Path copy = Files.createTempDirectory("kustomize-broken-");
        try {
            copyTree(DeployFiles.DEPLOY, copy);
            Path dir = copy.resolve(DeployFiles.DEPLOY.relativize(SOURCES.get(fixture)));
            Path kustomization = dir.resolve("kustomization.yaml");
            String text = Files.readString(kustomization);
            String broken = text.contains("resources:\n  - ../../base")
                    ? text.replace("resources:\n  - ../../base", "resources:\n  - ../../bsae")
                    : text.replace("  - servicemonitor.yaml", "  - servicemonitr.yaml");
            assertFalse(text.equals(broken), "the test could not break " + kustomization);
            Files.writeString(kustomization, broken);
            AssertionError error = null;
            try {
                KustomizeEmulator.build(dir);
            } catch (AssertionError e) {
                error = e;
            }
            assertTrue(error != null && error.getMessage().contains("does not exist"),
                    "a kustomization naming a missing resource must fail, got " + error);
        } finally {
            deleteTree(copy);
        }
    }

    private static List<Map<String, Object>> fixtureTrees(String fixture) {
        return DeployFiles.yamlObjects(DeployFiles.RENDERED.resolve(fixture + ".yaml"));
    }

    private static void assertSameObjects(List<Map<String, Object>> expected, List<Map<String, Object>> actual, String what) {
        Map<String, Map<String, Object>> want = byId(expected);
        Map<String, Map<String, Object>> got = byId(actual);
        assertEquals(want.keySet(), got.keySet(), what + ": objects differ from the fixture" + STALE);
        List<String> diffs = new ArrayList<>();
        for (String id : want.keySet()) {
            diff(id, want.get(id), got.get(id), diffs);
        }
        if (!diffs.isEmpty()) {
            fail(what + " differs from the fixture" + STALE + ":\n  " + String.join("\n  ", diffs.subList(0, Math.min(20, diffs.size()))));
        }
    }

    private static void diff(String path, Object want, Object got, List<String> out) {
        if (want instanceof Map<?, ?> w && got instanceof Map<?, ?> g) {
            Set<Object> keys = new TreeSet<>(Comparator.comparing(String::valueOf));
            keys.addAll(w.keySet());
            keys.addAll(g.keySet());
            keys.forEach(k -> diff(path + "." + k, w.get(k), g.get(k), out));
        } else if (want instanceof List<?> w && got instanceof List<?> g && w.size() == g.size()) {
            for (int i = 0; i < w.size(); i++) {
                diff(path + "[" + i + "]", w.get(i), g.get(i), out);
            }
        } else if (!Objects.equals(want, got)) {
            out.add(path + ": fixture has " + want + ", rendering has " + got);
        }
    }

    private static Map<String, Map<String, Object>> byId(List<Map<String, Object>> objects) {
        Map<String, Map<String, Object>> out = new TreeMap<>();
        for (Map<String, Object> o : objects) {
            Map<String, Object> meta = KustomizeEmulator.child(o, "metadata");
            String id = o.get("apiVersion") + "/" + o.get("kind") + "/" + meta.getOrDefault("namespace", "") + "/" + meta.get("name");
            assertTrue(out.put(id, o) == null, "duplicate object " + id);
        }
        return out;
    }

    private static Set<String> ids(List<Map<String, Object>> objects) {
        return byId(objects).keySet();
    }

    private static List<Map<String, Object>> kubectlKustomize(Path kubectl, Path dir) throws Exception {
        Path out = Files.createTempFile("kustomize-", ".yaml");
        try {
            Process p = new ProcessBuilder(kubectl.toString(), "kustomize", dir.toString())
                    .redirectOutput(out.toFile())
                    .redirectError(ProcessBuilder.Redirect.PIPE)
                    .start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("kubectl kustomize " + dir + " did not finish within 120 s");
            }
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), "kubectl kustomize " + DeployFiles.relative(dir) + " failed: " + err);
            return DeployFiles.yamlObjects(out);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    static Optional<Path> onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, command);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (var files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (var files = Files.walk(root)) {
            for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }
}
