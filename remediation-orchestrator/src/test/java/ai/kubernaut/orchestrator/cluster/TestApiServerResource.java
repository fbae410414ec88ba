package ai.kubernaut.orchestrator.cluster;

import ai.kubernaut.testserver.Caller;
import ai.kubernaut.testserver.EmbeddedApiServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.file.Path;
import java.util.Map;

/**
 * Starts the strict test API server (kube-test-server) with both CRDs and the orchestrator's deploy RBAC, points
 * the application under test at it with a remediation-orchestrator token, and seeds the workflow catalog of the
 * application's namespace. One server for the whole test JVM run.
 */
public class TestApiServerResource implements QuarkusTestResourceLifecycleManager {

    /** The application's controller namespace (orchestrator.namespace in the test profile). */
    public static final String NAMESPACE = "kubernaut-test";
    public static final String SERVICE = "remediation-orchestrator";

    private static volatile EmbeddedApiServer server;

    public static EmbeddedApiServer server() {
        return server;
    }

    /** A new client of the orchestrator's ServiceAccount in {@code namespace}, bound by its Role there. */
    public static KubernetesClient orchestratorClient(String namespace) {
        return server.client(Caller.serviceAccountToken(namespace, SERVICE));
    }

    @Override
    public Map<String, String> start() {
        Path repo = Path.of("..");
        server = EmbeddedApiServer.builder().crds(repo.resolve("deploy/crds"))
                .rbac(SERVICE, repo.resolve("deploy/base/remediation-orchestrator/rbac.yaml"))
                .keepRequestBodies().start();
        TestCatalog.install(server.admin(), NAMESPACE);
        return Map.of(
                "quarkus.kubernetes-client.api-server-url", server.url(),
                "quarkus.kubernetes-client.token", Caller.serviceAccountToken(NAMESPACE, SERVICE),
                "quarkus.kubernetes-client.trust-certs", "true",
                "quarkus.kubernetes-client.namespace", NAMESPACE);
    }

    @Override
    public void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
    }
}
