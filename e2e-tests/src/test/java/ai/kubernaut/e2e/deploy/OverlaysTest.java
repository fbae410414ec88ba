package ai.kubernaut.e2e.deploy;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.WeightedPodAffinityTerm;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What each environment promises: dev is one open replica, prod three authenticated, spread replicas. */
class OverlaysTest {

    private static final List<String> SERVICES = List.of("gateway-service", "remediation-orchestrator");

    @Test
    void baseRunsThreeReplicasWithAuthenticationOn() {
        List<HasMetadata> objects = new ArrayList<>();
        for (String service : SERVICES) {
            objects.addAll(DeployFiles.load(DeployFiles.DEPLOY.resolve("base/" + service + "/deployment.yaml")));
        }
        for (String service : SERVICES) {
            assertEquals(3, DeployFiles.one(objects, Deployment.class, service).getSpec().getReplicas(), "base " + service);
        }
        assertEquals("tokenreview", authMode(objects), "base keeps Gateway auth on");
    }

    @Test
    void devRunsOneReplicaEachWithAuthenticationOff() {
        List<HasMetadata> objects = DeployFiles.rendered("dev");
        for (String service : SERVICES) {
            assertEquals(1, DeployFiles.one(objects, Deployment.class, service).getSpec().getReplicas(), "dev " + service);
        }
        assertEquals("none", authMode(objects), "dev turns Gateway auth off");
    }

    @Test
    void prodRunsThreeAuthenticatedReplicasSpreadOverNodes() {
        List<HasMetadata> objects = DeployFiles.rendered("prod");
        for (String service : SERVICES) {
            Deployment d = DeployFiles.one(objects, Deployment.class, service);
            assertEquals(3, d.getSpec().getReplicas(), "prod " + service);
            Affinity affinity = d.getSpec().getTemplate().getSpec().getAffinity();
            assertNotNull(affinity, "prod " + service + " has an affinity");
            List<WeightedPodAffinityTerm> terms = affinity.getPodAntiAffinity().getPreferredDuringSchedulingIgnoredDuringExecution();
            assertTrue(terms.stream().anyMatch(t -> t.getPodAffinityTerm().getTopologyKey().equals("kubernetes.io/hostname")
                            && service.equals(t.getPodAffinityTerm().getLabelSelector().getMatchLabels().get("app.kubernetes.io/name"))),
                    "prod " + service + " keeps its own replicas apart per node: " + terms);
            assertTrue(d.getSpec().getTemplate().getSpec().getTopologySpreadConstraints().stream()
                    .anyMatch(t -> t.getTopologyKey().equals("topology.kubernetes.io/zone")), "prod " + service + " spreads over zones");
            assertTrue(d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage().matches(".+:[0-9][^:]*"),
                    "prod pins a versioned image tag");
        }
        assertEquals("tokenreview", authMode(objects), "prod keeps Gateway auth on");
    }

    @Test
    void devDoesNotInheritProdScheduling() {
        for (String service : SERVICES) {
            assertNull(DeployFiles.one(DeployFiles.rendered("dev"), Deployment.class, service).getSpec().getTemplate().getSpec().getAffinity(),
                    "dev runs on a single-node kind/k3d cluster: no anti-affinity");
        }
    }

    private static String authMode(List<HasMetadata> objects) {
        Deployment gateway = DeployFiles.one(objects, Deployment.class, "gateway-service");
        return WorkloadsTest.env(gateway.getSpec().getTemplate().getSpec().getContainers().get(0), "GATEWAY_AUTH_MODE").getValue();
    }
}
