package ai.kubernaut.gateway.ingest.testing;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The whole Gateway (the real recorder, no fake) against the strict test API server, with the production deadlines:
 * the generated-input test of the HTTP edge, where any 5xx is a defect.
 */
public class EdgeTestProfile extends IngestTestProfile {

    public static final String POD = "gateway-edge-0";

    @Override
    public Set<Class<?>> getEnabledAlternatives() {
        return Set.of();
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> config = new HashMap<>(super.getConfigOverrides());
        config.put("gateway.http.max-in-flight", "100");
        config.put("gateway.pod.name", POD);
        config.put("gateway.pod.namespace", IngestTestCluster.NAMESPACE);
        return config;
    }
}
