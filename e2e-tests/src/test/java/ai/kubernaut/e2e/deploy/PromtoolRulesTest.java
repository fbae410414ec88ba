package ai.kubernaut.e2e.deploy;

import ai.kubernaut.e2e.prometheus.PrometheusBinaries;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The alert rules of the PrometheusRule (as rendered from deploy/monitoring), checked by the real promtool (it fails
 * loudly when Prometheus is not installed): {@code promtool check rules} on its groups, and {@code promtool test
 * rules} with one test file per group (src/test/resources/deploy/promtool/&lt;group&gt;.test.yaml), each alert with a
 * firing and a quiet case. The test files load {@code rules.yaml}, which this test writes next to a copy of them with
 * the groups of the PrometheusRule's spec; descriptions are dropped there (prose with values; labels, summary and
 * runbook_url are compared).
 */
class PromtoolRulesTest {

    private static final Path TESTS = DeployFiles.ROOT.resolve("e2e-tests/src/test/resources/deploy/promtool");
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void promtoolChecksEveryRuleGroupOfThePrometheusRule() throws Exception {
        List<Map<String, Object>> groups = groups();
        int rules = groups.stream().mapToInt(g -> list(g.get("rules")).size()).sum();
        Path dir = Files.createTempDirectory("promtool-check-");
        try {
            Path file = dir.resolve("rules.yaml");
            YAML.writeValue(file.toFile(), Map.of("groups", groups));
            Result result = promtool(dir, "check", "rules", file.toString());
            assertEquals(0, result.exitCode(), result.output());
            assertTrue(result.output().contains("SUCCESS: " + rules + " rules found"), result.output());
        } finally {
            deleteTree(dir);
        }
    }

    @Test
    void everyGroupHasATestFileWithAFiringAndAQuietCaseForEachAlert() {
        List<Map<String, Object>> groups = groups();
        Set<String> expectedFiles = new TreeSet<>();
        for (Map<String, Object> group : groups) {
            String name = (String) group.get("name");
            expectedFiles.add(name + ".test.yaml");
            Map<String, Object> tests = testFile(name);
            assertEquals(List.of("rules.yaml"), tests.get("rule_files"), name);
            Set<String> firing = new TreeSet<>();
            Set<String> quiet = new TreeSet<>();
            for (Map<String, Object> test : list(tests.get("tests"))) {
                for (Map<String, Object> check : list(test.getOrDefault("alert_rule_test", List.of()))) {
                    List<?> expected = (List<?>) check.getOrDefault("exp_alerts", List.of());
                    (expected.isEmpty() ? quiet : firing).add((String) check.get("alertname"));
                }
            }
            for (Map<String, Object> rule : list(group.get("rules"))) {
                String alert = (String) rule.get("alert");
                assertTrue(firing.contains(alert), name + ".test.yaml: no case where " + alert + " fires");
                assertTrue(quiet.contains(alert), name + ".test.yaml: no case where " + alert + " stays quiet");
            }
        }
        try (Stream<Path> files = Files.list(TESTS)) {
            assertEquals(expectedFiles, files.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toCollection(TreeSet::new)),
                    "one test file per rule group, none for a group that is gone");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Stream<String> groupNames() {
        return groups().stream().map(g -> (String) g.get("name"));
    }

    @ParameterizedTest
    @MethodSource("groupNames")
    void promtoolTestRulesPasses(String group) throws Exception {
        Result result = testRules(group, "", "");
        assertEquals(0, result.exitCode(), "promtool test rules " + group + ".test.yaml:\n" + result.output());
        assertTrue(result.output().contains("SUCCESS"), result.output());
    }

    @Test
    void promtoolTestRulesCatchesTheFenceCountedAsAFailure() throws Exception {
        // the rules were wrong once this way (already_exists, the fence of a normal race, counted as an error):
        // the quiet case of the normal race must catch it, so the tests above are not vacuous
        String original = "gateway_crd_creation_errors_total{error_type!=\"already_exists\"}";
        Result result = testRules("kubernaut-gateway-lock", original, "gateway_crd_creation_errors_total");
        assertNotEquals(0, result.exitCode(), "promtool must fail on the broken rule:\n" + result.output());
        assertTrue(result.output().contains("KubernautGatewayCrdCreationErrors"), result.output());
    }

    /** Runs the group's test file against the rules, with {@code from} replaced by {@code to} in the expressions. */
    private static Result testRules(String group, String from, String to) throws Exception {
        List<Map<String, Object>> groups = JSON.convertValue(groups(), JSON.getTypeFactory().constructCollectionType(List.class, Map.class));
        boolean changed = false;
        for (Map<String, Object> g : groups) {
            for (Map<String, Object> rule : list(g.get("rules"))) {
                String expr = (String) rule.get("expr");
                String next = from.isEmpty() ? expr : expr.replace(from, to);
                changed |= !next.equals(expr);
                rule.put("expr", next);
                @SuppressWarnings("unchecked")
                Map<String, Object> annotations = (Map<String, Object>) rule.get("annotations");
                annotations.remove("description");
            }
        }
        assertTrue(changed || from.isEmpty(), "no expression contains " + from);
        Path dir = Files.createTempDirectory("promtool-test-");
        try {
            YAML.writeValue(dir.resolve("rules.yaml").toFile(), Map.of("groups", groups));
            Path test = Files.copy(TESTS.resolve(group + ".test.yaml"), dir.resolve(group + ".test.yaml"));
            return promtool(dir, "test", "rules", test.getFileName().toString());
        } finally {
            deleteTree(dir);
        }
    }

    private static List<Map<String, Object>> groups() {
        Map<String, Object> rule = DeployFiles.yamlObjects(DeployFiles.RENDERED.resolve("monitoring.yaml")).stream()
                .filter(o -> "PrometheusRule".equals(o.get("kind"))).findFirst().orElseThrow();
        @SuppressWarnings("unchecked")
        Map<String, Object> spec = (Map<String, Object>) rule.get("spec");
        List<Map<String, Object>> groups = list(spec.get("groups"));
        assertTrue(groups.size() >= 5, "rule groups: " + groups.size());
        return groups;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> testFile(String group) {
        Path file = TESTS.resolve(group + ".test.yaml");
        assertTrue(Files.isRegularFile(file), "no promtool test file for rule group " + group + ": " + DeployFiles.relative(file));
        return (Map<String, Object>) DeployFiles.yamlDocuments(file).get(0);
    }

    private record Result(int exitCode, String output) {
    }

    private static Result promtool(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(PrometheusBinaries.promtool().toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("promtool " + String.join(" ", args) + " did not finish within 120 s");
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Object o) {
        return (List<Map<String, Object>>) o;
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }
}
