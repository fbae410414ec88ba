package ai.kubernaut.orchestrator.cluster;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Starts the CRUD mock API server (with the stale-status guard) for the Quarkus application under test and
 * seeds the workflow catalog of the application's namespace. One server for the whole test JVM run.
 */
public class MockClusterResource implements QuarkusTestResourceLifecycleManager {

    /** The application's controller namespace (orchestrator.namespace in the test profile). */
    public static final String NAMESPACE = "kubernaut-test";

    private static volatile MockCluster cluster;

    public static MockCluster cluster() {
        return cluster;
    }

    @Override
    public Map<String, String> start() {
        cluster = new MockCluster();
        TestCatalog.install(cluster.admin(), NAMESPACE);
        return Map.of(
                "quarkus.kubernetes-client.api-server-url", cluster.url(),
                "quarkus.kubernetes-client.trust-certs", "true",
                "quarkus.kubernetes-client.namespace", NAMESPACE);
    }

    @Override
    public void stop() {
        if (cluster != null) {
            cluster.close();
            cluster = null;
        }
    }
}
