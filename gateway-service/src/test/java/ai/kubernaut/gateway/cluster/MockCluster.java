package ai.kubernaut.gateway.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * The fabric8 CRUD mock API server on 127.0.0.1 (random port) with the RemediationRequest CRD registered, made
 * to answer like a real API server where the mock is weaker:
 * <ul>
 * <li>a status write (PUT or PATCH on {@code /status}) carrying a stale {@code metadata.resourceVersion} gets 409
 * (the mock accepts stale PUTs);</li>
 * </ul>
 * plus a log of every request with its answer's code, and a hook tests set to intervene before the CRUD
 * dispatcher (pause a request, inject a concurrent writer, fail a call).
 */
public final class MockCluster implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();

    /** One served request: method, path (with query), body, and the HTTP code answered. */
    public record Served(String method, String path, String body, String userAgent, int code) {
        /** Sent by the code under test, not by the test's own admin client. */
        public boolean byGateway() {
            return !"admin".equals(userAgent);
        }

        public boolean isLease() {
            return path.startsWith("/apis/coordination.k8s.io/");
        }

        public boolean isRemediationRequest() {
            return path.startsWith("/apis/kubernaut.ai/");
        }

        public boolean isStatusWrite() {
            return (method.equals("PUT") || method.equals("PATCH")) && pathOnly().endsWith("/status");
        }

        public String pathOnly() {
            return path.split("\\?")[0];
        }
    }

    /**
     * Intervenes before the CRUD dispatcher; returns an answer to send instead, or null to go on. It runs on the
     * server's event loop: it must not call this server over HTTP (use {@link #direct}) nor wait for a client.
     */
    @FunctionalInterface
    public interface Hook {
        MockResponse before(RecordedRequest request, MockCluster cluster);
    }

    private final KubernetesMockServer server;
    private final KubernetesMixedDispatcher crud;
    private final List<Served> log = new CopyOnWriteArrayList<>();
    private final Object writes = new Object();
    private final KubernetesClient adminClient;
    private volatile Hook hook;

    public MockCluster() {
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        crud = new KubernetesMixedDispatcher(responses);
        Dispatcher front = new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                MockResponse answer = serve(request);
                log.add(new Served(request.getMethod(), request.getPath(), bodyOf(request),
                        request.getHeader("User-Agent"), answer.code()));
                return answer;
            }
        };
        server = new KubernetesMockServer(new Context(new ObjectMapper()), new MockWebServer(), responses,
                front, false);
        try {
            server.init(InetAddress.getByName("127.0.0.1"), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        adminClient = newClient("admin");
        adminClient.resource(loadCrd()).create();
    }

    private MockResponse serve(RecordedRequest request) {
        Hook h = hook;
        if (h != null) {
            MockResponse answer = h.before(request, this);
            if (answer != null) {
                return answer;
            }
        }
        if (request.method() == HttpMethod.GET) {
            return crud.dispatch(request);
        }
        // writes one at a time (the mock serializes them too), so a version check and its write are atomic
        synchronized (writes) {
            String method = request.getMethod();
            String path = request.getPath().split("\\?")[0];
            if ((method.equals("PUT") || method.equals("PATCH")) && path.endsWith("/status")) {
                String sent = resourceVersionIn(bodyOf(request));
                if (sent != null) {
                    String current = currentVersion(path.substring(0, path.length() - "/status".length()));
                    if (current != null && !current.equals(sent)) {
                        return conflict("the object has been modified; please apply your changes to the latest "
                                + "version and try again (sent " + sent + ", current " + current + ")");
                    }
                }
            }
            return crud.dispatch(request);
        }
    }

    /** Dispatches a request straight to the CRUD store (no hook, no log): for hooks that act as another writer. */
    public MockResponse direct(HttpMethod method, String path, String contentType, String body) {
        Headers.Builder headers = Headers.builder();
        if (contentType != null) {
            headers.add("Content-Type", contentType);
        }
        Buffer buffer = new Buffer();
        if (body != null) {
            buffer.writeUtf8(body);
        }
        RecordedRequest r = new RecordedRequest("HTTP/1.1", method, path, headers.build(), buffer);
        if (method == HttpMethod.GET) {
            return crud.dispatch(r);
        }
        synchronized (writes) {
            return crud.dispatch(r);
        }
    }

    private String currentVersion(String objectPath) {
        MockResponse current = direct(HttpMethod.GET, objectPath, null, null);
        if (current.code() != 200) {
            return null;
        }
        return resourceVersionIn(new String(current.getBody().getBytes(), StandardCharsets.UTF_8));
    }

    static String resourceVersionIn(String json) {
        try {
            JsonNode rv = JSON.readTree(json).path("metadata").path("resourceVersion");
            return rv.isMissingNode() || rv.isNull() ? null : rv.asText();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    public static MockResponse conflict(String message) {
        return new MockResponse().setResponseCode(409).addHeader("Content-Type", "application/json").setBody(
                "{\"apiVersion\":\"v1\",\"kind\":\"Status\",\"status\":\"Failure\",\"reason\":\"Conflict\","
                        + "\"code\":409,\"message\":\"" + message.replace("\"", "'") + "\"}");
    }

    public static MockResponse serverError(int code) {
        return new MockResponse().setResponseCode(code).addHeader("Content-Type", "application/json").setBody(
                "{\"apiVersion\":\"v1\",\"kind\":\"Status\",\"status\":\"Failure\",\"reason\":\"InternalError\","
                        + "\"code\":" + code + ",\"message\":\"injected by the test\"}");
    }

    /** The request body as text, without consuming it (the CRUD dispatcher reads it afterwards). */
    public static String bodyOf(RecordedRequest request) {
        return request.getBody() == null ? "" : new String(request.getBody().getBytes(), StandardCharsets.UTF_8);
    }

    static CustomResourceDefinition loadCrd() {
        Path crd = Path.of("..", "deploy", "crds", "remediationrequests.kubernaut.ai.yaml");
        try (InputStream in = Files.newInputStream(crd)) {
            return new KubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void hook(Hook h) {
        this.hook = h;
    }

    public String url() {
        return "http://127.0.0.1:" + server.getPort();
    }

    /** A new client for this server, identified by its User-Agent (one per simulated replica); caller closes it. */
    public KubernetesClient newClient(String userAgent) {
        return newClient(userAgent, b -> { });
    }

    /** A client whose HTTP client the test can tune, e.g. add an interceptor that pauses a request. */
    public KubernetesClient newClient(String userAgent,
            java.util.function.Consumer<io.fabric8.kubernetes.client.http.HttpClient.Builder> http) {
        Config config = new ConfigBuilder(Config.empty()).withMasterUrl(url()).withTrustCerts(true)
                .withNamespace("default").withUserAgent(userAgent).withRequestTimeout(10_000)
                .withConnectionTimeout(5_000)
                .withRequestRetryBackoffLimit(0).build(); // as the application configures its client
        return new KubernetesClientBuilder().withConfig(config).withHttpClientBuilderConsumer(http).build();
    }

    public KubernetesClient admin() {
        return adminClient;
    }

    public List<Served> served() {
        return List.copyOf(log);
    }

    /** Requests of the code under test (not the admin client's) that match. */
    public List<Served> served(Predicate<Served> which) {
        return log.stream().filter(Served::byGateway).filter(which).toList();
    }

    public void clearLog() {
        log.clear();
    }

    @Override
    public void close() {
        hook = null;
        adminClient.close();
        server.destroy();
    }
}
