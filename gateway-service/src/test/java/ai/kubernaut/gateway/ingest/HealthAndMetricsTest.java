package ai.kubernaut.gateway.ingest;

import static ai.kubernaut.gateway.ingest.testing.Payloads.podAlert;
import static ai.kubernaut.gateway.ingest.testing.Payloads.webhook;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import ai.kubernaut.gateway.ingest.testing.IngestTestProfile;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.net.URL;
import org.junit.jupiter.api.Test;

/** Health and metrics live on the management interface (its own port). */
@QuarkusTest
@TestProfile(IngestTestProfile.class)
class HealthAndMetricsTest extends IngestTestBase {

    // management URLs are relative to the management root path (/q)
    @TestHTTPResource(value = "/health/ready", management = true)
    URL ready;

    @TestHTTPResource(value = "/health/live", management = true)
    URL live;

    @TestHTTPResource(value = "/metrics", management = true)
    URL metrics;

    @Test
    void readinessReportsTheApiServerAndLivenessIsUp() {
        given().get(ready).then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem("kubernetes-api-server"));
        given().get(live).then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void ingestMetricsAreExposedWithPrometheusNames() {
        postAlertmanager(webhook(podAlert("KubePodCrashLooping", "demo", "metrics-1"))).statusCode(201);
        postAlertmanager(webhook(podAlert("KubePodCrashLooping", IngestTestProfile.DENIED_NAMESPACE, "m")))
                .statusCode(200);
        sender().body("{").post(PROMETHEUS).then().statusCode(400);
        given().get(metrics).then().statusCode(200)
                .body(containsString("gateway_signals_received_total{severity=\"critical\",source_type=\"prometheus-alert\"}"))
                .body(containsString("gateway_signals_rejected_total{reason=\"out_of_scope\"}"))
                .body(containsString("gateway_signals_rejected_total{reason=\"malformed_json\"}"))
                .body(containsString("gateway_http_request_duration_seconds_bucket{code=\"201\",endpoint=\"prometheus\""))
                .body(containsString("gateway_http_responses_total{class=\"4xx\",code=\"400\",endpoint=\"prometheus\"}"))
                .body(containsString("gateway_owner_resolutions_total{result=\"fallback_not_found\"}"))
                // at 0 before any failure, so that rate() and alerts work from the start
                .body(containsString("gateway_signals_failed_total{type=\"kubernetes-unavailable\"}"))
                .body(containsString("gateway_signals_failed_total{type=\"lock-timeout\"}"))
                // token review cache, replay memory and batch bound (issue 22), at 0 or their size from the start
                .body(containsString("gateway_auth_lookups_total{result=\"shed\"}"))
                .body(containsString("gateway_auth_lookups_total{result=\"cached\"}"))
                .body(containsString("gateway_auth_refreshes_total{result=\"refreshed\"}"))
                .body(containsString("gateway_auth_cache_entries"))
                .body(containsString("gateway_replay_memory_entries"))
                .body(containsString("gateway_batch_alerts_queued"))
                .body(containsString("gateway_signals_rejected_total{reason=\"batch_queue_full\"}"));
    }

    @Test
    void signalApiIsNotOnTheManagementPortAndHealthIsNotOnTheApiPort() {
        given().get("/q/health/ready").then().statusCode(404).contentType("application/problem+json");
    }
}
