package ai.kubernaut.testserver;

import ai.kubernaut.testserver.rbac.ServicePolicy;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.awaitility.Awaitility;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.ResourceNotFoundException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The embedded API server behaves like a real one where the services' safety depends on it. */
class EmbeddedApiServerTest {

    private static final String NS = "unit";
    private static EmbeddedApiServer server;
    private static KubernetesClient admin;
    private static KubernetesClient service;

    @BeforeAll
    static void start() throws Exception {
        Path rbac = Path.of(EmbeddedApiServerTest.class.getResource("/rbac/test-service.yaml").toURI());
        server = EmbeddedApiServer.start(0, Path.of("..", "deploy", "crds"), Map.of("test-service", ServicePolicy.load("test-service", rbac)));
        admin = server.adminClient();
        service = new KubernetesClientBuilder()
                .withConfig(EmbeddedApiServer.clientConfig(server.url(), Caller.serviceAccountToken(NS, "test-service")))
                .build();
    }

    @AfterAll
    static void stop() {
        service.close();
        admin.close();
        server.close();
    }

    private static MixedOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>> rrs(KubernetesClient client) {
        return client.genericKubernetesResources("kubernaut.ai/v1alpha1", "RemediationRequest");
    }

    private static GenericKubernetesResource rr(String name) {
        return new GenericKubernetesResourceBuilder()
                .withApiVersion("kubernaut.ai/v1alpha1").withKind("RemediationRequest")
                .withNewMetadata().withName(name).withNamespace(NS).endMetadata()
                .addToAdditionalProperties("spec", Map.of("signalFingerprint", "a".repeat(64), "signalName", "X",
                        "targetResource", Map.of("kind", "Deployment", "name", "web", "namespace", NS)))
                .build();
    }

    @Test
    void grantsWhatTheRulesSayAndAnswers403ForTheRest() {
        GenericKubernetesResource created = rrs(service).inNamespace(NS).resource(rr("rr-rbac")).create();
        assertNotNull(created.getMetadata().getResourceVersion());

        KubernetesClientException delete = assertThrows(KubernetesClientException.class,
                () -> rrs(service).inNamespace(NS).withName("rr-rbac").delete());
        assertEquals(403, delete.getCode());
        assertTrue(delete.getMessage().contains("cannot delete resource \"remediationrequests\""), delete.getMessage());

        KubernetesClientException otherNamespace = assertThrows(KubernetesClientException.class,
                () -> rrs(service).inNamespace("elsewhere").list());
        assertEquals(403, otherNamespace.getCode());

        KubernetesClientException unbound = assertThrows(KubernetesClientException.class,
                () -> service.secrets().inNamespace(NS).withName("x").get());
        assertEquals(403, unbound.getCode(), "a ClusterRole no binding references grants nothing");
    }

    @Test
    void unknownTokenIs401() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(server.url() + "/api/v1/namespaces/" + NS + "/configmaps"))
                .header("Authorization", "Bearer forged").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, response.statusCode());
    }

    @Test
    void staleStatusWriteIs409AndFreshOneSucceeds() {
        GenericKubernetesResource created = rrs(admin).inNamespace(NS).resource(rr("rr-status")).create();
        GenericKubernetesResource first = new GenericKubernetesResourceBuilder(created).build();
        first.setAdditionalProperty("status", Map.of("overallPhase", "Pending"));
        GenericKubernetesResource afterFirst = rrs(service).inNamespace(NS).resource(first).updateStatus();
        assertEquals("Pending", ((Map<?, ?>) afterFirst.getAdditionalProperties().get("status")).get("overallPhase"));

        GenericKubernetesResource stale = new GenericKubernetesResourceBuilder(created).build(); // old resourceVersion
        stale.setAdditionalProperty("status", Map.of("overallPhase", "Failed"));
        KubernetesClientException conflict = assertThrows(KubernetesClientException.class,
                () -> rrs(service).inNamespace(NS).resource(stale).updateStatus());
        assertEquals(409, conflict.getCode());
        assertEquals("Pending", ((Map<?, ?>) rrs(admin).inNamespace(NS).withName("rr-status").get()
                .getAdditionalProperties().get("status")).get("overallPhase"), "the stale write changed nothing");
    }

    @Test
    void deletePreconditionsAreHonoured() throws Exception {
        Lease lease = service.leases().inNamespace(NS).resource(new LeaseBuilder().withNewMetadata()
                .withName("gw-lock-0123456789abcdef").endMetadata().withNewSpec().withHolderIdentity("pod-a/1").endSpec()
                .build()).create();
        String body = "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"preconditions\":{\"uid\":\"" + UUID.randomUUID() + "\"}}";
        HttpResponse<String> wrongUid = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.url()
                        + "/apis/coordination.k8s.io/v1/namespaces/" + NS + "/leases/gw-lock-0123456789abcdef"))
                .header("Authorization", "Bearer " + Caller.serviceAccountToken(NS, "test-service"))
                .header("Content-Type", "application/json")
                .method("DELETE", HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(409, wrongUid.statusCode(), wrongUid.body());
        assertNotNull(admin.leases().inNamespace(NS).withName("gw-lock-0123456789abcdef").get());

        List<?> deleted = service.leases().inNamespace(NS).withName("gw-lock-0123456789abcdef")
                .lockResourceVersion(lease.getMetadata().getResourceVersion()).delete();
        assertEquals(1, deleted.size());
        assertNull(admin.leases().inNamespace(NS).withName("gw-lock-0123456789abcdef").get());
    }

    @Test
    void createOfAnExistingNameIs409AlreadyExists() {
        service.leases().inNamespace(NS).resource(new LeaseBuilder().withNewMetadata().withName("dup").endMetadata()
                .build()).create();
        KubernetesClientException conflict = assertThrows(KubernetesClientException.class,
                () -> service.leases().inNamespace(NS).resource(new LeaseBuilder().withNewMetadata().withName("dup")
                        .endMetadata().build()).create());
        assertEquals(409, conflict.getCode());
        assertEquals("AlreadyExists", conflict.getStatus().getReason());
    }

    @Test
    void aMissingObjects404NamesItAsARealServersDoes() throws Exception {
        PatchContext merge = PatchContext.of(PatchType.JSON_MERGE);
        List<Executable> missing = List.of(
                () -> rrs(admin).inNamespace(NS).withName("absent").require(),
                () -> rrs(admin).inNamespace(NS).withName("absent").patch(merge, "{\"spec\":{\"signalName\":\"Y\"}}"),
                () -> rrs(admin).inNamespace(NS).resource(rr("absent")).update());
        for (Executable call : missing) {
            Throwable thrown = assertThrows(RuntimeException.class, call);
            // require() wraps it in a ResourceNotFoundException
            KubernetesClientException e = assertInstanceOf(KubernetesClientException.class,
                    thrown instanceof ResourceNotFoundException ? thrown.getCause() : thrown);
            assertEquals(404, e.getCode());
            assertEquals("NotFound", e.getStatus().getReason());
            assertEquals("remediationrequests.kubernaut.ai \"absent\" not found", e.getStatus().getMessage());
            assertEquals("absent", e.getStatus().getDetails().getName());
            assertEquals("kubernaut.ai", e.getStatus().getDetails().getGroup());
            assertEquals("remediationrequests", e.getStatus().getDetails().getKind());
        }
        HttpResponse<String> delete = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.url()
                        + "/apis/kubernaut.ai/v1alpha1/namespaces/" + NS + "/remediationrequests/absent"))
                .header("Authorization", "Bearer " + Caller.ADMIN_TOKEN).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(404, delete.statusCode());
        ObjectMapper json = new ObjectMapper();
        assertEquals(json.readTree("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
                + "\"message\":\"remediationrequests.kubernaut.ai \\\"absent\\\" not found\",\"reason\":\"NotFound\","
                + "\"details\":{\"name\":\"absent\",\"group\":\"kubernaut.ai\",\"kind\":\"remediationrequests\"},"
                + "\"code\":404}"), json.readTree(delete.body()));

        KubernetesClientException core = assertThrows(KubernetesClientException.class, () -> admin.configMaps()
                .inNamespace(NS).withName("absent").patch(merge, "{\"data\":{\"k\":\"v\"}}"));
        assertEquals("configmaps \"absent\" not found", core.getStatus().getMessage());
        assertNull(core.getStatus().getDetails().getGroup(), "the core group is not named");
        assertEquals("configmaps", core.getStatus().getDetails().getKind());
        assertEquals("absent", core.getStatus().getDetails().getName());
    }

    @Test
    void logsEveryRequestWithItsCallerAndCountsGrantsUsed() {
        long before = server.requestLog().size();
        service.leases().inNamespace(NS).withName("absent").get();
        List<RequestRecord> records = server.requestLog().since(before, 100);
        RequestRecord get = records.stream().filter(r -> r.name().equals("absent")).findFirst().orElseThrow();
        assertEquals("test-service", get.caller());
        assertEquals("get", get.verb());
        assertTrue(get.isLease());
        assertEquals(404, get.code());
    }

    @Test
    void delayFaultCarriesTheRequestOutButHoldsTheAnswer() throws Exception {
        ApiServerControl control = new ApiServerControl(server.url());
        control.delayAnswers("test-service", "replica-1", "create", "leases", "held-", Duration.ofMillis(1500), 1);
        KubernetesClient replica = new KubernetesClientBuilder().withConfig(EmbeddedApiServer.clientConfig(server.url(),
                Caller.serviceAccountToken(NS, "test-service", "replica-1"))).build();
        try (replica) {
            CompletableFuture<Lease> create = CompletableFuture.supplyAsync(() -> replica.leases().inNamespace(NS)
                    .resource(new LeaseBuilder().withNewMetadata().withName("held-1").endMetadata().build()).create());
            Awaitility.await().atMost(Duration.ofSeconds(5))
                    .until(() -> admin.leases().inNamespace(NS).withName("held-1").get() != null);
            assertFalse(create.isDone(), "the lease exists while its creator still waits for the answer");
            assertEquals("held-1", create.get(10, TimeUnit.SECONDS).getMetadata().getName());
            assertEquals(List.of("replica-1"), control.firedFaults().stream().map(ApiServerControl.FiredFault::pod).toList());
        } finally {
            control.clearFaults();
        }
    }

    @Test
    void scopedFaultsMatchOnlyTheirNamespacesCallersAndClearOnlyTheirOwn() {
        ApiServerControl whole = new ApiServerControl(server.url());
        String otherNs = NS + "-beside";
        ApiServerControl mine = whole.scopedTo(NS);
        ApiServerControl theirs = whole.scopedTo(otherNs);
        KubernetesClient inMine = new KubernetesClientBuilder().withConfig(EmbeddedApiServer.clientConfig(server.url(),
                Caller.serviceAccountToken(NS, "test-service", "replica-1"))).build();
        KubernetesClient inTheirs = new KubernetesClientBuilder().withConfig(EmbeddedApiServer.clientConfig(server.url(),
                Caller.serviceAccountToken(otherNs, "test-service", "replica-1"))).build();
        try (inMine; inTheirs) {
            mine.failRequests("test-service", "", "get", "leases", "", 503, 100);
            theirs.failRequests("test-service", "", "get", "leases", "", 500, 100);
            assertEquals(503, getLeaseCode(inMine, NS), "my rule, my caller");
            assertEquals(500, getLeaseCode(inTheirs, otherNs), "their rule, their caller (same service and pod name)");
            assertEquals(List.of(NS), mine.firedFaults().stream().map(ApiServerControl.FiredFault::callerNamespace).toList());
            assertEquals(List.of(otherNs), theirs.firedFaults().stream().map(ApiServerControl.FiredFault::callerNamespace).toList());

            mine.clearFaults();
            assertEquals(404, getLeaseCode(inMine, NS), "mine cleared");
            assertEquals(500, getLeaseCode(inTheirs, otherNs), "theirs still armed");
            assertEquals(List.of(), mine.firedFaults());
            assertEquals(2, theirs.firedFaults().size());
        } finally {
            whole.clearFaults();
        }
    }

    /** The HTTP status of a GET of an absent Lease (404 unless a fault answers). */
    private static int getLeaseCode(KubernetesClient client, String namespace) {
        try {
            client.leases().inNamespace(namespace).withName("absent").get();
            return 404; // fabric8 answers null for 404
        } catch (KubernetesClientException e) {
            return e.getCode();
        }
    }

    @Test
    void freezeHoldsEveryAnswerUntilItEndsButCarriesRequestsOut() throws Exception {
        ApiServerControl control = new ApiServerControl(server.url());
        try {
            long start = System.nanoTime();
            control.freeze(Duration.ofMillis(1500));
            CompletableFuture<Lease> create = CompletableFuture.supplyAsync(() -> service.leases().inNamespace(NS)
                    .resource(new LeaseBuilder().withNewMetadata().withName("frozen-1").endMetadata().build()).create());
            assertEquals("frozen-1", create.get(30, TimeUnit.SECONDS).getMetadata().getName());
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(ms >= 1400, "the answer was held until the freeze ended, took " + ms + " ms");
            assertNotNull(admin.leases().inNamespace(NS).withName("frozen-1").get(), "the create was carried out");

            // clearing the faults ends a freeze at once
            control.freeze(Duration.ofMinutes(5));
            control.clearFaults();
            long again = System.nanoTime();
            assertNotNull(admin.leases().inNamespace(NS).withName("frozen-1").get());
            assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - again) < 10_000, "answered after the clear");
        } finally {
            control.clearFaults();
        }
    }

    @Test
    void failureFaultAnswersWithoutCarryingOut() {
        ApiServerControl control = new ApiServerControl(server.url());
        control.failRequests("test-service", "", "create", "leases", "broken-", 503, 1);
        try {
            KubernetesClientException e = assertThrows(KubernetesClientException.class, () -> service.leases().inNamespace(NS)
                    .resource(new LeaseBuilder().withNewMetadata().withName("broken-1").endMetadata().build()).create());
            assertEquals(503, e.getCode());
            assertNull(admin.leases().inNamespace(NS).withName("broken-1").get());
        } finally {
            control.clearFaults();
        }
    }

    @Test
    void answersTokenReviews() throws Exception {
        String review = "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenReview\",\"spec\":{\"token\":\""
                + Caller.serviceAccountToken("monitoring", "alertmanager") + "\"}}";
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.url()
                        + "/apis/authentication.k8s.io/v1/tokenreviews"))
                .header("Authorization", "Bearer " + Caller.serviceAccountToken(NS, "test-service"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(review)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, response.statusCode());
        assertTrue(response.body().contains("\"authenticated\":true"), response.body());
        assertTrue(response.body().contains("system:serviceaccount:monitoring:alertmanager"), response.body());
    }
}
