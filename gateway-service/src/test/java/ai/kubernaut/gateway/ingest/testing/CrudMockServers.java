package ai.kubernaut.gateway.ingest.testing;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;

/** fabric8's mock API server in CRUD mode (with expectations taking precedence), on 127.0.0.1. */
public final class CrudMockServers {

    public static final Path RR_CRD = Path.of("..", "deploy", "crds", "remediationrequests.kubernaut.ai.yaml");

    private CrudMockServers() {
    }

    /** Starts a CRUD mock server on a random 127.0.0.1 port; the caller must {@code destroy()} it. */
    public static KubernetesMockServer start() {
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        KubernetesMockServer server = new KubernetesMockServer(new Context(Serialization.jsonMapper()),
                new MockWebServer(), responses, new KubernetesMixedDispatcher(responses), false);
        try {
            server.init(InetAddress.getByName("127.0.0.1"), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return server;
    }

    /** Registers the RemediationRequest CRD so that RRs can be listed. */
    public static void registerRemediationRequestCrd(KubernetesClient client) {
        try (InputStream in = Files.newInputStream(RR_CRD)) {
            CustomResourceDefinition crd = client.getKubernetesSerialization().unmarshal(in,
                    CustomResourceDefinition.class);
            client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Class<?> dispatcherType() {
        return KubernetesCrudDispatcher.class;
    }
}
