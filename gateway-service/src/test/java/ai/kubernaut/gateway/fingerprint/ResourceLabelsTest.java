package ai.kubernaut.gateway.fingerprint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.gateway.signal.InvalidSignalException;
import ai.kubernaut.gateway.signal.Signal;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResourceLabelsTest {

    private static Map<String, String> labels(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    private static Signal.Resource resolve(String... kv) {
        return ResourceLabels.resolve(labels(kv), "alerts[0].labels");
    }

    @Test
    void controllersWinOverPodsAndPodsOverNodes() {
        assertEquals(new Signal.Resource("Deployment", "web", "shop", "apps/v1"),
                resolve("namespace", "shop", "pod", "web-1", "deployment", "web", "node", "n1"));
        assertEquals(new Signal.Resource("Pod", "web-1", "shop", "v1"),
                resolve("namespace", "shop", "pod", "web-1", "node", "n1"));
        assertEquals(new Signal.Resource("StatefulSet", "db", "shop", "apps/v1"),
                resolve("namespace", "shop", "statefulset", "db", "pod", "db-0"));
        assertEquals(new Signal.Resource("DaemonSet", "agent", "ops", "apps/v1"),
                resolve("namespace", "ops", "daemonset", "agent"));
        assertEquals(new Signal.Resource("ReplicaSet", "web-7d9", "shop", "apps/v1"),
                resolve("namespace", "shop", "replicaset", "web-7d9", "pod", "web-7d9-x"));
        assertEquals(new Signal.Resource("CronJob", "backup", "ops", "batch/v1"),
                resolve("namespace", "ops", "cronjob", "backup", "job_name", "backup-123"));
        assertEquals(new Signal.Resource("PersistentVolumeClaim", "data", "shop", "v1"),
                resolve("namespace", "shop", "persistentvolumeclaim", "data"));
        assertEquals(new Signal.Resource("PersistentVolume", "pv-1", "", "v1"),
                resolve("persistentvolume", "pv-1"));
    }

    @Test
    void prometheusTargetLabelsAreNotResources() {
        // job = scrape job, service = scraped Service (ServiceMonitor): present on every series
        assertEquals(new Signal.Resource("Job", "backup-123", "ops", "batch/v1"),
                resolve("namespace", "ops", "job", "kube-state-metrics", "service", "ksm", "job_name", "backup-123"));
        InvalidSignalException e = assertThrows(InvalidSignalException.class,
                () -> resolve("namespace", "ops", "job", "kube-state-metrics", "service", "ksm", "instance", "x:9"));
        assertEquals("alerts[0].labels", e.field());
    }

    @Test
    void exportedLabelsArePreferred() {
        assertEquals(new Signal.Resource("Pod", "app-1", "shop", "v1"),
                resolve("namespace", "monitoring", "exported_namespace", "shop", "pod", "ksm-0",
                        "exported_pod", "app-1"));
        assertEquals("shop", ResourceLabels.namespace(labels("namespace", "monitoring", "exported_namespace", "shop")));
        assertEquals("monitoring", ResourceLabels.namespace(labels("namespace", "monitoring", "exported_namespace", "")));
    }

    @Test
    void nodesAreClusterScopedEvenWithANamespaceLabel() {
        assertEquals(new Signal.Resource("Node", "worker-1", "", "v1"),
                resolve("node", "worker-1", "namespace", "monitoring"));
    }

    @Test
    void missingOrInvalidPartsNameTheLabel() {
        InvalidSignalException noNs = assertThrows(InvalidSignalException.class, () -> resolve("pod", "web-1"));
        assertEquals("alerts[0].labels.namespace", noNs.field());
        InvalidSignalException nsOnly = assertThrows(InvalidSignalException.class, () -> resolve("namespace", "shop"));
        assertTrue(nsOnly.getMessage().contains("deployment, statefulset"), nsOnly.getMessage());
        InvalidSignalException badPod = assertThrows(InvalidSignalException.class,
                () -> resolve("namespace", "shop", "exported_pod", "UPPER"));
        assertEquals("alerts[0].labels.exported_pod", badPod.field());
        InvalidSignalException badNs = assertThrows(InvalidSignalException.class,
                () -> resolve("namespace", "a".repeat(64), "pod", "p"));
        assertEquals("alerts[0].labels.namespace", badNs.field());
        assertThrows(InvalidSignalException.class, () -> resolve("node", "-bad-"));
        assertThrows(InvalidSignalException.class, () -> resolve("namespace", "shop", "pod", "a/b"));
    }

    @Test
    void emptyLabelsCountAsAbsent() {
        assertEquals(new Signal.Resource("Pod", "p", "shop", "v1"),
                resolve("namespace", "shop", "deployment", "", "pod", "p"));
    }
}
