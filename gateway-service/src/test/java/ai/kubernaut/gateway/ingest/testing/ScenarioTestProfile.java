package ai.kubernaut.gateway.ingest.testing;

import java.util.HashMap;
import java.util.Map;

/**
 * The token spray and big-notification scenarios: the ingest profile (fake recorder, TokenReview auth on the strict
 * test API server) with the production limits instead of its tiny in-flight limit, and a body limit and alerts cap
 * that take a 1,000-alert notification with readable labels.
 */
public class ScenarioTestProfile extends IngestTestProfile {

    public static final int REVIEW_CONCURRENCY = 4;
    public static final int REFRESH_CONCURRENCY = 2;
    public static final int NEGATIVE_TTL_SECONDS = 5;
    public static final int REVIEW_RATE = 20;

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> config = new HashMap<>(super.getConfigOverrides());
        config.put("gateway.http.max-in-flight", "100");
        config.put("gateway.http.max-body-size", "2M");
        // the big notification is at the cap: raised from the default 64 so one notification can occupy the batch
        // threads long enough to show whether single signals and small notifications still get their turn
        config.put("gateway.limits.max-alerts", "1000");
        config.put("gateway.auth.review-concurrency", Integer.toString(REVIEW_CONCURRENCY));
        config.put("gateway.auth.refresh-concurrency", Integer.toString(REFRESH_CONCURRENCY));
        config.put("gateway.auth.negative-cache-ttl", NEGATIVE_TTL_SECONDS + "s");
        config.put("gateway.auth.review-rate", Integer.toString(REVIEW_RATE));
        // 401s of the spray are logged by nobody; 403s would be (one INFO line each)
        config.put("quarkus.log.category.\"ai.kubernaut.gateway.auth\".level", "WARN");
        return config;
    }
}
