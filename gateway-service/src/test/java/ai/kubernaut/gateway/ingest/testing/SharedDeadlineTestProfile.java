package ai.kubernaut.gateway.ingest.testing;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The ingest profile with the real recorder (no fake), so that the whole Gateway runs against the strict test API
 * server: TokenReview auth, owner lookups, the recorder's Leases and RR writes. A short Kubernetes deadline (2 s: every
 * test waits it out once; the tests hold a first call 1 s and the recorder's create 2 s, so a slow first call still
 * leaves the recorder 1 s and its create still ends 1 s past the deadline) and the default answer margin (500 ms: the
 * request's own 504 at the deadline, not the answer deadline's backstop, is what the tests look at; on a loaded
 * machine the former has been seen arriving more than 200 ms after the deadline).
 */
public class SharedDeadlineTestProfile extends IngestTestProfile {

    public static final long DEADLINE_MS = 2000;
    public static final String POD = "gateway-deadline-0";

    @Override
    public Set<Class<?>> getEnabledAlternatives() {
        return Set.of();
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> config = new HashMap<>(super.getConfigOverrides());
        config.put("gateway.dedup.kubernetes-deadline", DEADLINE_MS + "ms");
        config.put("gateway.http.answer-margin", "500ms");
        // longer than the deadline: the deadline, not these timeouts, must end a held lookup or review
        config.put("gateway.resolution.timeout", "5s");
        config.put("gateway.auth.review-timeout", "5s");
        config.put("gateway.pod.name", POD);
        config.put("gateway.pod.namespace", IngestTestCluster.NAMESPACE);
        return config;
    }
}
