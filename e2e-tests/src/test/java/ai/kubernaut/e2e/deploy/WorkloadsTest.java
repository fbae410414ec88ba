package ai.kubernaut.e2e.deploy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pods are hardened (restricted Pod Security), identify themselves through the Downward API, are probed on
 * the Quarkus health endpoints of the management port, have requests and limits, and can be scraped; their
 * Service and PodDisruptionBudget select them. Checked on the base files and on each rendered overlay.
 */
class WorkloadsTest {

    private static final int MANAGEMENT_PORT = 9000;
    private static final List<String> SERVICES = List.of("gateway-service", "remediation-orchestrator");

    @TestFactory
    Stream<DynamicTest> everyDeploymentIsHardenedProbedAndIdentified() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String service : SERVICES) {
            Path dir = DeployFiles.DEPLOY.resolve("base/" + service);
            List<HasMetadata> objects = new ArrayList<>();
            for (String f : List.of("deployment.yaml", "service.yaml", "pdb.yaml")) {
                objects.addAll(DeployFiles.load(dir.resolve(f)));
            }
            tests.add(DynamicTest.dynamicTest("base " + service, () -> assertWorkload(service, objects)));
        }
        for (String overlay : List.of("dev", "prod")) {
            for (String service : SERVICES) {
                tests.add(DynamicTest.dynamicTest(overlay + " " + service, () -> assertWorkload(service, DeployFiles.rendered(overlay))));
            }
        }
        return tests.stream();
    }

    private static void assertWorkload(String service, List<HasMetadata> objects) {
        Deployment d = DeployFiles.one(objects, Deployment.class, service);
        PodSpec pod = d.getSpec().getTemplate().getSpec();
        Map<String, String> podLabels = d.getSpec().getTemplate().getMetadata().getLabels();
        assertTrue(selects(d.getSpec().getSelector().getMatchLabels(), podLabels), service + ": the selector does not select its own pods");

        PodSecurityContext podSecurity = pod.getSecurityContext();
        assertNotNull(podSecurity, service + ": pod securityContext");
        assertEquals(Boolean.TRUE, podSecurity.getRunAsNonRoot(), service + ": runAsNonRoot");
        assertEquals("RuntimeDefault", podSecurity.getSeccompProfile().getType(), service + ": seccomp");
        assertNotEquals(Boolean.TRUE, pod.getHostNetwork(), service + ": hostNetwork");
        assertNotEquals(Boolean.TRUE, pod.getHostPID(), service + ": hostPID");

        assertEquals(1, pod.getContainers().size(), service + ": one container");
        Container c = pod.getContainers().get(0);
        SecurityContext sc = c.getSecurityContext();
        assertNotNull(sc, service + ": container securityContext");
        assertEquals(Boolean.FALSE, sc.getAllowPrivilegeEscalation(), service + ": allowPrivilegeEscalation");
        assertEquals(Boolean.TRUE, sc.getReadOnlyRootFilesystem(), service + ": readOnlyRootFilesystem");
        assertNotEquals(Boolean.TRUE, sc.getPrivileged(), service + ": privileged");
        assertEquals(List.of("ALL"), sc.getCapabilities().getDrop(), service + ": capabilities drop");
        assertTrue(sc.getCapabilities().getAdd().isEmpty(), service + ": no added capabilities");
        assertNotEquals(Long.valueOf(0), sc.getRunAsUser(), service + ": never root");

        // /tmp is the only writable path: an emptyDir
        VolumeMount tmp = c.getVolumeMounts().stream().filter(m -> m.getMountPath().equals("/tmp")).findFirst()
                .orElseThrow(() -> new AssertionError(service + ": /tmp is not mounted"));
        Volume tmpVolume = pod.getVolumes().stream().filter(v -> v.getName().equals(tmp.getName())).findFirst()
                .orElseThrow(() -> new AssertionError(service + ": volume " + tmp.getName() + " is missing"));
        assertNotNull(tmpVolume.getEmptyDir(), service + ": /tmp must be an emptyDir");

        assertFieldRef(c, "POD_NAME", "metadata.name", service);
        assertFieldRef(c, "POD_NAMESPACE", "metadata.namespace", service);
        assertEquals(String.valueOf(MANAGEMENT_PORT), env(c, "QUARKUS_MANAGEMENT_PORT").getValue(), service + ": management port");

        ContainerPort management = c.getPorts().stream().filter(p -> "management".equals(p.getName())).findFirst()
                .orElseThrow(() -> new AssertionError(service + ": no container port named management"));
        assertEquals(MANAGEMENT_PORT, management.getContainerPort(), service + ": management port number");
        assertHttpProbe(c, c.getLivenessProbe(), "/q/health/live", service + " liveness");
        assertHttpProbe(c, c.getReadinessProbe(), "/q/health/ready", service + " readiness");

        for (String kind : List.of("requests", "limits")) {
            Map<String, Quantity> q = kind.equals("requests") ? c.getResources().getRequests() : c.getResources().getLimits();
            assertNotNull(q, service + ": resources." + kind);
            assertTrue(q.containsKey("cpu") && q.containsKey("memory"), service + ": resources." + kind + " cpu and memory: " + q);
        }
        for (String resource : List.of("cpu", "memory")) {
            assertTrue(Quantity.getAmountInBytes(c.getResources().getRequests().get(resource))
                            .compareTo(Quantity.getAmountInBytes(c.getResources().getLimits().get(resource))) <= 0,
                    service + ": " + resource + " request above its limit");
        }

        Map<String, String> annotations = d.getSpec().getTemplate().getMetadata().getAnnotations();
        assertEquals("true", annotations.get("prometheus.io/scrape"), service + ": prometheus.io/scrape");
        assertEquals(String.valueOf(MANAGEMENT_PORT), annotations.get("prometheus.io/port"), service + ": prometheus.io/port");
        assertEquals("/q/metrics", annotations.get("prometheus.io/path"), service + ": prometheus.io/path");

        assertFalse(c.getImage().endsWith(":latest") || !c.getImage().contains(":"), service + ": pin an image tag, not latest: " + c.getImage());

        Service svc = DeployFiles.one(objects, Service.class, service);
        assertTrue(selects(svc.getSpec().getSelector(), podLabels), service + ": the Service does not select the pods");
        for (ServicePort port : svc.getSpec().getPorts()) {
            assertEquals(port.getName(), port.getTargetPort().getStrVal(), service + ": Service ports target the container port of the same name");
            assertTrue(c.getPorts().stream().anyMatch(p -> port.getName().equals(p.getName())), service + ": Service port " + port.getName() + " has no container port");
        }
        assertTrue(svc.getSpec().getPorts().stream().anyMatch(p -> "management".equals(p.getName())), service + ": Service exposes management for scraping");

        PodDisruptionBudget pdb = DeployFiles.one(objects, PodDisruptionBudget.class, service);
        assertTrue(selects(pdb.getSpec().getSelector().getMatchLabels(), podLabels), service + ": the PDB does not select the pods");
        assertEquals(1, pdb.getSpec().getMaxUnavailable().getIntVal(), service + ": PDB maxUnavailable 1 (also drains a 1-replica dev install)");
    }

    private static void assertHttpProbe(Container c, Probe probe, String path, String what) {
        assertNotNull(probe, what + " probe");
        HTTPGetAction get = probe.getHttpGet();
        assertNotNull(get, what + " is an HTTP probe");
        assertEquals(path, get.getPath(), what + " path");
        assertEquals(MANAGEMENT_PORT, portNumber(c, get.getPort()), what + " port");
    }

    private static int portNumber(Container c, IntOrString port) {
        if (port.getIntVal() != null) {
            return port.getIntVal();
        }
        return c.getPorts().stream().filter(p -> port.getStrVal().equals(p.getName())).findFirst()
                .orElseThrow(() -> new AssertionError("no container port named " + port.getStrVal())).getContainerPort();
    }

    private static void assertFieldRef(Container c, String name, String fieldPath, String service) {
        EnvVar var = env(c, name);
        assertNotNull(var.getValueFrom(), service + ": " + name + " comes from the Downward API");
        assertEquals(fieldPath, var.getValueFrom().getFieldRef().getFieldPath(), service + ": " + name);
    }

    static EnvVar env(Container c, String name) {
        List<EnvVar> found = c.getEnv().stream().filter(e -> name.equals(e.getName())).toList();
        assertEquals(1, found.size(), c.getName() + ": env " + name + " must be set exactly once");
        return found.get(0);
    }

    private static boolean selects(Map<String, String> selector, Map<String, String> labels) {
        return selector != null && !selector.isEmpty() && selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }
}
