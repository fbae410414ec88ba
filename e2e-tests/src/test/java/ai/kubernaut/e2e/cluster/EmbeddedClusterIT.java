package ai.kubernaut.e2e.cluster;

import ai.kubernaut.testserver.ApiServerControl;
import ai.kubernaut.testserver.Caller;
import ai.kubernaut.testserver.EmbeddedApiServer;
import ai.kubernaut.testserver.RequestRecord;
import ai.kubernaut.e2e.observe.KubernautObjects;
import ai.kubernaut.e2e.process.ManagedProcess;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The embedded cluster as the suite uses it: its own process, the real rbac.yaml of each service enforced
 * per service token, the request log over HTTP, and a process that goes away when closed.
 */
@Order(0)
class EmbeddedClusterIT {

    private static EmbeddedCluster cluster;
    private static String namespace;

    @BeforeAll
    static void start() {
        cluster = EmbeddedCluster.start();
        namespace = cluster.createNamespace("harness");
    }

    @AfterAll
    static void stop() {
        ManagedProcess process = cluster.process();
        cluster.close();
        assertFalse(process.isAlive(), "the API server process is stopped");
    }

    private static KubernetesClient as(String service, String pod) {
        return new KubernetesClientBuilder().withConfig(EmbeddedApiServer.clientConfig(cluster.url(),
                Caller.serviceAccountToken(namespace, service, pod))).build();
    }

    @Test
    void runsInItsOwnProcessWithTheCrdsRegistered() {
        assertTrue(cluster.process().pid() != ProcessHandle.current().pid());
        assertEquals(List.of(), KubernautObjects.listRrs(cluster.admin(), namespace));
        assertEquals(List.of(), KubernautObjects.listWfes(cluster.admin(), namespace));
    }

    @Test
    void enforcesEachServicesRbacYaml() {
        try (KubernetesClient gateway = as("gateway-service", "gw-0");
             KubernetesClient orchestrator = as("remediation-orchestrator", "ro-0")) {
            KubernetesClientException gatewayReadsWfes = assertThrows(KubernetesClientException.class,
                    () -> KubernautObjects.listWfes(gateway, namespace));
            assertEquals(403, gatewayReadsWfes.getCode(), "the Gateway has no business with WorkflowExecutions");
            assertEquals(List.of(), KubernautObjects.listWfes(orchestrator, namespace));
            KubernetesClientException roCreatesRr = assertThrows(KubernetesClientException.class,
                    () -> KubernautObjects.rrs(orchestrator).inNamespace(namespace).resource(
                            new io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder()
                                    .withApiVersion(KubernautObjects.API_VERSION).withKind(KubernautObjects.RR_KIND)
                                    .withNewMetadata().withName("rr-x").endMetadata().build()).create());
            assertEquals(403, roCreatesRr.getCode(), "only the Gateway creates RRs");
            KubernetesClientException otherNamespace = assertThrows(KubernetesClientException.class,
                    () -> gateway.leases().inNamespace("kube-system").list());
            assertEquals(403, otherNamespace.getCode(), "Roles bind in the service's own namespace only");
        }
    }

    @Test
    void logsRequestsPerReplica() {
        ApiServerControl control = cluster.control().orElseThrow();
        long mark = control.mark();
        try (KubernetesClient gateway = as("gateway-service", "gw-7")) {
            gateway.leases().inNamespace(namespace).resource(new LeaseBuilder().withNewMetadata().withName("gw-lock-0000000000000001")
                    .endMetadata().build()).create();
            gateway.leases().inNamespace(namespace).withName("gw-lock-0000000000000001").delete();
        }
        List<RequestRecord> leaseCalls = control.since(mark).stream().filter(RequestRecord::isLease).toList();
        assertEquals(List.of("create", "delete"), leaseCalls.stream().map(RequestRecord::verb).toList());
        assertTrue(leaseCalls.stream().allMatch(r -> r.pod().equals("gw-7") && r.caller().equals("gateway-service")));
    }
}
