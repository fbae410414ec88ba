package ai.kubernaut.gateway.cluster;

import ai.kubernaut.testserver.Caller;
import ai.kubernaut.testserver.EmbeddedApiServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Starts the strict test API server (kube-test-server) for a {@code @QuarkusTest}, with the CRDs and the
 * Gateway's deploy RBAC, and points the application's Kubernetes client at it with a gateway-service token, so
 * a call the Gateway's Role does not grant fails here as in production. One server per test JVM run.
 */
public class TestApiServerResource implements QuarkusTestResourceLifecycleManager {

    /** The namespace of the application's (and the simulated replicas') ServiceAccount. */
    public static final String NAMESPACE = "kubernaut-test";
    public static final String SERVICE = "gateway-service";

    private static volatile EmbeddedApiServer server;

    public static EmbeddedApiServer server() {
        EmbeddedApiServer s = server;
        if (s == null) {
            throw new IllegalStateException("TestApiServerResource not started");
        }
        return s;
    }

    /** A client of the Gateway's ServiceAccount as replica {@code pod} (the request log tells replicas apart). */
    public static KubernetesClient gatewayClient(String pod, Consumer<HttpClient.Builder> http) {
        return new KubernetesClientBuilder()
                .withConfig(EmbeddedApiServer.clientConfig(server().url(),
                        Caller.serviceAccountToken(NAMESPACE, SERVICE, pod)))
                .withHttpClientBuilderConsumer(http).build();
    }

    @Override
    public Map<String, String> start() {
        Path repo = Path.of("..");
        server = EmbeddedApiServer.builder().crds(repo.resolve("deploy/crds"))
                .rbac(SERVICE, repo.resolve("deploy/base/gateway-service/rbac.yaml")).keepRequestBodies().start();
        return Map.of(
                "quarkus.kubernetes-client.api-server-url", server.url(),
                "quarkus.kubernetes-client.token", Caller.serviceAccountToken(NAMESPACE, SERVICE, "app"),
                "quarkus.kubernetes-client.trust-certs", "true",
                "quarkus.kubernetes-client.namespace", NAMESPACE,
                "quarkus.kubernetes-client.devservices.enabled", "false");
    }

    @Override
    public void stop() {
        EmbeddedApiServer s = server;
        server = null;
        if (s != null) {
            s.close();
        }
    }
}
