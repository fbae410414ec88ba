package ai.kubernaut.gateway.ingest.testing;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.List;
import java.util.Map;

/**
 * The whole Gateway against the strict test API server: TokenReview auth, owner lookups and the real recorder (no
 * fake), with a short Kubernetes deadline (3 s: the tests hold answers back for seconds) and the default answer
 * margin (500 ms: the request's own 504 at the deadline, not the answer deadline's backstop, is what the tests look
 * at; on a loaded machine the former has been seen arriving more than 200 ms after the deadline).
 */
public class SharedDeadlineTestProfile implements QuarkusTestProfile {

    public static final long DEADLINE_MS = 3000;
    public static final String POD = "gateway-deadline-0";

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(IngestTestCluster.class));
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "gateway.auth.mode", "tokenreview",
                "gateway.dedup.kubernetes-deadline", DEADLINE_MS + "ms",
                "gateway.http.answer-margin", "500ms",
                // longer than the deadline: the deadline, not this timeout, must end a held lookup
                "gateway.resolution.timeout", "5s",
                "gateway.auth.review-timeout", "5s",
                "gateway.pod.name", POD,
                "gateway.pod.namespace", IngestTestCluster.NAMESPACE,
                "quarkus.log.category.\"io.fabric8.mockwebserver\".level", "WARN");
    }
}
