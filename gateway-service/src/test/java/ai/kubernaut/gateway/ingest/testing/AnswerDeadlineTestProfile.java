package ai.kubernaut.gateway.ingest.testing;

import java.util.HashMap;
import java.util.Map;

/** The ingest profile with a short Kubernetes deadline (1 s), so that answer-deadline tests take seconds. */
public class AnswerDeadlineTestProfile extends IngestTestProfile {

    public static final long DEADLINE_MS = 1000;

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> config = new HashMap<>(super.getConfigOverrides());
        config.put("gateway.dedup.kubernetes-deadline", DEADLINE_MS + "ms");
        // owner lookups slower than the deadline, to show the bound holds whatever call is in flight
        config.put("gateway.resolution.timeout", "5s");
        return config;
    }
}
