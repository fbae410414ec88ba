package ai.kubernaut.e2e.scenarios;

import ai.kubernaut.testserver.rbac.PolicyRule;
import ai.kubernaut.testserver.rbac.ServicePolicy;
import ai.kubernaut.e2e.cluster.Cluster;
import ai.kubernaut.e2e.cluster.EmbeddedCluster;
import ai.kubernaut.e2e.cluster.RepoPaths;
import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Isolated;

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
@Isolated // after every other scenario, in both lanes, used the cluster
@Order(Integer.MAX_VALUE)
class RbacCoverageIT {

    /**
     * Grants the suite cannot exercise, and why they are still right. Keyed {@code service: verb group/resource}.
     */
    static final Map<String, String> ALLOWED_UNUSED = Map.of(
            "remediation-orchestrator: patch core/events",
            "used: bumps an Event when the same replica blocks the same RR again; with 3 replicas racing that is "
                    + "likely but not certain in one run (the RO's own 3-replica test asserts it)",
            "remediation-orchestrator: get kubernaut.ai/workflowexecutions",
            "used: reads one WFE by name after a fenced create (409) or when the informer does not have it yet; "
                    + "routing decides from the informer, so whether a run hits either is timing (the RO's "
                    + "PausedLockHolderTest asserts the 409 path)",
            "remediation-orchestrator: patch kubernaut.ai/remediationrequests",
            "used: writes the kubernaut.ai/shard label on an RR that arrived without it or with another shard's; the "
                    + "e2e RRs carry the right one, as the Gateway's do (the RO's ReplicasDivideTargetsTest and "
                    + "MisfiledObjectsTest assert the labelling)",
            "remediation-orchestrator: patch kubernaut.ai/workflowexecutions",
            "used: writes the kubernaut.ai/shard label on a WFE created before shards existed (only after an "
                    + "upgrade) or copied with another target's labels (the RO's ControllerEdgeCasesTest and "
                    + "MisfiledObjectsTest assert it)");

    @Test
    void everyGrantedVerbWasUsedByItsService(Cluster cluster) throws java.io.IOException {
        if (cluster.control().isEmpty()) {
            // no request log on a real cluster: its authorizer enforced the same RBAC all along, so check that no
            // replica of this run was refused a call (client errors are logged with the server's Forbidden)
            List<String> refused = new ArrayList<>();
            for (String namespace : cluster.namespaces()) {
                java.nio.file.Path dir = RepoPaths.logs().resolve(namespace);
                if (!Files.isDirectory(dir)) {
                    continue;
                }
                // the replicas' *.log files; Alertmanagers also keep data directories next to theirs
                try (var logs = Files.list(dir)) {
                    for (java.nio.file.Path log : logs.filter(f -> f.toString().endsWith(".log")).toList()) {
                        Files.readAllLines(log).stream().filter(l -> l.contains("Forbidden") || l.contains("forbidden:"))
                                .limit(3).forEach(l -> refused.add(log.getFileName() + ": " + l));
                    }
                }
            }
            assertEquals(List.of(), refused, "service calls refused by the cluster's RBAC");
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

    /**
     * The API server (real, or the embedded one) grants each service's ServiceAccount exactly what its
     * rbac.yaml says, asked through SubjectAccessReviews in a fresh namespace: every granted verb allowed, and
     * a few things the services must never do refused. On a real cluster this also checks that the embedded
     * cluster's reading of the files matches the real authorizer.
     */
    @Test
    void theApiServerGrantsExactlyTheRbacFiles(Cluster cluster) {
        String namespace = cluster.createNamespace("rbac-check");
        for (String service : EmbeddedCluster.SERVICES) {
            ServicePolicy policy = ServicePolicy.load(service, RepoPaths.rbac(service));
            for (PolicyRule rule : policy.allRules()) {
                for (PolicyRule.Grant grant : rule.grants()) {
                    assertTrue(allowed(cluster, service, namespace, grant.verb(), grant.apiGroup(), grant.resource()),
                            service + " may " + grant + " in its namespace");
                }
            }
        }
        assertFalse(allowed(cluster, "gateway-service", namespace, "delete", "kubernaut.ai", "remediationrequests"));
        assertFalse(allowed(cluster, "gateway-service", namespace, "create", "kubernaut.ai", "workflowexecutions"));
        assertFalse(allowed(cluster, "gateway-service", namespace, "get", "", "secrets"));
        assertFalse(allowed(cluster, "remediation-orchestrator", namespace, "create", "kubernaut.ai", "remediationrequests"));
        assertFalse(allowed(cluster, "remediation-orchestrator", namespace, "update", "kubernaut.ai", "workflowexecutions"));
        assertFalse(allowed(cluster, "gateway-service", namespace, "watch", "coordination.k8s.io", "leases"));
        assertFalse(allowed(cluster, "remediation-orchestrator", namespace, "kube-system", "get", "coordination.k8s.io", "leases"),
                "the RO's Role binds in its own namespace only");
    }

    private static boolean allowed(Cluster cluster, String service, String namespace, String verb, String group,
                                   String resourceWithSubresource) {
        return allowed(cluster, service, namespace, namespace, verb, group, resourceWithSubresource);
    }

    /** Whether ServiceAccount {@code service} of {@code namespace} may {@code verb} the resource in {@code resourceNamespace}. */
    private static boolean allowed(Cluster cluster, String service, String namespace, String resourceNamespace, String verb,
                                   String group, String resourceWithSubresource) {
        String[] parts = resourceWithSubresource.split("/", 2);
        SubjectAccessReview review = new SubjectAccessReviewBuilder().withNewSpec()
                .withUser("system:serviceaccount:" + namespace + ":" + service)
                .withGroups("system:serviceaccounts", "system:serviceaccounts:" + namespace, "system:authenticated")
                .withNewResourceAttributes().withNamespace(resourceNamespace).withVerb(verb).withGroup(group)
                .withResource(parts[0]).withSubresource(parts.length > 1 ? parts[1] : null).endResourceAttributes()
                .endSpec().build();
        return cluster.admin().authorization().v1().subjectAccessReview().create(review).getStatus().getAllowed();
    }
}
