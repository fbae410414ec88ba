package ai.kubernaut.testserver;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The embedded API server's control endpoints ({@code /__e2e/...}): its request log, its RBAC coverage, fault
 * injection and the faults of its life cycle (types not served, watch caches initializing, a restart, serving the CRDs
 * later).
 *
 * <p>{@link #scopedTo(String)} gives a scenario its own view of the failure and delay rules: its rules match only
 * callers whose ServiceAccount is in its namespace, its {@link #firedFaults()} are its own, its {@link #clearFaults()}
 * ends only its rules. Scenarios that run side by side on one server use that; the server-wide faults (a freeze, types
 * not served, a restart) stay for scenarios with a server of their own.
 */
public final class ApiServerControl {

    private final String baseUrl;
    /** The namespace of the callers this view's rules match; "" for the whole server. */
    private final String callerNamespace;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    public ApiServerControl(String baseUrl) {
        this(baseUrl, "", HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build());
    }

    private ApiServerControl(String baseUrl, String callerNamespace, HttpClient http) {
        this.baseUrl = baseUrl;
        this.callerNamespace = callerNamespace;
        this.http = http;
    }

    /** This server's control, its failure and delay rules limited to callers of {@code namespace} (see above). */
    public ApiServerControl scopedTo(String namespace) {
        if (namespace == null || namespace.isEmpty()) {
            throw new IllegalArgumentException("a scope needs a namespace");
        }
        return new ApiServerControl(baseUrl, namespace, http);
    }

    /** The sequence number the next request will get: pass it to {@link #since(long)} later. */
    public long mark() {
        return get("/__e2e/requests?from=" + Long.MAX_VALUE / 2 + "&limit=0").path("next").asLong();
    }

    /** Every request logged from {@code mark} on. */
    public List<RequestRecord> since(long mark) {
        List<RequestRecord> all = new ArrayList<>();
        long from = mark;
        while (true) {
            JsonNode page = get("/__e2e/requests?from=" + from + "&limit=20000");
            JsonNode records = page.path("records");
            if (records.isEmpty()) {
                return all;
            }
            for (JsonNode r : records) {
                all.add(json.convertValue(r, RequestRecord.class));
            }
            from = page.path("next").asLong();
        }
    }

    /** Per service: every granted (group, resource, verb) of its rbac.yaml and how often it was used. */
    public JsonNode rbacCoverage() {
        return get("/__e2e/rbac");
    }

    /** A fault that fired: which replica's request on which object. */
    public record FiredFault(long ruleId, String service, String callerNamespace, String pod, String verb,
                             String resource, String name, long epochMillis) {
    }

    /**
     * Holds back the answer of the next {@code times} successful requests matching service, verb and resource
     * (and name prefix) by {@code delay}: the request is carried out, the caller waits for the answer.
     * {@code pod} "" matches any replica.
     */
    public long delayAnswers(String service, String pod, String verb, String resource, String namePrefix,
                             Duration delay, int times) {
        return addFault(service, pod, verb, resource, namePrefix, delay.toMillis(), 0, times);
    }

    /** Answers the next {@code times} matching requests with HTTP {@code status} without carrying them out. */
    public long failRequests(String service, String pod, String verb, String resource, String namePrefix,
                             int status, int times) {
        return addFault(service, pod, verb, resource, namePrefix, 0, status, times);
    }

    private long addFault(String service, String pod, String verb, String resource, String namePrefix,
                          long delayMillis, int respondWith, int times) {
        var rule = json.createObjectNode().put("service", service).put("callerNamespace", callerNamespace)
                .put("pod", pod).put("verb", verb)
                .put("resource", resource).put("namePrefix", namePrefix).put("delayMillis", delayMillis)
                .put("respondWith", respondWith).put("times", times);
        return send("POST", "/__e2e/faults", rule.toString()).path("id").asLong();
    }

    /**
     * The API server stops answering for {@code duration}: every request (of any caller) is carried out but its
     * answer is held until then. Open watches stay open.
     */
    public void freeze(Duration duration) {
        send("POST", "/__e2e/faults", json.createObjectNode().put("freezeMillis", duration.toMillis()).toString());
    }

    /**
     * The watch cache of {@code resource} (plural) is initializing: its next {@code answers} LISTs and WATCHes answer
     * 429 "storage is (re)initializing" with Retry-After: 1 (see {@link EmbeddedApiServer#watchCacheInitializing}).
     */
    public void watchCacheInitializing(String resource, int answers) {
        send("POST", "/__e2e/faults/initializing",
                json.createObjectNode().put("resource", resource).put("answers", answers).toString());
    }

    /**
     * Every event of {@code resource} (plural) reaches its watchers {@code delay} after the server sent it, in order
     * (a real server's watch lag; see {@link EmbeddedApiServer#delayWatchEvents}); {@link Duration#ZERO} ends it.
     */
    public void delayWatchEvents(String resource, Duration delay) {
        send("POST", "/__e2e/faults/watch-delay",
                json.createObjectNode().put("resource", resource).put("millis", delay.toMillis()).toString());
    }

    /** {@code resource} answers every request with 404 page not found (text/plain) until {@link #resumeServing}. */
    public void stopServing(String resource) {
        send("POST", "/__e2e/faults/not-served", json.createObjectNode().put("resource", resource).toString());
    }

    /** As {@link #stopServing(String)}, served again after {@code duration}. */
    public void stopServing(String resource, Duration duration) {
        send("POST", "/__e2e/faults/not-served",
                json.createObjectNode().put("resource", resource).put("millis", duration.toMillis()).toString());
    }

    public void resumeServing(String resource) {
        send("DELETE", "/__e2e/faults/not-served?resource=" + URLEncoder.encode(resource, StandardCharsets.UTF_8), null);
    }

    /**
     * The API server restarts: open watches lose their connection, custom resource types are not served for
     * {@code customTypesNotServedFor}, then their first {@code initializingAnswers} LISTs and WATCHes answer 429
     * (see {@link EmbeddedApiServer#restart}). Returns how many watches were dropped.
     */
    public int restart(Duration customTypesNotServedFor, int initializingAnswers) {
        return send("POST", "/__e2e/faults/restart", json.createObjectNode()
                .put("notServedMillis", customTypesNotServedFor.toMillis())
                .put("initializingAnswers", initializingAnswers).toString()).path("brokenWatches").asInt();
    }

    /**
     * For a server started with {@code --serve-crds-later}: creates the CRDs and serves their types, whose first
     * {@code initializingAnswers} LISTs and WATCHes answer 429. Returns the plurals now served.
     */
    public List<String> serveCrds(int initializingAnswers) {
        List<String> served = new ArrayList<>();
        send("POST", "/__e2e/serve-crds", json.createObjectNode().put("initializingAnswers", initializingAnswers)
                .toString()).path("served").forEach(plural -> served.add(plural.asText()));
        return served;
    }

    public List<FiredFault> firedFaults() {
        List<FiredFault> fired = new ArrayList<>();
        for (JsonNode f : get("/__e2e/faults").path("fired")) {
            FiredFault one = json.convertValue(f, FiredFault.class);
            if (callerNamespace.isEmpty() || callerNamespace.equals(one.callerNamespace())) {
                fired.add(one);
            }
        }
        return fired;
    }

    /**
     * Scoped: ends this scope's failure and delay rules only. Otherwise ends every fault: failure and delay rules, a
     * freeze, types not served, initializing watch caches, watch event delays.
     */
    public void clearFaults() {
        send("DELETE", callerNamespace.isEmpty() ? "/__e2e/faults"
                : "/__e2e/faults?callerNamespace=" + URLEncoder.encode(callerNamespace, StandardCharsets.UTF_8), null);
    }

    private JsonNode send(String method, String path, String body) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30))
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            if (body != null) {
                request.header("Content-Type", "application/json");
            }
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() >= 300) {
                throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": " + response.body());
            }
            return response.body().startsWith("{") ? json.readTree(response.body()) : json.createObjectNode();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot call " + baseUrl + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private JsonNode get(String path) {
        try {
            HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(URI.create(baseUrl + path))
                    .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("GET " + path + " answered " + response.statusCode());
            }
            return json.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + baseUrl + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
