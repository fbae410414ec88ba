package ai.kubernaut.testserver;

import ai.kubernaut.testserver.rbac.PolicyRule;
import ai.kubernaut.testserver.rbac.PolicyRule.Grant;
import ai.kubernaut.testserver.rbac.ServicePolicy;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Puts in front of fabric8's CRUD mock the parts of a real kube-apiserver that the services' safety
 * depends on and that the mock lacks:
 * <ul>
 *   <li>authentication by bearer token ({@link Caller}) and RBAC from each service's rbac.yaml: a request
 *       its rules do not grant answers 403 as a real server does;</li>
 *   <li>optimistic concurrency on every write: a PUT or PATCH (the {@code /status} subresource included)
 *       carrying a stale {@code metadata.resourceVersion} answers 409, and a DELETE whose preconditions
 *       (uid, resourceVersion) do not match answers 409 (the mock checks neither on status writes and
 *       ignores delete preconditions);</li>
 *   <li>409 on create with reason {@code AlreadyExists} (the mock says {@code Invalid});</li>
 *   <li>TokenReview and SubjectAccessReview answered from the same tokens and RBAC rules;</li>
 *   <li>a request log (caller, verb, resource, code, time) and an RBAC coverage count, served on
 *       {@code /__e2e/requests} and {@code /__e2e/rbac} so tests and the benchmark can count Lease calls
 *       and status writes and check that every granted verb is used;</li>
 *   <li>the faults of a real server's life cycle, on request: a type not served (404 page not found), a watch cache
 *       initializing (429), a restart (watches dropped, then both), CRDs served after the start.</li>
 * </ul>
 * Every mutating request runs under one lock, so a precondition check and the write it guards are atomic
 * (the mock serializes writes anyway, so nothing is lost).
 */
public final class RealisticDispatcher extends Dispatcher {

    /**
     * A test's intervention, called for every authenticated and authorized request before faults, precondition
     * checks and the store: return an answer to send instead, or null to go on. It runs on the server's event
     * loop: it must not call this server over HTTP (use {@link EmbeddedApiServer#direct}) nor wait for a client.
     */
    @FunctionalInterface
    public interface Hook {
        MockResponse before(RecordedRequest request, Caller caller);
    }

    private static final Set<String> PUBLIC_PATHS = Set.of("/version", "/healthz", "/livez", "/readyz");
    /** What {@code GET /version} answers: a real server's form (the mock has no version of its own). */
    static final String VERSION = "{\"major\":\"1\",\"minor\":\"32\",\"gitVersion\":\"v1.32.0-kube-test-server\","
            + "\"gitCommit\":\"\",\"gitTreeState\":\"clean\",\"buildDate\":\"2026-01-01T00:00:00Z\","
            + "\"goVersion\":\"\",\"compiler\":\"\",\"platform\":\"linux/amd64\"}";
    private static final String CRDS_PATH = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";

    private final Dispatcher store;
    private final Map<String, ServicePolicy> policies;
    private final RequestLog log = new RequestLog();
    private final Map<String, Map<Grant, LongAdder>> exercised = new ConcurrentHashMap<>();
    private final Map<String, Map<Grant, LongAdder>> denied = new ConcurrentHashMap<>();
    private final ReentrantLock writes = new ReentrantLock();
    private final Faults faults = new Faults();
    private final ResourceAvailability availability = new ResourceAvailability();
    private final OpenWatches watches = new OpenWatches();
    private final ObjectMapper json = new ObjectMapper();
    private final boolean keepBodies;
    private volatile Hook hook;

    /**
     * @param store the CRUD mock's dispatcher
     * @param policies RBAC per service name (the name in the caller's token)
     */
    public RealisticDispatcher(Dispatcher store, Map<String, ServicePolicy> policies) {
        this(store, policies, false);
    }

    /** As above; {@code keepBodies} keeps each request's body in the log (for in-process tests; memory grows). */
    public RealisticDispatcher(Dispatcher store, Map<String, ServicePolicy> policies, boolean keepBodies) {
        this.store = store;
        this.policies = Map.copyOf(policies);
        this.keepBodies = keepBodies;
    }

    /** Sets (or with null removes) the test's {@link Hook}. */
    public void hook(Hook hook) {
        this.hook = hook;
    }

    /** Applies a request to the stored objects directly: no authentication, hook, fault, check or log. Writes
     *  take the write lock, so they interleave with the served writes as another client's would. */
    public MockResponse direct(RecordedRequest request) {
        if (request.method() == HttpMethod.GET) {
            return store.dispatch(request);
        }
        writes.lock();
        try {
            return store.dispatch(request);
        } finally {
            writes.unlock();
        }
    }

    public RequestLog requestLog() {
        return log;
    }

    // ---- a real API server's life cycle: types not served, watch caches initializing, restarts -------------

    /**
     * The next {@code answers} LISTs and WATCHes of {@code resource} (plural, any namespace) that a real server
     * answers from its watch cache get 429 "storage is (re)initializing" with Retry-After: 1; 0 ends it.
     */
    public void watchCacheInitializing(String resource, int answers) {
        availability.initializing(resource, answers);
    }

    /** Every request for {@code resource} answers 404 "404 page not found" (text/plain), for {@code duration} or,
     *  when null, until {@link #resumeServing}. */
    public void stopServing(String resource, Duration duration) {
        availability.stopServing(resource, duration);
    }

    public void resumeServing(String resource) {
        availability.resumeServing(resource);
    }

    /**
     * A restart: every custom resource type (one with a stored CRD) is not served for {@code customTypesNotServedFor},
     * then its first {@code initializingAnswers} LISTs and WATCHes answer 429; every open watch (of any type) loses its
     * connection. Stored objects stay. Returns how many watches were broken.
     */
    public int restart(Duration customTypesNotServedFor, int initializingAnswers) {
        for (String plural : customResourcePlurals()) {
            // before the watches break, so that their reconnections already meet the restarted server
            availability.stopServing(plural, customTypesNotServedFor);
            availability.initializing(plural, initializingAnswers);
        }
        return watches.breakAll();
    }

    /** Keeps this CRD's type unserved, and the CRD itself absent, until {@link #serveCrds}. */
    public void serveLater(CustomResourceDefinition crd) {
        availability.awaitCrd(crd.getSpec().getNames().getPlural(), Serialization.asJson(crd));
    }

    /**
     * Creates the CRDs kept back by {@link #serveLater} and serves their types, whose first {@code initializingAnswers}
     * LISTs and WATCHes then answer 429 (as a real server's did seconds after the CRDs were established). Returns the
     * plurals now served.
     */
    public List<String> serveCrds(int initializingAnswers) {
        Map<String, String> awaiting = availability.awaitingCrds();
        awaiting.forEach((plural, crd) -> {
            MockResponse created = direct(new RecordedRequest("HTTP/1.1", HttpMethod.POST, CRDS_PATH,
                    Headers.builder().add("Content-Type", "application/json").build(), new Buffer().writeUtf8(crd)));
            if (created.code() >= 300 && created.code() != 409) {
                throw new IllegalStateException("cannot create the CRD of " + plural + ": " + created.code());
            }
            availability.initializing(plural, initializingAnswers);
            availability.crdServed(plural);
        });
        return List.copyOf(awaiting.keySet());
    }

    /**
     * Every event of {@code resource} (plural, any namespace) reaches its watchers {@code delay} after the server sent
     * it, in order, as on a real server whose etcd commits and watch cache fan-out lag behind the write's answer (the
     * writer has its answer, the other watchers see the change later); zero ends it and sends the held events at once.
     */
    public void delayWatchEvents(String resource, Duration delay) {
        watches.delayEvents(resource, delay.toMillis());
    }

    /** Ends every fault: rules, freeze, types not served, initializing watch caches, watch event delays (CRDs kept
     *  back stay so). */
    public void clearFaults() {
        faults.clear();
        availability.clearFaults();
        watches.clearDelays();
    }

    /** The plural names of the custom resource types: those of the stored CRDs. */
    private List<String> customResourcePlurals() {
        MockResponse crds = store.dispatch(new RecordedRequest("HTTP/1.1", HttpMethod.GET, CRDS_PATH,
                Headers.builder().build(), new Buffer()));
        List<String> plurals = new ArrayList<>();
        try {
            for (JsonNode crd : json.readTree(crds.getBody().getBytes()).path("items")) {
                plurals.add(crd.path("spec").path("names").path("plural").asText());
            }
        } catch (IOException e) {
            throw new IllegalStateException("unreadable CRD list", e);
        }
        return plurals;
    }

    /**
     * Whether a real server (1.31+) answers this request from the resource's watch cache, so with 429 while that
     * initializes. Every WATCH; a LIST unless it goes to etcd: with a continue token, with a limit and a
     * resourceVersion other than "0", with an Exact resourceVersionMatch, or, while the cache initializes, with a
     * limit and no selector (KEP-4568). GETs by name are read from etcd.
     */
    private static boolean answeredFromWatchCache(RequestAttributes attrs, String uri) {
        if (attrs.verb().equals("watch")) {
            return true;
        }
        if (!attrs.verb().equals("list")) {
            return false;
        }
        Map<String, String> query = RequestAttributes.queryParameters(uri.contains("?")
                ? uri.substring(uri.indexOf('?') + 1) : "");
        boolean limited = !query.getOrDefault("limit", "0").matches("0*");
        boolean selective = !query.getOrDefault("labelSelector", "").isEmpty()
                || !query.getOrDefault("fieldSelector", "").isEmpty();
        String match = query.getOrDefault("resourceVersionMatch", "");
        boolean toEtcd = !query.getOrDefault("continue", "").isEmpty()
                || (limited && !query.getOrDefault("resourceVersion", "").equals("0"))
                || (!match.isEmpty() && !match.equals("NotOlderThan"))
                || (limited && !selective);
        return !toEtcd;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        long started = System.nanoTime();
        long arrivedMicros = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
        String uri = request.getPath();
        if (uri.startsWith("/__e2e/")) {
            return control(request, uri);
        }
        RequestAttributes attrs = RequestAttributes.parse(request.getMethod(), uri);
        Caller caller = Caller.fromAuthorizationHeader(request.getHeader("Authorization")).orElse(null);
        String body = keepBodies ? bodyText(request) : ""; // before the store reads (consumes) it
        Answer answer;
        try {
            answer = handle(request, attrs, caller);
        } catch (RuntimeException e) {
            answer = Answer.of(status(500, "InternalError", "embedded API server failure: " + e, attrs));
        }
        MockResponse response = answer.response();
        if (response.getWebSocketListener() != null) {
            response.withWebSocketUpgrade(watches.track(response.getWebSocketListener(), attrs.resource()));
        }
        int code = response.getWebSocketListener() != null ? 101 : response.code();
        long frozen = faults.frozenForMillis();
        if (frozen > 0 && code != 101 && !attrs.verb().equals("watch")) {
            // frozen: carried out, but nobody hears back until the freeze ends (open watches stay open)
            response.setBodyDelay(Duration.ofMillis(frozen));
        }
        int q = uri.indexOf('?');
        log.append(arrivedMicros, caller, request.getMethod(), attrs, code, (System.nanoTime() - started) / 1000,
                q < 0 ? "" : uri.substring(q + 1), body, answer.fault());
        return response;
    }

    /** An answer and, when a fault made it, which one ("injected", "not-served", "initializing"), for the log. */
    private record Answer(MockResponse response, String fault) {
        static Answer of(MockResponse response) {
            return new Answer(response, "");
        }
    }

    @Override
    public void shutdown() {
        watches.close();
        store.shutdown();
    }

    private Answer handle(RecordedRequest request, RequestAttributes attrs, Caller caller) {
        if (caller == null) {
            if (!attrs.resourceRequest() && PUBLIC_PATHS.contains(attrs.path())) {
                return Answer.of(publicAnswer(attrs));
            }
            return Answer.of(status(401, "Unauthorized", "Unauthorized", attrs));
        }
        if (!caller.isAdmin()) {
            if (attrs.resourceRequest()) {
                Optional<PolicyRule> rule = Optional.ofNullable(policies.get(caller.service()))
                        .flatMap(p -> p.grantingRule(attrs, caller.namespace()));
                if (rule.isEmpty()) {
                    denied.computeIfAbsent(caller.service(), s -> new ConcurrentHashMap<>())
                            .computeIfAbsent(new Grant(attrs.apiGroup(), attrs.resourceWithSubresource(), attrs.verb()),
                                    g -> new LongAdder())
                            .increment();
                    return Answer.of(forbidden(caller, attrs));
                }
                exercised.computeIfAbsent(caller.service(), s -> new ConcurrentHashMap<>())
                        .computeIfAbsent(new Grant(attrs.apiGroup(), attrs.resourceWithSubresource(), attrs.verb()),
                                g -> new LongAdder())
                        .increment();
            } else if (!attrs.verb().equals("get") && !attrs.verb().equals("head")) {
                // discovery documents are readable by every authenticated user (system:discovery)
                return Answer.of(forbidden(caller, attrs));
            }
        }
        Hook current = hook;
        if (current != null) {
            MockResponse instead = current.before(request, caller);
            if (instead != null) {
                return Answer.of(instead);
            }
        }
        if (attrs.resourceRequest() && !availability.served(attrs.resource())) {
            return new Answer(pageNotFound(), "not-served");
        }
        String name = attrs.verb().equals("create") ? nameInBody(request) : attrs.name();
        if (!faults.isEmpty()) {
            Optional<Faults.Rule> failure = faults.fire(caller, attrs, name, true);
            if (failure.isPresent()) {
                return new Answer(status(failure.get().respondWith(), "InternalError",
                        "injected fault " + failure.get().id() + " (e2e)", attrs.withName(name)), "injected");
            }
        }
        if (answeredFromWatchCache(attrs, request.getPath()) && availability.takeInitializingAnswer(attrs.resource())) {
            return new Answer(initializing(), "initializing");
        }
        MockResponse response = answer(request, attrs, name);
        if (!faults.isEmpty() && response.code() >= 200 && response.code() < 300) {
            // carried out, but the answer is held back: the caller waits inside its critical section
            Optional<Faults.Rule> delay = faults.fire(caller, attrs, name, false);
            delay.ifPresent(rule -> response.setBodyDelay(Duration.ofMillis(rule.delayMillis())));
        }
        return Answer.of(response);
    }

    /** The answer of the reviews, or of the store behind the concurrency checks. */
    private MockResponse answer(RecordedRequest request, RequestAttributes attrs, String name) {
        if (attrs.verb().equals("create") && attrs.apiGroup().equals("authentication.k8s.io")
                && attrs.resource().equals("tokenreviews")) {
            return tokenReview(request);
        }
        if (attrs.verb().equals("create") && attrs.apiGroup().equals("authorization.k8s.io")
                && attrs.resource().equals("subjectaccessreviews")) {
            return subjectAccessReview(request);
        }
        if (attrs.verb().equals("create") && attrs.apiGroup().isEmpty() && attrs.resource().equals("serviceaccounts")
                && attrs.subresource().equals("token")) {
            return tokenRequest(attrs);
        }
        MockResponse response;
        if (!attrs.resourceRequest() && PUBLIC_PATHS.contains(attrs.path())) {
            response = publicAnswer(attrs);
        } else if (!attrs.mutating()) {
            response = namingTheMissingObject(store.dispatch(request), attrs);
        } else {
            writes.lock();
            try {
                Optional<MockResponse> conflict = preconditionFailure(request, attrs);
                if (conflict.isPresent()) {
                    return conflict.get();
                }
                response = namingTheMissingObject(store.dispatch(request), attrs);
                if (attrs.verb().equals("create") && response.code() == 409) {
                    return status(409, "AlreadyExists",
                            attrs.qualifiedResource() + " \"" + name + "\" already exists", attrs.withName(name));
                }
            } finally {
                writes.unlock();
            }
        }
        return response;
    }

    /**
     * {@code /version}, {@code /healthz}, {@code /livez}, {@code /readyz} as a real server answers them. The mock
     * matched these paths against every stored object (their query is empty) and sent them all: with 100,000
     * objects stored, a 300 MB answer to every readiness probe that asks for the version.
     */
    private static MockResponse publicAnswer(RequestAttributes attrs) {
        return attrs.path().equals("/version")
                ? new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json").setBody(VERSION)
                : new MockResponse().setResponseCode(200).setHeader("Content-Type", "text/plain").setBody("ok");
    }

    /**
     * The mock answers a request for a missing object with a bare 404; a real server sends a Status naming the
     * object ({@code details: {name, group, kind: <plural>}}), which is how a client tells "this object is gone" from
     * "this type is not served" (a 404 without such a Status).
     */
    private MockResponse namingTheMissingObject(MockResponse response, RequestAttributes attrs) {
        boolean oneObject = !attrs.name().isEmpty() && Set.of("get", "update", "patch", "delete").contains(attrs.verb());
        boolean bare = response.getBody() == null || response.getBody().size() == 0;
        if (response.code() != 404 || !oneObject || !bare) {
            return response;
        }
        return status(404, "NotFound", attrs.qualifiedResource() + " \"" + attrs.name() + "\" not found", attrs);
    }

    // ---- optimistic concurrency, as kube-apiserver does it -------------------------------------------

    private Optional<MockResponse> preconditionFailure(RecordedRequest request, RequestAttributes attrs) {
        if (attrs.name().isEmpty()) {
            return Optional.empty();
        }
        JsonNode body = bodyJson(request);
        if (attrs.verb().equals("update") || attrs.verb().equals("patch")) {
            String wanted = requestedResourceVersion(request, body);
            if (wanted.isEmpty()) {
                return Optional.empty(); // unconditional update, allowed as on a real server
            }
            Optional<JsonNode> current = currentObject(attrs);
            if (current.isPresent() && !wanted.equals(resourceVersion(current.get()))) {
                return Optional.of(conflict(attrs, "the object has been modified; please apply your changes to the "
                        + "latest version and try again"));
            }
        } else if (attrs.verb().equals("delete") && body != null && body.has("preconditions")) {
            JsonNode preconditions = body.path("preconditions");
            Optional<JsonNode> current = currentObject(attrs);
            if (current.isEmpty()) {
                return Optional.empty(); // the store answers 404
            }
            JsonNode meta = current.get().path("metadata");
            String uid = preconditions.path("uid").asText("");
            if (!uid.isEmpty() && !uid.equals(meta.path("uid").asText(""))) {
                return Optional.of(conflict(attrs, "Precondition failed: UID in precondition: " + uid
                        + ", UID in object meta: " + meta.path("uid").asText("")));
            }
            String rv = preconditions.path("resourceVersion").asText("");
            if (!rv.isEmpty() && !rv.equals(meta.path("resourceVersion").asText(""))) {
                return Optional.of(conflict(attrs, "Precondition failed: ResourceVersion in precondition: " + rv
                        + ", ResourceVersion in object meta: " + meta.path("resourceVersion").asText("")));
            }
        }
        return Optional.empty();
    }

    /** The resourceVersion a PUT or PATCH asks to write over, or "" when it asks for none. */
    private static String requestedResourceVersion(RecordedRequest request, JsonNode body) {
        if (body == null) {
            return "";
        }
        if (body.isArray()) { // application/json-patch+json
            for (JsonNode op : body) {
                if ("/metadata/resourceVersion".equals(op.path("path").asText())
                        && Set.of("test", "replace", "add").contains(op.path("op").asText())) {
                    return op.path("value").asText("");
                }
            }
            return "";
        }
        return body.path("metadata").path("resourceVersion").asText("");
    }

    private Optional<JsonNode> currentObject(RequestAttributes attrs) {
        String objectPath = attrs.subresource().isEmpty()
                ? attrs.path()
                : attrs.path().substring(0, attrs.path().lastIndexOf('/'));
        MockResponse response = store.dispatch(new RecordedRequest("HTTP/1.1", HttpMethod.GET, objectPath,
                Headers.builder().build(), new Buffer()));
        if (response.code() != 200 || response.getBody() == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(json.readTree(response.getBody().getBytes()));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static String resourceVersion(JsonNode object) {
        return object.path("metadata").path("resourceVersion").asText("");
    }

    private JsonNode bodyJson(RecordedRequest request) {
        if (request.getBody() == null || request.getBody().size() == 0) {
            return null;
        }
        try {
            // getBytes() copies: the store reads the body again afterwards
            return json.readTree(request.getBody().getBytes());
        } catch (IOException e) {
            return null;
        }
    }

    private static String bodyText(RecordedRequest request) {
        return request.getBody() == null ? "" : new String(request.getBody().getBytes(), StandardCharsets.UTF_8);
    }

    private String nameInBody(RecordedRequest request) {
        JsonNode body = bodyJson(request);
        return body == null ? "" : body.path("metadata").path("name").asText("");
    }

    // ---- authentication and authorization reviews ----------------------------------------------------

    private MockResponse tokenReview(RecordedRequest request) {
        JsonNode body = bodyJson(request);
        ObjectNode review = json.createObjectNode();
        review.put("apiVersion", "authentication.k8s.io/v1").put("kind", "TokenReview");
        review.set("spec", body == null ? json.createObjectNode() : body.path("spec").deepCopy());
        ObjectNode status = review.putObject("status");
        String token = body == null ? "" : body.path("spec").path("token").asText("");
        Optional<Caller> caller = Caller.fromAuthorizationHeader("Bearer " + token);
        if (caller.isPresent()) {
            status.put("authenticated", true);
            ObjectNode user = status.putObject("user");
            user.put("username", caller.get().userName());
            ArrayNode groups = user.putArray("groups");
            if (!caller.get().isAdmin()) {
                groups.add("system:serviceaccounts").add("system:serviceaccounts:" + caller.get().namespace());
            } else {
                groups.add("system:masters");
            }
            groups.add("system:authenticated");
            if (body != null && body.path("spec").has("audiences")) {
                status.set("audiences", body.path("spec").path("audiences").deepCopy());
            }
        } else {
            status.put("authenticated", false).put("error", "invalid bearer token");
        }
        return json(201, review);
    }

    /** TokenRequest: a token for the ServiceAccount, in the convention {@link Caller} reads. */
    private MockResponse tokenRequest(RequestAttributes attrs) {
        if (currentObject(attrs).isEmpty()) {
            return status(404, "NotFound", "serviceaccounts \"" + attrs.name() + "\" not found", attrs);
        }
        ObjectNode answer = json.createObjectNode();
        answer.put("apiVersion", "authentication.k8s.io/v1").put("kind", "TokenRequest");
        answer.putObject("metadata").put("name", attrs.name()).put("namespace", attrs.namespace());
        answer.putObject("spec").put("expirationSeconds", 3600);
        answer.putObject("status").put("token", Caller.serviceAccountToken(attrs.namespace(), attrs.name()))
                .put("expirationTimestamp", Instant.now().plusSeconds(3600).truncatedTo(ChronoUnit.SECONDS).toString());
        return json(201, answer);
    }

    private MockResponse subjectAccessReview(RecordedRequest request) {
        JsonNode body = bodyJson(request);
        JsonNode spec = body == null ? json.createObjectNode() : body.path("spec");
        String user = spec.path("user").asText("");
        Caller subject = null;
        if (user.equals(Caller.ADMIN.userName())) {
            subject = Caller.ADMIN;
        } else if (user.startsWith("system:serviceaccount:")) {
            String[] parts = user.split(":");
            if (parts.length == 4) {
                subject = new Caller(parts[3], parts[2], "");
            }
        }
        RequestAttributes asked;
        if (spec.has("resourceAttributes")) {
            JsonNode ra = spec.path("resourceAttributes");
            asked = new RequestAttributes(true, ra.path("verb").asText(""), ra.path("group").asText(""),
                    ra.path("version").asText(""), ra.path("namespace").asText(""), ra.path("resource").asText(""),
                    ra.path("subresource").asText(""), ra.path("name").asText(""), "");
        } else {
            JsonNode nra = spec.path("nonResourceAttributes");
            asked = new RequestAttributes(false, nra.path("verb").asText(""), "", "", "", "", "", "",
                    nra.path("path").asText(""));
        }
        boolean allowed = false;
        String reason = "no RBAC rule grants " + asked.verb() + " on " + asked.resourceWithSubresource();
        if (subject != null && subject.isAdmin()) {
            allowed = true;
            reason = "admin";
        } else if (subject != null && policies.containsKey(subject.service())) {
            Optional<PolicyRule> rule = policies.get(subject.service()).grantingRule(asked, subject.namespace());
            allowed = rule.isPresent();
            if (allowed) {
                reason = "allowed by the RBAC rules of " + subject.service();
            }
        }
        ObjectNode review = json.createObjectNode();
        review.put("apiVersion", "authorization.k8s.io/v1").put("kind", "SubjectAccessReview");
        review.set("spec", spec.deepCopy());
        review.putObject("status").put("allowed", allowed).put("reason", reason);
        return json(201, review);
    }

    // ---- /__e2e control endpoints ---------------------------------------------------------------------

    private MockResponse control(RecordedRequest request, String uri) {
        String path = uri.contains("?") ? uri.substring(0, uri.indexOf('?')) : uri;
        Map<String, String> params = RequestAttributes.queryParameters(uri.contains("?")
                ? uri.substring(uri.indexOf('?') + 1) : "");
        switch (path) {
            case "/__e2e/health":
                return new MockResponse().setResponseCode(200).setBody("ok");
            case "/__e2e/requests": {
                long from = Long.parseLong(params.getOrDefault("from", "0"));
                int limit = Integer.parseInt(params.getOrDefault("limit", "100000"));
                List<RequestRecord> records = log.since(from, limit);
                ObjectNode page = json.createObjectNode();
                page.put("next", records.isEmpty() ? Math.min(from, log.size()) : records.get(records.size() - 1).seq() + 1);
                page.set("records", json.valueToTree(records));
                return json(200, page);
            }
            case "/__e2e/rbac":
                return json(200, rbacCoverage());
            case "/__e2e/faults":
                return faultsEndpoint(request, params);
            case "/__e2e/faults/initializing":
            case "/__e2e/faults/not-served":
            case "/__e2e/faults/restart":
            case "/__e2e/faults/watch-delay":
            case "/__e2e/serve-crds":
                return lifecycleEndpoint(request, path, params);
            default:
                return new MockResponse().setResponseCode(404).setBody("unknown control endpoint " + path);
        }
    }

    private MockResponse faultsEndpoint(RecordedRequest request, Map<String, String> params) {
        switch (request.getMethod()) {
            case "POST" -> {
                JsonNode body = bodyJson(request);
                if (body == null) {
                    return new MockResponse().setResponseCode(400).setBody("a JSON fault rule is required");
                }
                if (body.has("freezeMillis")) {
                    faults.freezeFor(body.path("freezeMillis").asLong());
                    return json(201, json.createObjectNode().put("frozenForMillis", faults.frozenForMillis()));
                }
                Faults.Rule rule = faults.add(body.path("service").asText(""),
                        body.path("callerNamespace").asText(""), body.path("pod").asText(""),
                        body.path("verb").asText(""), body.path("resource").asText(""), body.path("namePrefix").asText(""),
                        body.path("delayMillis").asLong(0), body.path("respondWith").asInt(0), body.path("times").asInt(1));
                return json(201, json.valueToTree(rule));
            }
            case "DELETE" -> {
                if (params.containsKey("callerNamespace")) {
                    faults.clear(params.get("callerNamespace")); // one scenario's rules only
                } else {
                    clearFaults();
                }
                return new MockResponse().setResponseCode(200).setBody("cleared");
            }
            default -> {
                ObjectNode state = json.createObjectNode();
                state.set("rules", json.valueToTree(faults.rules()));
                state.set("fired", json.valueToTree(faults.fired()));
                state.set("availability", json.valueToTree(availability.state()));
                state.set("watchEventDelaysMillis", json.valueToTree(watches.eventDelays()));
                return json(200, state);
            }
        }
    }

    /** The life-cycle faults and serving the CRDs kept back; see the public methods of the same names. */
    private MockResponse lifecycleEndpoint(RecordedRequest request, String path, Map<String, String> params) {
        if (path.equals("/__e2e/faults/not-served") && request.getMethod().equals("DELETE")
                && params.containsKey("resource")) {
            resumeServing(params.get("resource"));
            return new MockResponse().setResponseCode(200).setBody("served");
        }
        JsonNode body = bodyJson(request);
        if (!request.getMethod().equals("POST") || body == null) {
            return new MockResponse().setResponseCode(400).setBody("POST a JSON body to " + path);
        }
        switch (path) {
            case "/__e2e/faults/initializing" -> {
                watchCacheInitializing(body.path("resource").asText(), body.path("answers").asInt());
                return json(201, body);
            }
            case "/__e2e/faults/not-served" -> {
                stopServing(body.path("resource").asText(),
                        body.has("millis") ? Duration.ofMillis(body.path("millis").asLong()) : null);
                return json(201, body);
            }
            case "/__e2e/faults/watch-delay" -> {
                delayWatchEvents(body.path("resource").asText(), Duration.ofMillis(body.path("millis").asLong()));
                return json(201, body);
            }
            case "/__e2e/faults/restart" -> {
                int broken = restart(Duration.ofMillis(body.path("notServedMillis").asLong()),
                        body.path("initializingAnswers").asInt());
                return json(201, json.createObjectNode().put("brokenWatches", broken));
            }
            default -> {
                ObjectNode answer = json.createObjectNode();
                answer.set("served", json.valueToTree(serveCrds(body.path("initializingAnswers").asInt())));
                return json(201, answer);
            }
        }
    }

    private ObjectNode rbacCoverage() {
        ObjectNode report = json.createObjectNode();
        policies.forEach((service, policy) -> {
            ObjectNode node = report.putObject(service);
            ArrayNode grants = node.putArray("grants");
            Map<Grant, LongAdder> used = exercised.getOrDefault(service, Map.of());
            Map<Grant, Long> counts = new LinkedHashMap<>();
            for (PolicyRule rule : policy.allRules()) {
                for (Grant grant : rule.grants()) {
                    counts.merge(grant, used.entrySet().stream()
                            .filter(e -> covers(grant, e.getKey()))
                            .mapToLong(e -> e.getValue().sum()).sum(), Math::max);
                }
            }
            counts.forEach((grant, count) -> grants.addObject()
                    .put("apiGroup", grant.apiGroup()).put("resource", grant.resource())
                    .put("verb", grant.verb()).put("count", count));
            node.put("wildcard", policy.allRules().stream().anyMatch(PolicyRule::usesWildcard));
            ArrayNode refused = node.putArray("denied");
            denied.getOrDefault(service, Map.of()).forEach((grant, count) -> refused.addObject()
                    .put("apiGroup", grant.apiGroup()).put("resource", grant.resource())
                    .put("verb", grant.verb()).put("count", count.sum()));
        });
        return report;
    }

    private static boolean covers(Grant rule, Grant used) {
        return (rule.apiGroup().equals("*") || rule.apiGroup().equals(used.apiGroup()))
                && (rule.resource().equals("*") || rule.resource().equals(used.resource()))
                && (rule.verb().equals("*") || rule.verb().equals(used.verb()));
    }

    // ---- responses ---------------------------------------------------------------------------------

    private MockResponse forbidden(Caller caller, RequestAttributes attrs) {
        String what = attrs.resourceRequest()
                ? attrs.qualifiedResource() + (attrs.name().isEmpty() ? "" : " \"" + attrs.name() + "\"")
                + " is forbidden: User \"" + caller.userName() + "\" cannot " + attrs.verb() + " resource \""
                + attrs.resourceWithSubresource() + "\" in API group \"" + attrs.apiGroup() + "\""
                + (attrs.namespace().isEmpty() ? " at the cluster scope" : " in the namespace \"" + attrs.namespace() + "\"")
                : "forbidden: User \"" + caller.userName() + "\" cannot " + attrs.verb() + " path \"" + attrs.path() + "\"";
        return status(403, "Forbidden", what, attrs);
    }

    private MockResponse conflict(RequestAttributes attrs, String why) {
        return status(409, "Conflict", "Operation cannot be fulfilled on " + attrs.qualifiedResource() + " \""
                + attrs.name() + "\": " + why, attrs);
    }

    /** A Status naming the request's object or resource, as a real server's errors do. */
    private MockResponse status(int code, String reason, String message, RequestAttributes attrs) {
        ObjectNode details = null;
        if (attrs.resourceRequest()) {
            details = json.createObjectNode();
            if (!attrs.name().isEmpty()) {
                details.put("name", attrs.name());
            }
            if (!attrs.apiGroup().isEmpty()) { // omitted for the core group, as on a real server
                details.put("group", attrs.apiGroup());
            }
            details.put("kind", attrs.resource());
        }
        return status(code, reason, message, details);
    }

    /** A Status with these details (null: none), its fields in a real server's order. */
    private MockResponse status(int code, String reason, String message, ObjectNode details) {
        ObjectNode status = json.createObjectNode();
        status.put("kind", "Status").put("apiVersion", "v1").putObject("metadata");
        status.put("status", "Failure").put("message", message).put("reason", reason);
        if (details != null) {
            status.set("details", details);
        }
        status.put("code", code);
        return json(code, status);
    }

    /** What a real server's mux answers for a path it has no handler for (Go's http.NotFound): no Status. */
    private static MockResponse pageNotFound() {
        return new MockResponse().setResponseCode(404).setHeader("Content-Type", "text/plain; charset=utf-8")
                .setHeader("X-Content-Type-Options", "nosniff").setBody("404 page not found\n");
    }

    /** What a real server (1.31+) answers for a LIST or WATCH while the resource's watch cache initializes. */
    private MockResponse initializing() {
        ObjectNode details = json.createObjectNode().put("retryAfterSeconds", 1);
        return status(429, "TooManyRequests", "storage is (re)initializing", details).setHeader("Retry-After", "1");
    }

    private MockResponse json(int code, JsonNode node) {
        try {
            return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json")
                    .setBody(new String(json.writeValueAsBytes(node), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
