package ai.kubernaut.gateway.ingest;

import static ai.kubernaut.gateway.ingest.testing.Payloads.podAlert;
import static ai.kubernaut.gateway.ingest.testing.Payloads.webhook;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.kubernaut.gateway.fingerprint.Fingerprints;
import ai.kubernaut.gateway.ingest.testing.IngestTestCluster;
import ai.kubernaut.gateway.ingest.testing.IngestTestProfile;
import ai.kubernaut.gateway.signal.Signal;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The non-default settings wired end to end: auth off, a default cluster id, an allow list, owner resolution
 * off.
 */
@QuarkusTest
@TestProfile(ConfiguredIngestTest.Profile.class)
class ConfiguredIngestTest extends IngestTestBase {

    public static class Profile extends IngestTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(super.getConfigOverrides());
            config.put("gateway.auth.mode", "none");
            config.put("gateway.cluster.id", "lab");
            config.put("gateway.scope.allow-namespaces", "team-*,shop");
            config.put("gateway.resolution.owners-enabled", "false");
            return config;
        }
    }

    @Test
    void noTokenIsNeededWhenAuthIsOff() {
        int reviews = IngestTestCluster.TOKEN_REVIEWS.get();
        given().contentType("application/json").body(webhook(podAlert("A", "shop", "web-1")).toString())
                .post(PROMETHEUS).then().statusCode(201);
        given().contentType("application/json").header("Authorization", "Bearer whatever")
                .body(webhook(podAlert("A", "shop", "web-1")).toString()).post(PROMETHEUS).then().statusCode(202);
        assertEquals(reviews, IngestTestCluster.TOKEN_REVIEWS.get());
    }

    @Test
    void defaultClusterIdAllowListAndNoOwnerLookups() {
        cluster.pods().inNamespace("team-a").resource(new PodBuilder().withNewMetadata().withName("api-7d9-x")
                .addNewOwnerReference().withApiVersion("apps/v1").withKind("ReplicaSet").withName("api-7d9")
                .withUid("u").withController(true).endOwnerReference().endMetadata().build()).create();
        long requests = server.mark();
        given().contentType("application/json").body(webhook(podAlert("A", "team-a", "api-7d9-x")).toString())
                .post(PROMETHEUS).then().statusCode(201)
                .body("fingerprint", equalTo(Fingerprints.sha256Hex("lab:team-a:Pod:api-7d9-x")));
        assertEquals(requests, server.mark(), "owner resolution is off: no API call");
        assertEquals(new Signal.Resource("Pod", "api-7d9-x", "team-a", "v1"), recorder.seen().get(0).resource());
        assertEquals("lab", recorder.seen().get(0).clusterId());
        given().contentType("application/json").body(webhook(podAlert("A", "other", "x")).toString())
                .post(PROMETHEUS).then().statusCode(200).body("reason", equalTo("out_of_scope"));
        assertEquals(1, recorder.seen().size());
    }
}
