package ai.kubernaut.gateway.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.kubernaut.gateway.ingest.generated.SignalInputs;
import ai.kubernaut.gateway.ingest.generated.SignalInputs.Case;
import ai.kubernaut.gateway.ingest.testing.EdgeTestProfile;
import ai.kubernaut.gateway.ingest.testing.IngestTestCluster;
import ai.kubernaut.gateway.ingest.testing.InjectTestApiServer;
import ai.kubernaut.gateway.model.RemediationRequest;
import ai.kubernaut.testserver.EmbeddedApiServer;
import ai.kubernaut.testserver.RequestRecord;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Iterator;
import java.util.Set;
import java.util.TreeMap;
import net.jqwik.engine.SourceOfRandomness;
import org.junit.jupiter.api.Test;

/**
 * The whole HTTP edge under generated and mutated bodies ({@link SignalInputs}, the parser properties' arbitraries),
 * with the real recorder and the strict test API server behind it: every answer is a 2xx (always for a body built
 * valid) or a 4xx problem document, never a 5xx; each request is answered within {@link #ANSWER_WITHIN} (the client's
 * timeout); an answer that records nothing (a 4xx, or 200 {@code rejected}) left no write in the API server's request
 * log. Fixed seed; {@code -Dedge.tries=N} (default 1000) and {@code -Dedge.seed=S} for a long run. Prints the count.
 */
@QuarkusTest
@TestProfile(EdgeTestProfile.class)
class GeneratedEdgeTest {

    static final long SEED = Long.getLong("edge.seed", 20261206L);
    static final int TRIES = Integer.getInteger("edge.tries", 1000);
    /** The Kubernetes deadline (15 s) + the answer margin, and slack for a loaded machine. */
    static final Duration ANSWER_WITHIN = Duration.ofSeconds(20);
    private static final Set<String> WRITES = Set.of("create", "update", "patch", "delete", "deletecollection");
    private static final ObjectMapper JSON = new ObjectMapper();

    @InjectTestApiServer
    EmbeddedApiServer server;

    @TestHTTPResource("/api/v1/signals/")
    URI signals;

    @Test
    void everyAnswerIsA2xxOrA4xxProblemAndRefusalsWriteNothing() throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        // jqwik's engine does not run Quarkus tests: its sample stream (usable outside the engine) draws from the
        // thread's source of randomness, seeded here
        SourceOfRandomness.create(Long.toString(SEED));
        Iterator<Case> generated = SignalInputs.cases().sampleStream().iterator();
        Map<String, Integer> answers = new TreeMap<>();
        long started = System.nanoTime();
        for (int i = 0; i < TRIES; i++) {
            Case c = generated.next();
            String context = "case " + i + " (-Dedge.seed=" + SEED + "): " + c;
            long mark = server.mark();
            HttpResponse<String> r;
            try {
                r = client.send(HttpRequest.newBuilder(signals.resolve(c.endpoint())).timeout(ANSWER_WITHIN)
                        .header("Authorization", "Bearer " + IngestTestCluster.SENDER_TOKEN)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(c.body().getBytes(StandardCharsets.UTF_8)))
                        .build(), HttpResponse.BodyHandlers.ofString());
            } catch (HttpTimeoutException e) {
                throw new AssertionError("no answer within " + ANSWER_WITHIN + ": " + context, e);
            }
            int status = r.statusCode();
            answers.merge(status + (status >= 400 ? " " + problemType(r) : ""), 1, Integer::sum);
            if (status >= 500) {
                fail("HTTP " + status + " " + r.body() + " for " + context);
            }
            if (c.valid()) {
                assertTrue(status >= 200 && status < 300, "HTTP " + status + " " + r.body() + " for " + context);
            }
            if (status >= 400) {
                assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse(""), context);
                JsonNode problem = JSON.readTree(r.body());
                assertEquals(status, problem.path("status").asInt(), context);
                assertTrue(problem.path("type").asText().startsWith("https://kubernaut.ai/problems/"), context);
            }
            if (status >= 400 || status == 200) {
                List<RequestRecord> writes = server.requestsSince(mark, GeneratedEdgeTest::isStateWrite);
                assertEquals(List.of(), writes, "a request that recorded nothing wrote to the cluster: " + context);
            }
        }
        System.out.printf("GENERATED edge cases tried: %d (seed %d) in %d ms, answers %s%n", TRIES, SEED,
                (System.nanoTime() - started) / 1_000_000, answers);
        assertTrue(answers.keySet().stream().anyMatch(k -> k.startsWith("201")), "some cases must create: " + answers);
        assertStoredRrsAreBounded();
        assertTrue(answers.keySet().stream().anyMatch(k -> k.startsWith("400")), "some cases must be refused: " + answers);
    }

    /** Every RR the cases created: its payload valid JSON within the cap, the whole object far below etcd's limit. */
    private void assertStoredRrsAreBounded() throws Exception {
        try (KubernetesClient admin = server.adminClient()) {
            List<RemediationRequest> rrs = admin.resources(RemediationRequest.class).inAnyNamespace().list().getItems();
            assertTrue(rrs.size() > 0);
            for (RemediationRequest rr : rrs) {
                String payload = rr.getSpec().getOriginalPayload();
                assertTrue(JSON.readTree(payload).isObject(), rr.getMetadata().getName());
                assertTrue(payload.getBytes(StandardCharsets.UTF_8).length <= 100 * 1024, rr.getMetadata().getName());
                assertTrue(admin.getKubernetesSerialization().asJson(rr).getBytes(StandardCharsets.UTF_8).length
                        < 512 * 1024, rr.getMetadata().getName());
            }
            System.out.println("GENERATED edge: " + rrs.size() + " RRs stored, each payload valid JSON within the cap");
        }
    }

    /**
     * A write of cluster state by the Gateway: not the token and access reviews (questions, not state), not the
     * release of a Lease (after the answer of an earlier request that created an RR).
     */
    private static boolean isStateWrite(RequestRecord r) {
        if (!r.byService() || !WRITES.contains(r.verb())) {
            return false;
        }
        if (r.resource().equals("tokenreviews") || r.resource().equals("subjectaccessreviews")) {
            return false;
        }
        return !(r.isLease() && (r.verb().equals("delete") || r.verb().equals("update")));
    }

    private static String problemType(HttpResponse<String> r) {
        try {
            return JSON.readTree(r.body()).path("type").asText().replace("https://kubernaut.ai/problems/", "");
        } catch (Exception e) {
            return "(no problem document)";
        }
    }
}
