package ai.kubernaut.testserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the services' tests use in-process: the builder, service tokens, the hook, direct writes, the log. */
class InProcessUseTest {

    private static final String NS = "inproc";

    private EmbeddedApiServer server;
    private KubernetesClient admin;

    @BeforeEach
    void start() throws Exception {
        Path rbac = Path.of(InProcessUseTest.class.getResource("/rbac/test-service.yaml").toURI());
        server = EmbeddedApiServer.builder().crds(Path.of("..", "deploy", "crds")).rbac("test-service", rbac)
                .keepRequestBodies().start();
        admin = server.adminClient();
    }

    @AfterEach
    void stop() {
        admin.close();
        server.close();
    }

    private static ConfigMap configMap(String name, String value) {
        return new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace(NS).endMetadata()
                .addToData("k", value).build();
    }

    @Test
    void aServiceWithoutRbacIsRefusedAndTheAdminMayDoAnything() {
        admin.configMaps().inNamespace(NS).resource(configMap("open", "1")).create();
        assertNotNull(admin.configMaps().inNamespace(NS).withName("open").get());
        try (KubernetesClient stranger = server.client(Caller.serviceAccountToken(NS, "no-rbac-given"))) {
            KubernetesClientException e = assertThrows(KubernetesClientException.class,
                    () -> stranger.configMaps().inNamespace(NS).withName("open").get());
            assertEquals(403, e.getCode());
        }
    }

    @Test
    void theHookSeesTheCallerAndItsAnswerIsLogged() {
        AtomicInteger seenByService = new AtomicInteger();
        server.hook((request, caller) -> {
            if (!caller.isAdmin()) {
                seenByService.incrementAndGet();
                return EmbeddedApiServer.failure(503, "ServiceUnavailable", "injected by \"the test\"");
            }
            return null;
        });
        try (KubernetesClient service = server.client(Caller.serviceAccountToken(NS, "test-service", "pod-1"))) {
            KubernetesClientException e = assertThrows(KubernetesClientException.class,
                    () -> service.leases().inNamespace(NS).withName("x").get());
            assertEquals(503, e.getCode());
            assertEquals("injected by \"the test\"", e.getStatus().getMessage());
        }
        assertNull(admin.leases().inNamespace(NS).withName("x").get(), "the admin's request went on to the store");
        assertEquals(1, seenByService.get());
        List<RequestRecord> byService = server.requests(RequestRecord::byService);
        assertEquals(1, byService.size());
        assertEquals(503, byService.get(0).code());
        assertEquals("pod-1", byService.get(0).pod());
    }

    @Test
    void aDirectWriteFromAHookMakesTheRequestsVersionStale() {
        ConfigMap created = admin.configMaps().inNamespace(NS).resource(configMap("raced", "1")).create();
        server.hook((request, caller) -> {
            if (request.getMethod().equals("PUT")) {
                server.direct(HttpMethod.PATCH, "/api/v1/namespaces/" + NS + "/configmaps/raced",
                        "application/merge-patch+json", "{\"data\":{\"k\":\"other writer\"}}");
            }
            return null;
        });
        created.getData().put("k", "2");
        KubernetesClientException e = assertThrows(KubernetesClientException.class,
                () -> admin.configMaps().inNamespace(NS).resource(created).update());
        assertEquals(409, e.getCode());
        assertEquals("other writer", admin.configMaps().inNamespace(NS).withName("raced").get().getData().get("k"));
    }

    @Test
    void reviewsAnswerFaultsLikeAnyRequest() {
        ApiServerControl control = new ApiServerControl(server.url());
        control.failRequests("admin", "", "create", "tokenreviews", "", 503, 1);
        var review = new io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder().withNewSpec()
                .withToken(Caller.serviceAccountToken(NS, "test-service")).endSpec().build();
        KubernetesClientException e = assertThrows(KubernetesClientException.class,
                () -> admin.resource(review).create());
        assertEquals(503, e.getCode());
        assertTrue(admin.resource(review).create().getStatus().getAuthenticated(), "the fault fired once");
        assertEquals(1, control.firedFaults().size());
    }

    @Test
    void theLogKeepsQueriesAndBodiesWhenAsked() {
        admin.configMaps().inNamespace(NS).withLabels(Map.of("app", "x")).list();
        admin.configMaps().inNamespace(NS).resource(configMap("logged", "v")).create();
        List<RequestRecord> requests = server.requests(r -> r.resource().equals("configmaps"));
        assertEquals("list", requests.get(0).verb());
        assertTrue(requests.get(0).query().contains("labelSelector=app%3Dx"), requests.get(0).query());
        assertEquals("create", requests.get(1).verb());
        assertTrue(requests.get(1).body().contains("\"name\":\"logged\""), requests.get(1).body());
    }
}
