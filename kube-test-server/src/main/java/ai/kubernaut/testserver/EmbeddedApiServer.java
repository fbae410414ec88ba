package ai.kubernaut.testserver;

import ai.kubernaut.testserver.rbac.ServicePolicy;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;

import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * The strict test API server: fabric8's CRUD mock behind a {@link RealisticDispatcher}, on 127.0.0.1, with the
 * project's CRDs registered.
 *
 * <p>In-process (the services' tests): {@code EmbeddedApiServer.builder().crds(dir).start()}, then clients from
 * {@link #adminClient()} or {@link #client(String)} with a {@link Caller#serviceAccountToken} token (RBAC applies
 * when the service's rbac.yaml was given to {@link Builder#rbac}); a {@link RealisticDispatcher.Hook} lets a test
 * intervene in requests, {@link #requests()} lists what was served. The faults of a real server's life cycle:
 * {@link #watchCacheInitializing}, {@link #stopServing}, {@link #restart}, {@link Builder#serveCrdsLater()} with
 * {@link #serveCrds}.
 *
 * <p>Stand-alone (the e2e suite and the demo): in its own process so that several service processes share one
 * "cluster" (and so that pausing or killing a replica never touches it).
 *
 * <pre>
 * java -cp ... ai.kubernaut.testserver.EmbeddedApiServer --port 0 --crds deploy/crds \
 *     --rbac gateway-service=deploy/base/gateway-service/rbac.yaml --port-file target/api.port \
 *     [--kubeconfig target/embedded-kubeconfig] [--standalone] [--serve-crds-later]
 * </pre>
 * Without {@code --standalone} the server exits when its standard input closes, so it never outlives the
 * process that started it. With {@code --serve-crds-later} the CRDs' types are not served (404 page not found) until
 * {@code POST /__e2e/serve-crds} ({@link ApiServerControl#serveCrds}).
 */
public final class EmbeddedApiServer implements AutoCloseable {

    // kept referenced so the level sticks: the mock logs every request at INFO
    private static final Logger MOCK_LOGGER = Logger.getLogger("io.fabric8.mockwebserver");

    private final KubernetesMockServer server;
    private final RealisticDispatcher dispatcher;
    private final Thread drainer;

    private final boolean https;
    private KubernetesClient sharedAdmin;

    private EmbeddedApiServer(KubernetesMockServer server, RealisticDispatcher dispatcher, Thread drainer, boolean https) {
        this.https = https;
        this.server = server;
        this.dispatcher = dispatcher;
        this.drainer = drainer;
    }

    /** What to start: port, CRDs, RBAC per service, TLS, whether the request log keeps bodies. */
    public static final class Builder {
        private int port;
        private Path crdDir;
        private final Map<String, ServicePolicy> policies = new LinkedHashMap<>();
        private boolean https;
        private boolean keepRequestBodies;
        private boolean serveCrdsLater;

        private Builder() {
        }

        /** 0 (the default): any free port. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** Registers every CustomResourceDefinition in this directory (e.g. deploy/crds). */
        public Builder crds(Path dir) {
            this.crdDir = dir;
            return this;
        }

        /** Tokens of {@code service} get the rights of this rbac.yaml; without it such tokens are refused (403). */
        public Builder rbac(String service, Path rbacYaml) {
            policies.put(service, ServicePolicy.load(service, rbacYaml));
            return this;
        }

        /** TLS with a self-signed certificate (kubectl sends bearer tokens over TLS only). */
        public Builder https(boolean https) {
            this.https = https;
            return this;
        }

        /** Keeps each request's body in the log, for tests that check what went over the wire. */
        public Builder keepRequestBodies() {
            this.keepRequestBodies = true;
            return this;
        }

        /**
         * Starts before the CRDs exist, as a service may on a fresh cluster: the CRDs of {@link #crds} are not stored
         * and their types answer 404 page not found until {@link EmbeddedApiServer#serveCrds(int)}.
         */
        public Builder serveCrdsLater() {
            this.serveCrdsLater = true;
            return this;
        }

        public EmbeddedApiServer start() {
            try {
                return EmbeddedApiServer.start(port, crdDir, policies, https, keepRequestBodies, serveCrdsLater);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts a server on 127.0.0.1 ({@code port} 0 = any free port) and registers the CRDs found in {@code crdDir}. */
    public static EmbeddedApiServer start(int port, Path crdDir, Map<String, ServicePolicy> policies) throws IOException {
        return start(port, crdDir, policies, false);
    }

    /** As {@link #start(int, Path, Map)}; {@code https} serves TLS with a self-signed certificate (kubectl sends
     *  bearer tokens over TLS only). */
    public static EmbeddedApiServer start(int port, Path crdDir, Map<String, ServicePolicy> policies, boolean https)
            throws IOException {
        return start(port, crdDir, policies, https, false, false);
    }

    private static EmbeddedApiServer start(int port, Path crdDir, Map<String, ServicePolicy> policies, boolean https,
                                           boolean keepRequestBodies, boolean serveCrdsLater) throws IOException {
        MOCK_LOGGER.setLevel(Level.WARNING);
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        RealisticDispatcher dispatcher = new RealisticDispatcher(new IndexedCrudStore(), policies,
                keepRequestBodies);
        MockWebServer web = new MockWebServer();
        // the JDK HttpClient used by the harness probes for h2c; plain HTTP/1.1 keeps large responses sane
        web.setHttp2ClearTextEnabled(false);
        KubernetesMockServer server = new KubernetesMockServer(new Context(Serialization.jsonMapper()), web,
                responses, dispatcher, https);
        server.init(InetAddress.getByName("127.0.0.1"), port);
        // the mock keeps every request in a queue for takeRequest(); drain it so memory stays flat
        Thread drainer = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    server.takeRequest(1, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "request-queue-drainer");
        drainer.setDaemon(true);
        drainer.start();
        EmbeddedApiServer embedded = new EmbeddedApiServer(server, dispatcher, drainer, https);
        embedded.registerCrds(crdDir, serveCrdsLater);
        return embedded;
    }

    public int port() {
        return server.getPort();
    }

    public String url() {
        return (https ? "https" : "http") + "://127.0.0.1:" + port();
    }

    public RequestLog requestLog() {
        return dispatcher.requestLog();
    }

    /** Every request served so far, in order. */
    public List<RequestRecord> requests() {
        return dispatcher.requestLog().all();
    }

    /** Where the log ends now: pass it to {@link #requestsSince} to see only what a test step caused. */
    public long mark() {
        return dispatcher.requestLog().size();
    }

    /** The requests served from {@code mark} on that match. */
    public List<RequestRecord> requestsSince(long mark, Predicate<RequestRecord> which) {
        return dispatcher.requestLog().since(mark, Integer.MAX_VALUE).stream().filter(which).toList();
    }

    /** The requests served so far that match. */
    public List<RequestRecord> requests(Predicate<RequestRecord> which) {
        return requests().stream().filter(which).toList();
    }

    /** Sets (or with null removes) the test's hook in front of the store, see {@link RealisticDispatcher.Hook}. */
    public void hook(RealisticDispatcher.Hook hook) {
        dispatcher.hook(hook);
    }

    /**
     * Applies a request to the stored objects directly, as another writer would (no authentication, hook,
     * fault or log): for hooks that act as a concurrent writer. {@code path} without query.
     */
    public MockResponse direct(HttpMethod method, String path, String contentType, String body) {
        Headers.Builder headers = Headers.builder();
        if (contentType != null) {
            headers.add("Content-Type", contentType);
        }
        Buffer buffer = new Buffer();
        if (body != null) {
            buffer.writeUtf8(body);
        }
        return dispatcher.direct(new RecordedRequest("HTTP/1.1", method, path, headers.build(), buffer));
    }

    // ---- a real API server's life cycle (see README: faults) -------------------------------------------------

    /**
     * The watch cache of {@code resource} (plural, e.g. {@code remediationrequests}; every namespace) is initializing:
     * its next {@code answers} LISTs and WATCHes answer 429 TooManyRequests "storage is (re)initializing" with
     * {@code Retry-After: 1}, as a 1.31+ server's do. GETs by name and writes are answered (from etcd on a real server),
     * and so are the LISTs a real server sends to etcd (with a limit and no selector, or with a continue token).
     * 0 ends it.
     */
    public void watchCacheInitializing(String resource, int answers) {
        dispatcher.watchCacheInitializing(resource, answers);
    }

    /**
     * {@code resource} is not served until {@link #resumeServing}: every request for it (any verb, namespace or
     * subresource) answers 404 with the text/plain body "404 page not found" and no Status, as a real server's mux
     * does for a type it has no handler for (a CRD not yet established, the first seconds after a restart).
     * Authentication and RBAC still come first.
     */
    public void stopServing(String resource) {
        dispatcher.stopServing(resource, null);
    }

    /** As {@link #stopServing(String)}, served again after {@code duration}. */
    public void stopServing(String resource, Duration duration) {
        dispatcher.stopServing(resource, duration);
    }

    /** Ends {@link #stopServing} for {@code resource} at once. */
    public void resumeServing(String resource) {
        dispatcher.resumeServing(resource);
    }

    /**
     * The API server restarts: every open watch connection is dropped (no close frame, as when the process dies),
     * every custom resource type (one with a stored CRD) is not served for {@code customTypesNotServedFor} (see
     * {@link #stopServing}), then the first {@code initializingAnswers} LISTs and WATCHes of each answer 429 (see
     * {@link #watchCacheInitializing}). Built-in types are served at once. Stored objects stay, as etcd keeps them.
     *
     * @return how many watches were dropped
     */
    public int restart(Duration customTypesNotServedFor, int initializingAnswers) {
        return dispatcher.restart(customTypesNotServedFor, initializingAnswers);
    }

    /**
     * For a server started with {@link Builder#serveCrdsLater()}: creates the CRDs and serves their types now. The
     * first {@code initializingAnswers} LISTs and WATCHes of each answer 429, as a real 1.32 did seconds after the
     * CRDs were established (0: none).
     *
     * @return the plurals now served (empty when no CRD was kept back)
     */
    public List<String> serveCrds(int initializingAnswers) {
        return dispatcher.serveCrds(initializingAnswers);
    }

    /**
     * Every event of {@code resource} (plural, e.g. {@code remediationrequests}; every namespace) reaches its watchers
     * {@code delay} after the server sent it, in order: a real server's watch lag behind the write's answer (etcd's
     * commit, the watch cache's fan-out; hundreds of ms on a loaded machine), which the mock otherwise has not. The
     * writer gets its answer at once, every watcher (informers included) sees the change later. {@link Duration#ZERO}
     * ends it; the events held then go out at once.
     */
    public void delayWatchEvents(String resource, Duration delay) {
        dispatcher.delayWatchEvents(resource, delay);
    }

    /** Ends every fault: failure and delay rules, a freeze, types not served, initializing watch caches, watch event
     *  delays. */
    public void clearFaults() {
        dispatcher.clearFaults();
    }

    /** A Kubernetes Status answer, e.g. for a hook to fail a request as a real server would. */
    public static MockResponse failure(int code, String reason, String message) {
        String body = "{\"apiVersion\":\"v1\",\"kind\":\"Status\",\"metadata\":{},\"status\":\"Failure\","
                + "\"reason\":\"" + reason + "\",\"code\":" + code + ",\"message\":"
                + Serialization.asJson(message) + "}";
        return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json").setBody(body);
    }

    /** A client sending this bearer token (e.g. {@link Caller#serviceAccountToken}); the caller closes it. */
    public KubernetesClient client(String token) {
        return new KubernetesClientBuilder().withConfig(clientConfig(url(), token)).build();
    }

    /** One shared client with the admin token, closed with the server: the test's own client. */
    public KubernetesClient admin() {
        synchronized (this) {
            if (sharedAdmin == null) {
                sharedAdmin = adminClient();
            }
            return sharedAdmin;
        }
    }

    /** A new client with the admin token (everything allowed); the caller closes it. */
    public KubernetesClient adminClient() {
        return new KubernetesClientBuilder().withConfig(clientConfig(url(), Caller.ADMIN_TOKEN)).build();
    }

    public static Config clientConfig(String url, String token) {
        return new ConfigBuilder(Config.empty())
                .withMasterUrl(url)
                .withOauthToken(token)
                .withHttp2Disable(true)
                .withRequestRetryBackoffLimit(0)
                .withTrustCerts(true)
                .build();
    }

    private void registerCrds(Path crdDir, boolean later) throws IOException {
        if (crdDir == null) {
            return;
        }
        List<Path> files;
        try (Stream<Path> list = Files.list(crdDir)) {
            files = list.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
        }
        try (KubernetesClient admin = adminClient()) {
            for (Path file : files) {
                String yaml = Files.readString(file);
                if (!yaml.contains("kind: CustomResourceDefinition")) {
                    continue; // e.g. the kustomization.yaml next to the CRDs
                }
                CustomResourceDefinition crd = Serialization.unmarshal(yaml, CustomResourceDefinition.class);
                if (later) {
                    dispatcher.serveLater(crd);
                } else {
                    admin.apiextensions().v1().customResourceDefinitions().resource(crd).create();
                }
            }
        }
    }

    @Override
    public void close() {
        dispatcher.hook(null);
        synchronized (this) {
            if (sharedAdmin != null) {
                sharedAdmin.close();
            }
        }
        drainer.interrupt();
        server.destroy();
    }

    /** A kubeconfig for the admin identity, for kubectl and for the suite's kubeconfig mode. */
    public static void writeKubeconfig(Path file, String url) throws IOException {
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        Files.writeString(file, """
                apiVersion: v1
                kind: Config
                clusters:
                  - name: kubernaut-embedded
                    cluster:
                      server: %s
                      insecure-skip-tls-verify: true
                users:
                  - name: e2e-admin
                    user:
                      token: %s
                contexts:
                  - name: kubernaut-embedded
                    context:
                      cluster: kubernaut-embedded
                      user: e2e-admin
                      namespace: default
                current-context: kubernaut-embedded
                """.formatted(url, Caller.ADMIN_TOKEN));
    }

    public static void main(String[] args) throws Exception {
        int port = 0;
        Path crds = null;
        Path portFile = null;
        boolean standalone = false;
        boolean https = false;
        boolean serveCrdsLater = false;
        Path kubeconfig = null;
        Map<String, ServicePolicy> policies = new LinkedHashMap<>();
        List<String> rest = new ArrayList<>(List.of(args));
        while (!rest.isEmpty()) {
            String flag = rest.remove(0);
            switch (flag) {
                case "--port" -> port = Integer.parseInt(rest.remove(0));
                case "--crds" -> {
                    String dir = rest.remove(0);
                    crds = dir.isBlank() ? null : Path.of(dir);
                }
                case "--port-file" -> portFile = Path.of(rest.remove(0));
                case "--standalone" -> standalone = true;
                case "--https" -> https = true;
                case "--serve-crds-later" -> serveCrdsLater = true;
                case "--kubeconfig" -> kubeconfig = Path.of(rest.remove(0));
                case "--rbac" -> {
                    String[] kv = rest.remove(0).split("=", 2);
                    policies.put(kv[0], ServicePolicy.load(kv[0], Path.of(kv[1])));
                }
                default -> throw new IllegalArgumentException("unknown argument " + flag);
            }
        }
        EmbeddedApiServer server = start(port, crds, policies, https, false, serveCrdsLater);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "embedded-api-server-stop"));
        System.out.println("embedded API server listening on " + server.url() + " (RBAC for " + policies.keySet()
                + ", admin token " + Caller.ADMIN_TOKEN + ")"
                + (serveCrdsLater ? "; the CRDs are served on POST /__e2e/serve-crds" : ""));
        System.out.flush();
        if (portFile != null) {
            Path tmp = portFile.resolveSibling(portFile.getFileName() + ".tmp");
            Files.writeString(tmp, Integer.toString(server.port()));
            Files.move(tmp, portFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        if (kubeconfig != null) {
            writeKubeconfig(kubeconfig, server.url());
            System.out.println("kubeconfig (admin): " + kubeconfig.toAbsolutePath()
                    + "   e.g. kubectl --kubeconfig " + kubeconfig.toAbsolutePath() + " get crds");
        }
        if (standalone) {
            System.out.println("running until stopped (Ctrl-C)");
            System.out.flush();
            Thread.currentThread().join();
        }
        // exit when the parent goes away (its end of our stdin closes)
        while (System.in.read() >= 0) {
            // ignore input
        }
        System.exit(0);
    }
}
