package ai.kubernaut.e2e.scenarios;

import ai.kubernaut.e2e.cluster.Cluster;
import ai.kubernaut.e2e.cluster.EmbeddedCluster;
import ai.kubernaut.e2e.cluster.RepoPaths;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs last: no service call was refused (403) during the suite, every verb each service's rbac.yaml grants was used by that service during the suite (or is in
 * the short allowlist below, with the reason), so the RBAC is "nothing more than the code uses"; and no
 * rule uses {@code *}. The "nothing less" half is enforced all along: the embedded cluster answers 403 to
 * any call the rules do not grant, which fails the scenario that made it.
 */
@ExtendWith(SuiteCluster.class)
@Order(Integer.MAX_VALUE)
class RbacCoverageIT {

    /**
     * Grants the suite cannot exercise, and why they are still right. Keyed {@code service: verb group/resource}.
     */
    static final Map<String, String> ALLOWED_UNUSED = Map.of(
            "remediation-orchestrator: patch core/events",
            "aggregates a repeated Event (count++) only when one replica re-blocks the same RR, which depends on"
                    + " timing here; the RO's ThreeReplicasOneTargetTest asserts that aggregation against the mock");

    @Test
    void everyGrantedVerbWasUsedByItsService(Cluster cluster) {
        if (cluster.control().isEmpty()) {
            // a real API server enforced the same RBAC during the run; coverage needs the embedded request log
            assertTrue(Files.isRegularFile(RepoPaths.rbac("gateway-service")));
            return;
        }
        JsonNode coverage = cluster.control().get().rbacCoverage();
        List<String> unused = new ArrayList<>();
        List<String> allowlisted = new ArrayList<>();
        for (String service : EmbeddedCluster.SERVICES) {
            JsonNode report = coverage.path(service);
            assertFalse(report.isMissingNode(), "no RBAC report for " + service);
            assertFalse(report.path("wildcard").asBoolean(), service + "'s rbac.yaml uses '*'");
            assertEquals("[]", report.path("denied").toString(), service + " made calls its RBAC does not grant (403)");
            for (JsonNode grant : report.path("grants")) {
                String key = service + ": " + grant.path("verb").asText() + " "
                        + (grant.path("apiGroup").asText().isEmpty() ? "core" : grant.path("apiGroup").asText())
                        + "/" + grant.path("resource").asText();
                if (grant.path("count").asLong() > 0) {
                    continue;
                }
                if (ALLOWED_UNUSED.containsKey(key)) {
                    allowlisted.add(key);
                } else {
                    unused.add(key);
                }
            }
        }
        System.out.println("RBAC grants not exercised but allowlisted (" + allowlisted.size() + "): " + allowlisted);
        assertEquals(List.of(), unused, "granted in deploy/base/<service>/rbac.yaml but never used by the service "
                + "during the suite: remove the grant, or allowlist it here with the reason");
    }
}
