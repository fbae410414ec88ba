package ai.kubernaut.orchestrator.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.orchestrator.cluster.TestCatalog;
import ai.kubernaut.testserver.catalog.TestWorkflowCatalog;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WorkflowCatalogTest {

    static final String CATALOG = """
            workflows:
              - signalName: "*"
                workflowId: generic-diagnose
              - signalName: KubePodCrashLooping   # "*" matches any signal
                severity: critical
                workflowId: restart-deployment
                workflowName: Restart the owning Deployment
                actionType: restart
                version: "1.0.0"
                executionBundle: bundles/restart-deployment:1.0.0
                parameters: {strategy: rolling, maxUnavailable: 1}
                cooldown: 5m
              - signalName: KubePodCrashLooping
                workflowId: restart-any-severity
                cooldown: 1h30m
              - signalName: NodeNotReady
                severity: "*"
                workflowId: drain-node
                futureField: ignored
            """;

    final KubernetesSerialization serialization = new KubernetesSerialization();
    final WorkflowCatalog catalog = WorkflowCatalog.parse(CATALOG, serialization);

    @Test
    void exactSignalAndSeverityMatchWithAllFields() {
        WorkflowSelection selection = catalog.match("KubePodCrashLooping", "critical").orElseThrow();
        assertEquals("restart-deployment", selection.workflowId());
        assertEquals("Restart the owning Deployment", selection.workflowName());
        assertEquals("restart", selection.actionType());
        assertEquals("1.0.0", selection.version());
        assertEquals("bundles/restart-deployment:1.0.0", selection.executionBundle());
        assertEquals(Map.of("strategy", "rolling", "maxUnavailable", "1"), selection.parameters());
        assertEquals(Optional.of(Duration.ofMinutes(5)), selection.cooldown());
    }

    @Test
    void firstMatchWinsAndSeverityIsCaseInsensitive() {
        assertEquals("restart-deployment", catalog.match("KubePodCrashLooping", "CRITICAL").orElseThrow()
                .workflowId());
        WorkflowSelection warning = catalog.match("KubePodCrashLooping", "warning").orElseThrow();
        assertEquals("restart-any-severity", warning.workflowId());
        assertEquals(Optional.of(Duration.ofMinutes(90)), warning.cooldown());
    }

    @Test
    void exactSignalNameBeatsAnEarlierWildcard() {
        assertEquals("drain-node", catalog.match("NodeNotReady", null).orElseThrow().workflowId());
        assertEquals("generic-diagnose", catalog.match("SomethingElse", "info").orElseThrow().workflowId());
    }

    @Test
    void noEntryNoMatch() {
        WorkflowCatalog noWildcard = WorkflowCatalog.parse("""
                workflows:
                  - signalName: NodeNotReady
                    severity: critical
                    workflowId: drain-node
                """, serialization);
        assertTrue(noWildcard.match("NodeNotReady", "warning").isEmpty());
        assertTrue(noWildcard.match("Other", "critical").isEmpty());
        assertTrue(WorkflowCatalog.parse("", serialization).match("NodeNotReady", "critical").isEmpty());
    }

    @Test
    void malformedCatalogsAreRejectedWithTheEntryNamed() {
        var missingId = assertThrows(IllegalArgumentException.class, () -> WorkflowCatalog.parse("""
                workflows:
                  - signalName: A
                    workflowId: a
                  - signalName: B
                """, serialization));
        assertTrue(missingId.getMessage().contains("workflows[1]: workflowId is required"), missingId.getMessage());

        var badCooldown = assertThrows(IllegalArgumentException.class, () -> WorkflowCatalog.parse("""
                workflows:
                  - signalName: A
                    workflowId: a
                    cooldown: five minutes
                """, serialization));
        assertTrue(badCooldown.getMessage().startsWith("workflows[0]: cooldown"), badCooldown.getMessage());

        assertThrows(IllegalArgumentException.class, () -> WorkflowCatalog.parse("workflows: [ {", serialization));
    }

    @Test
    void durationsInManifestAndIsoForms() {
        assertEquals(Duration.ofSeconds(90), GoDuration.parse("90s"));
        assertEquals(Duration.ofMillis(1500), GoDuration.parse("1s500ms"));
        assertEquals(Duration.ofMinutes(5), GoDuration.parse("PT5M"));
        assertEquals(Duration.ZERO, GoDuration.parse("0"));
        assertThrows(IllegalArgumentException.class, () -> GoDuration.parse("5 m"));
        assertThrows(IllegalArgumentException.class, () -> GoDuration.parse("-5m"));
    }

    @Test
    void sharedTestCatalogIsTheConfigMapThisServiceReadsAndParses() {
        // the tests and the e2e suite install the catalog through kube-test-server, which cannot see our constants
        assertEquals(CatalogWorkflowSelector.CONFIG_MAP_NAME, TestWorkflowCatalog.CONFIG_MAP);
        assertEquals(CatalogWorkflowSelector.CATALOG_KEY, TestWorkflowCatalog.KEY);
        WorkflowCatalog tests = WorkflowCatalog.parse(TestCatalog.YAML, serialization);
        assertEquals("restart-deployment", tests.match(TestCatalog.RESTART, "critical").orElseThrow().workflowId());
        assertEquals("increase-memory", tests.match(TestCatalog.OOM, "warning").orElseThrow().workflowId());
        assertTrue(tests.match(TestCatalog.UNKNOWN, "critical").isEmpty());
    }
}
