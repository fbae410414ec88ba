package ai.kubernaut.gateway.cluster;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Starts a {@link MockCluster} for a {@code @QuarkusTest} and points the application's Kubernetes client at it.
 * Tests reach it through {@link #cluster()} (one per test JVM run of the resource).
 */
public class MockClusterResource implements QuarkusTestResourceLifecycleManager {

    private static volatile MockCluster cluster;

    public static MockCluster cluster() {
        MockCluster c = cluster;
        if (c == null) {
            throw new IllegalStateException("MockClusterResource not started");
        }
        return c;
    }

    @Override
    public Map<String, String> start() {
        cluster = new MockCluster();
        return Map.of(
                "quarkus.kubernetes-client.api-server-url", cluster.url(),
                "quarkus.kubernetes-client.trust-certs", "true",
                "quarkus.kubernetes-client.namespace", "kubernaut-test",
                "quarkus.kubernetes-client.devservices.enabled", "false");
    }

    @Override
    public void stop() {
        MockCluster c = cluster;
        cluster = null;
        if (c != null) {
            c.close();
        }
    }
}
