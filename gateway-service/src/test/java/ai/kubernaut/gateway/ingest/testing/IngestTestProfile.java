package ai.kubernaut.gateway.ingest.testing;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The ingest @QuarkusTests: the mock cluster, the fake recorder, TokenReview auth, a small in-flight limit (so
 * the throttle test needs few blocked requests) and a scope with a denied namespace.
 */
public class IngestTestProfile implements QuarkusTestProfile {

    public static final int MAX_IN_FLIGHT = 4;
    public static final String DENIED_NAMESPACE = "kube-system";

    @Override
    public Set<Class<?>> getEnabledAlternatives() {
        return Set.of(FakeSignalRecorder.class);
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(IngestTestCluster.class));
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "gateway.auth.mode", "tokenreview",
                "gateway.http.max-in-flight", Integer.toString(MAX_IN_FLIGHT),
                "gateway.scope.deny-namespaces", DENIED_NAMESPACE,
                "gateway.resolution.timeout", "2s",
                "quarkus.log.category.\"io.fabric8.mockwebserver\".level", "WARN");
    }
}
