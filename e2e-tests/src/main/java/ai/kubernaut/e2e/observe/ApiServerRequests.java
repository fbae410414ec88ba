package ai.kubernaut.e2e.observe;

import ai.kubernaut.e2e.metrics.Metrics;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a real API server counts itself: {@code apiserver_request_total} from its {@code /metrics}, by
 * resource/subresource and verb, for clusters without the embedded server's request log. The counts are of every
 * client, so they say what a window cost only while nothing else talks to the server. Verbs are named as in the
 * request log ({@code create}, {@code list}...); watches are left out (the server counts one when it ends).
 */
public final class ApiServerRequests {

    private static final String METRIC = "apiserver_request_total";
    private static final Map<String, String> VERBS = Map.of("POST", "create", "PUT", "update", "PATCH", "patch",
            "DELETE", "delete", "GET", "get", "LIST", "list", "APPLY", "apply");

    /** Counts by {@code resource[/subresource] verb}, since the server started. */
    public record Snapshot(Map<String, Double> byKind) {

        /** How many requests of each kind were counted after {@code before} (kinds with none are left out). */
        public Map<String, Long> since(Snapshot before) {
            Map<String, Long> delta = new TreeMap<>();
            byKind.forEach((kind, count) -> {
                long n = Math.round(count - before.byKind.getOrDefault(kind, 0.0));
                if (n > 0) {
                    delta.put(kind, n);
                }
            });
            return delta;
        }
    }

    private ApiServerRequests() {
    }

    /** The server's counters now; empty when it has no such metric or does not let this client read them. */
    public static Optional<Snapshot> scrape(KubernetesClient admin) {
        try {
            String text = admin.raw("/metrics");
            return text == null ? Optional.empty() : of(text);
        } catch (KubernetesClientException e) {
            return Optional.empty();
        }
    }

    static Optional<Snapshot> of(String metricsText) {
        Map<String, Double> byKind = new TreeMap<>();
        boolean found = false;
        for (Metrics.Sample s : Metrics.parse(metricsText).samples()) {
            if (!s.name().equals(METRIC)) {
                continue;
            }
            found = true;
            String verb = VERBS.get(s.labels().getOrDefault("verb", ""));
            String resource = s.labels().getOrDefault("resource", "");
            if (verb == null || resource.isEmpty()) {
                continue; // WATCH, CONNECT, or a request to no resource (discovery, /metrics itself)
            }
            String subresource = s.labels().getOrDefault("subresource", "");
            byKind.merge(resource + (subresource.isEmpty() ? "" : "/" + subresource) + " " + verb, s.value(), Double::sum);
        }
        return found ? Optional.of(new Snapshot(byKind)) : Optional.empty();
    }
}
