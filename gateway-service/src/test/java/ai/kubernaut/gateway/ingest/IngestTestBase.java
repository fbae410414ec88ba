package ai.kubernaut.gateway.ingest;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.gateway.ingest.testing.FakeSignalRecorder;
import ai.kubernaut.gateway.ingest.testing.IngestTestCluster;
import ai.kubernaut.gateway.ingest.testing.InjectTestApiServer;
import ai.kubernaut.gateway.model.RemediationRequest;
import ai.kubernaut.testserver.EmbeddedApiServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** Shared set-up of the ingest @QuarkusTests (each subclass carries @QuarkusTest @TestProfile). */
abstract class IngestTestBase {

    static final String PROMETHEUS = "/api/v1/signals/prometheus";
    static final String EVENTS = "/api/v1/signals/kubernetes-event";

    @InjectTestApiServer
    EmbeddedApiServer server;

    @Inject
    FakeSignalRecorder recorder;

    KubernetesClient cluster;

    @BeforeEach
    void resetRecorder() {
        recorder.reset();
        cluster = server.adminClient();
    }

    @AfterEach
    void closeClient() {
        cluster.close();
    }

    /** A request from the authorized sender. */
    static RequestSpecification sender() {
        return given().header("Authorization", "Bearer " + IngestTestCluster.SENDER_TOKEN)
                .contentType("application/json");
    }

    static ValidatableResponse postAlertmanager(Object body) {
        return sender().body(body.toString()).post(PROMETHEUS).then();
    }

    static ValidatableResponse postEvent(Object body) {
        return sender().body(body.toString()).post(EVENTS).then();
    }

    void assertNothingRecordedOrCreated() {
        assertEquals(0, recorder.seen().size(), "the recorder must not have been called: " + recorder.seen());
        assertTrue(cluster.resources(RemediationRequest.class).inAnyNamespace().list().getItems().isEmpty(),
                "no RemediationRequest may exist");
    }
}
