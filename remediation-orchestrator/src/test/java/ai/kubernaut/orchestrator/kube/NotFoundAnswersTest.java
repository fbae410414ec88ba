package ai.kubernaut.orchestrator.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.orchestrator.model.RemediationRequest;
import ai.kubernaut.orchestrator.model.RemediationRequestStatus;
import ai.kubernaut.orchestrator.reconcile.RemediationRequestApi;
import ai.kubernaut.orchestrator.reconcile.StatusConflictException;
import ai.kubernaut.orchestrator.workflow.WorkflowExecutionApi;
import ai.kubernaut.testserver.EmbeddedApiServer;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.mockwebserver.http.MockResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * "404 means deleted only when it says so": right after an API server restart a custom type answers 404 until its
 * CRD is served again, with no Status naming an object. The orchestrator's reads and status writes take only a 404
 * naming the object for a deletion (then an RR would be failed WorkflowExecutionMissing, or a write given up); the
 * other kind is thrown as the transient fault it is, and the reconcile is retried.
 */
class NotFoundAnswersTest {

    static final String NS = "not-found-test";
    static EmbeddedApiServer server;
    static KubernetesClient client;

    @BeforeAll
    static void start() {
        server = EmbeddedApiServer.builder().crds(Path.of("..", "deploy", "crds")).start();
        client = server.adminClient();
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    @AfterEach
    void served() {
        server.hook(null);
    }

    static void typeNotServed() {
        server.hook((request, caller) -> request.getPath().startsWith("/apis/kubernaut.ai/")
                ? new MockResponse().setResponseCode(404).setHeader("Content-Type", "text/plain")
                        .setBody("404 page not found\n")
                : null);
    }

    @Test
    void aMissingWorkflowExecutionIsNullButATypeNotServedIsATransientFault() {
        WorkflowExecutionApi executions = new WorkflowExecutionApi(client, NS);
        assertNull(executions.get("wfe-that-never-existed"));

        typeNotServed();
        KubernetesClientException e = assertThrows(KubernetesClientException.class,
                () -> executions.get("wfe-that-never-existed"));
        assertEquals(404, e.getCode());
        assertTrue(ApiFaults.isTransient(e), ApiFaults.describe(e));
    }

    @Test
    void aStatusWriteMeetingATypeNotServedIsNotAConflict() {
        RemediationRequest rr = new RemediationRequest();
        rr.setMetadata(new ObjectMetaBuilder().withName("rr-status-404").withNamespace(NS).build());
        RemediationRequest stored = client.resources(RemediationRequest.class).inNamespace(NS).resource(rr).create();
        RemediationRequestApi requests = new RemediationRequestApi(client, NS);
        RemediationRequestStatus desired = requests.copyOf(stored.getStatus());
        desired.setOverallPhase(RemediationRequestStatus.OverallPhase.PROCESSING);

        typeNotServed();
        KubernetesClientException e = assertThrows(KubernetesClientException.class,
                () -> requests.writeStatus(stored, desired));
        assertTrue(ApiFaults.isTransient(e));
        assertThrows(KubernetesClientException.class, () -> requests.get("rr-status-404"));

        server.hook(null);
        client.resources(RemediationRequest.class).inNamespace(NS).withName("rr-status-404").delete();
        assertThrows(StatusConflictException.class, () -> requests.writeStatus(stored, desired),
                "a 404 naming the RR: it is gone, the reconcile re-reads and stops");
        assertNull(requests.get("rr-status-404"));
    }
}
