package ai.kubernaut.gateway.cluster;

import ai.kubernaut.testserver.Caller;
import ai.kubernaut.testserver.EmbeddedApiServer;
import io.fabric8.kubernetes.client.Config;
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

    /**
     * A client of the Gateway's ServiceAccount as replica {@code pod} (the request log tells replicas apart). Its
     * broken watches reconnect after 50 ms doubling to 1.6 s, not fabric8's 1 s doubling to 32 s: after an outage a
     * test made (a restart, a type not served, 429s) the test waits for the reconnection, not for seconds of backoff.
     */
    public static KubernetesClient gatewayClient(String pod, Consumer<HttpClient.Builder> http) {
        Config config = EmbeddedApiServer.clientConfig(server().url(),
                Caller.serviceAccountToken(NAMESPACE, SERVICE, pod));
        config.setWatchReconnectInterval(50);
        return new KubernetesClientBuilder().withConfig(config).withHttpClientBuilderConsumer(http).build();
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
