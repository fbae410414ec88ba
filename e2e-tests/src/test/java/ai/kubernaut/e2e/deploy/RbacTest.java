package ai.kubernaut.e2e.deploy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The RBAC files grant exactly the table the services' code needs (docs/contracts.md, each module README),
 * nothing more and no wildcard. Checked on the source files and on each rendered overlay.
 */
class RbacTest {

    private static final String NS = "kubernaut-system";

    /** One line per (role, apiGroup, resource, verb): the whole grant, least privilege. */
    private static final Set<String> GATEWAY = Set.of(
            "Role gateway-service: kubernaut.ai/remediationrequests get",
            "Role gateway-service: kubernaut.ai/remediationrequests list",
            "Role gateway-service: kubernaut.ai/remediationrequests watch",
            "Role gateway-service: kubernaut.ai/remediationrequests create",
            "Role gateway-service: kubernaut.ai/remediationrequests/status patch",
            "Role gateway-service: coordination.k8s.io/leases get",
            "Role gateway-service: coordination.k8s.io/leases list",
            "Role gateway-service: coordination.k8s.io/leases create",
            "Role gateway-service: coordination.k8s.io/leases update",
            "Role gateway-service: coordination.k8s.io/leases delete",
            "ClusterRole kubernaut-gateway-service: authentication.k8s.io/tokenreviews create",
            "ClusterRole kubernaut-gateway-service: authorization.k8s.io/subjectaccessreviews create",
            "ClusterRole kubernaut-gateway-service: core/pods get",
            "ClusterRole kubernaut-gateway-service: apps/replicasets get",
            "ClusterRole kubernaut-gateway-service: apps/statefulsets get",
            "ClusterRole kubernaut-gateway-service: apps/daemonsets get",
            "ClusterRole kubernaut-gateway-service: batch/jobs get");

    private static final Set<String> ORCHESTRATOR = Set.of(
            "Role remediation-orchestrator: kubernaut.ai/remediationrequests get",
            "Role remediation-orchestrator: kubernaut.ai/remediationrequests list",
            "Role remediation-orchestrator: kubernaut.ai/remediationrequests watch",
            "Role remediation-orchestrator: kubernaut.ai/remediationrequests patch",
            "Role remediation-orchestrator: kubernaut.ai/remediationrequests delete",
            "Role remediation-orchestrator: kubernaut.ai/remediationrequests/status patch",
            "Role remediation-orchestrator: kubernaut.ai/workflowexecutions create",
            "Role remediation-orchestrator: kubernaut.ai/workflowexecutions get",
            "Role remediation-orchestrator: kubernaut.ai/workflowexecutions list",
            "Role remediation-orchestrator: kubernaut.ai/workflowexecutions watch",
            "Role remediation-orchestrator: kubernaut.ai/workflowexecutions patch",
            "Role remediation-orchestrator: kubernaut.ai/workflowexecutions delete",
            "Role remediation-orchestrator: coordination.k8s.io/leases get",
            "Role remediation-orchestrator: coordination.k8s.io/leases list",
            "Role remediation-orchestrator: coordination.k8s.io/leases watch",
            "Role remediation-orchestrator: coordination.k8s.io/leases create",
            "Role remediation-orchestrator: coordination.k8s.io/leases update",
            "Role remediation-orchestrator: coordination.k8s.io/leases delete",
            "Role remediation-orchestrator: core/configmaps list",
            "Role remediation-orchestrator: core/configmaps watch",
            "Role remediation-orchestrator: core/events create",
            "Role remediation-orchestrator: core/events patch");

    @ParameterizedTest
    @ValueSource(strings = {"gateway-service", "remediation-orchestrator"})
    void rbacFileGrantsExactlyTheTable(String service) {
        List<HasMetadata> objects = DeployFiles.load(DeployFiles.DEPLOY.resolve("base/" + service + "/rbac.yaml"));
        assertEquals(new TreeSet<>(expected(service)), grants(objects), service + " rbac.yaml");
        assertBoundToItsServiceAccount(service, objects);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void renderedOverlayGrantsExactlyTheTableAndBindsEachDeploymentsServiceAccount(String overlay) {
        List<HasMetadata> objects = DeployFiles.rendered(overlay);
        Set<String> all = new TreeSet<>(GATEWAY);
        all.addAll(ORCHESTRATOR);
        all.add("Role kubernaut-signal-sender: kubernaut.ai/signals create");
        assertEquals(all, grants(objects), overlay + " overlay grants");
        for (String service : List.of("gateway-service", "remediation-orchestrator")) {
            assertBoundToItsServiceAccount(service, objects);
            Deployment d = DeployFiles.one(objects, Deployment.class, service);
            assertEquals(service, d.getSpec().getTemplate().getSpec().getServiceAccountName(), service + " runs as its own ServiceAccount");
            assertFalse(Boolean.FALSE.equals(d.getSpec().getTemplate().getSpec().getAutomountServiceAccountToken()),
                    service + " needs its token to reach the API server");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void signalSendersMayCreateExactlyWhatTheGatewayReviews(String overlay) {
        List<HasMetadata> objects = DeployFiles.rendered(overlay);
        Deployment gateway = DeployFiles.one(objects, Deployment.class, "gateway-service");
        var container = gateway.getSpec().getTemplate().getSpec().getContainers().get(0);
        String group = WorkloadsTest.env(container, "GATEWAY_AUTH_RESOURCE_GROUP").getValue();
        String resource = WorkloadsTest.env(container, "GATEWAY_AUTH_RESOURCE").getValue();
        Role sender = DeployFiles.one(objects, Role.class, "kubernaut-signal-sender");
        assertEquals(Set.of("Role kubernaut-signal-sender: " + group + "/" + resource + " create"), grants(List.of(sender)),
                "the sender Role grants exactly the SubjectAccessReview the Gateway makes");
        assertFalse(resource.equals("remediationrequests"), "senders must not be able to create RRs directly");
        assertTrue(objects.stream().filter(RoleBinding.class::isInstance).map(RoleBinding.class::cast)
                        .noneMatch(b -> b.getRoleRef().getName().equals("kubernaut-signal-sender")),
                "binding senders is the operator's choice (docs/operations.md), none is shipped");
    }

    @Test
    void theSenderResourceIsOneAnswerEverywhere() {
        // the service default, the Deployment, the shipped Role and both configuration tables name the same resource
        String source = DeployFiles.read(DeployFiles.ROOT.resolve(
                "gateway-service/src/main/java/ai/kubernaut/gateway/auth/AuthConfig.java"));
        Matcher m = Pattern.compile("@WithDefault\\(\"([^\"]+)\"\\)\\s+String resource\\(\\);").matcher(source);
        assertTrue(m.find(), "AuthConfig.resource() has a @WithDefault");
        String resource = m.group(1);
        assertEquals("signals", resource, "senders need not be able to create RRs");
        Deployment gateway = DeployFiles.one(DeployFiles.rendered("prod"), Deployment.class, "gateway-service");
        assertEquals(resource, WorkloadsTest.env(gateway.getSpec().getTemplate().getSpec().getContainers().get(0),
                "GATEWAY_AUTH_RESOURCE").getValue(), "the Deployment");
        assertEquals(Set.of("Role kubernaut-signal-sender: kubernaut.ai/" + resource + " create"),
                grants(List.of(DeployFiles.one(DeployFiles.rendered("prod"), Role.class, "kubernaut-signal-sender"))));
        for (String doc : List.of("gateway-service/README.md", "docs/operations.md")) {
            assertTrue(DeployFiles.read(DeployFiles.ROOT.resolve(doc)).contains("| `gateway.auth.resource` | `" + resource + "` |"),
                    doc + " documents the default " + resource);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gateway-service", "remediation-orchestrator"})
    void noWildcardsNoResourceNamesNoNonResourceUrls(String service) {
        for (HasMetadata o : DeployFiles.load(DeployFiles.DEPLOY.resolve("base/" + service + "/rbac.yaml"))) {
            for (PolicyRule rule : rules(o)) {
                List<String> all = new ArrayList<>(rule.getApiGroups());
                all.addAll(rule.getResources());
                all.addAll(rule.getVerbs());
                assertTrue(all.stream().noneMatch(s -> s.contains("*")), o.getKind() + " " + o.getMetadata().getName() + " uses a wildcard: " + rule);
                assertTrue(rule.getNonResourceURLs().isEmpty(), "no nonResourceURLs needed: " + rule);
                assertTrue(rule.getResourceNames().isEmpty(), "resourceNames would break create/list: " + rule);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gateway-service", "remediation-orchestrator"})
    void theGrantCheckIsNotVacuous(String service) {
        // the same comparison must fail when one verb too many is granted
        List<HasMetadata> objects = DeployFiles.load(DeployFiles.DEPLOY.resolve("base/" + service + "/rbac.yaml"));
        Role role = DeployFiles.one(objects, Role.class, service);
        role.getRules().get(0).getVerbs().add("deletecollection");
        assertFalse(grants(objects).equals(new TreeSet<>(expected(service))), "an extra verb must change the grant set");
    }

    private static Set<String> expected(String service) {
        return service.equals("gateway-service") ? GATEWAY : ORCHESTRATOR;
    }

    private static void assertBoundToItsServiceAccount(String service, List<HasMetadata> objects) {
        ServiceAccount sa = DeployFiles.one(objects, ServiceAccount.class, service);
        assertEquals(NS, sa.getMetadata().getNamespace(), "ServiceAccount " + service);
        Role role = DeployFiles.one(objects, Role.class, service);
        assertEquals(NS, role.getMetadata().getNamespace(), "Role " + service + " is namespaced to the controller namespace");
        RoleBinding binding = DeployFiles.one(objects, RoleBinding.class, service);
        assertEquals(NS, binding.getMetadata().getNamespace(), "RoleBinding " + service);
        assertRef(binding.getRoleRef(), "Role", service);
        assertOnlySubject(binding.getSubjects(), service);
        List<ClusterRoleBinding> clusterBindings = objects.stream().filter(ClusterRoleBinding.class::isInstance)
                .map(ClusterRoleBinding.class::cast)
                .filter(b -> b.getSubjects().stream().anyMatch(s -> service.equals(s.getName()))).toList();
        if (service.equals("gateway-service")) {
            assertEquals(1, clusterBindings.size(), "the gateway has one ClusterRoleBinding");
            assertRef(clusterBindings.get(0).getRoleRef(), "ClusterRole", "kubernaut-gateway-service");
            assertOnlySubject(clusterBindings.get(0).getSubjects(), service);
        } else {
            assertEquals(List.of(), clusterBindings, "the orchestrator needs no cluster-wide rights");
        }
    }

    private static void assertRef(RoleRef ref, String kind, String name) {
        assertEquals("rbac.authorization.k8s.io", ref.getApiGroup());
        assertEquals(kind, ref.getKind());
        assertEquals(name, ref.getName());
    }

    private static void assertOnlySubject(List<Subject> subjects, String service) {
        assertEquals(1, subjects.size(), "one subject: " + subjects);
        assertEquals("ServiceAccount", subjects.get(0).getKind());
        assertEquals(service, subjects.get(0).getName());
        assertEquals(NS, subjects.get(0).getNamespace());
    }

    /** Flattens every Role/ClusterRole rule into "Kind name: group/resource verb" lines. */
    static Set<String> grants(List<HasMetadata> objects) {
        Set<String> out = new TreeSet<>();
        for (HasMetadata o : objects) {
            for (PolicyRule rule : rules(o)) {
                for (String group : rule.getApiGroups()) {
                    for (String resource : rule.getResources()) {
                        for (String verb : rule.getVerbs()) {
                            String line = o.getKind() + " " + o.getMetadata().getName() + ": "
                                    + (group.isEmpty() ? "core" : group) + "/" + resource + " " + verb;
                            assertTrue(out.add(line), "granted twice: " + line);
                        }
                    }
                }
            }
        }
        return out;
    }

    private static List<PolicyRule> rules(HasMetadata o) {
        if (o instanceof Role r) {
            return r.getRules();
        }
        if (o instanceof ClusterRole r) {
            assertTrue(r.getAggregationRule() == null, "no aggregated ClusterRoles");
            return r.getRules();
        }
        return List.of();
    }
}
