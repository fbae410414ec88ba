package ai.kubernaut.gateway.ingest.testing;

import java.util.HashMap;
import java.util.Map;

/**
 * The ingest profile with a short Kubernetes deadline (1 s), so that answer-deadline tests take seconds, and a
 * 200 ms answer margin: the tests check answers within deadline + 1 s at the client, and a 2-core machine shared
 * by several builds can take the rest of that second to deliver one.
 */
public class AnswerDeadlineTestProfile extends IngestTestProfile {

    public static final long DEADLINE_MS = 1000;

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> config = new HashMap<>(super.getConfigOverrides());
        config.put("gateway.dedup.kubernetes-deadline", DEADLINE_MS + "ms");
        config.put("gateway.http.answer-margin", "200ms");
        // owner lookups slower than the deadline, to show the bound holds whatever call is in flight
        config.put("gateway.resolution.timeout", "5s");
        return config;
    }
}
