package ai.kubernaut.orchestrator.cluster;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.function.Function;

/**
 * The fabric8 CRUD mock API server on 127.0.0.1 with both CRDs registered, a log of every request it served, and
 * an optional hook in front of the CRUD dispatcher (to answer like a real API server where the mock is weaker).
 */
public final class MockCluster implements AutoCloseable {

    /** One served request: method, path (with query) and body. */
    public record Served(String method, String path, String body) {
        public boolean isLease() {
            return path.startsWith("/apis/coordination.k8s.io/");
        }
    }

    /** Called before the CRUD dispatcher; returns a response to answer instead, or null to let it answer. */
    @FunctionalInterface
    public interface Hook {
        MockResponse before(RecordedRequest request, Function<RecordedRequest, MockResponse> crud);
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final KubernetesMockServer server;
    private final List<Served> log = new CopyOnWriteArrayList<>();
    private final KubernetesClient adminClient;
    private volatile Hook hook;

    public MockCluster() {
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        KubernetesMixedDispatcher crud = new KubernetesMixedDispatcher(responses);
        Dispatcher front = new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                log.add(new Served(request.getMethod(), request.getPath(), bodyOf(request)));
                Hook current = hook;
                if (current != null) {
                    MockResponse answer = current.before(request, crud::dispatch);
                    if (answer != null) {
                        return answer;
                    }
                }
                MockResponse stale = rejectStaleStatusWrite(request, crud);
                if (stale == null) {
                    stale = rejectFailedDeletePrecondition(request, crud);
                }
                return stale != null ? stale : crud.dispatch(request);
            }
        };
        server = new KubernetesMockServer(new Context(), new MockWebServer(), responses,
                front, false);
        try {
            server.init(InetAddress.getByName("127.0.0.1"), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        adminClient = server.createClient();
        adminClient.resource(loadCrd("remediationrequests.kubernaut.ai.yaml")).create();
        adminClient.resource(loadCrd("workflowexecutions.kubernaut.ai.yaml")).create();
    }

    /**
     * A real API server answers 409 to a /status write whose metadata.resourceVersion is not the stored one; the
     * CRUD mock accepts stale PUTs to /status. This puts the real behaviour in front of the mock.
     */
    static MockResponse rejectStaleStatusWrite(RecordedRequest request, KubernetesMixedDispatcher crud) {
        String path = request.getPath().split("\\?")[0];
        boolean statusWrite = (request.getMethod().equals("PUT") || request.getMethod().equals("PATCH"))
                && path.endsWith("/status");
        if (!statusWrite) {
            return null;
        }
        try {
            JsonNode body = JSON.readTree(bodyOf(request));
            JsonNode sent = body.path("metadata").path("resourceVersion");
            if (sent.isMissingNode() || sent.isNull()) {
                return null;
            }
            String objectPath = path.substring(0, path.length() - "/status".length());
            MockResponse current = crud.dispatch(new RecordedRequest("HTTP/1.1", HttpMethod.GET, objectPath,
                    Headers.builder().build(), new Buffer()));
            if (current.code() != 200) {
                return null;
            }
            String stored = JSON.readTree(current.getBody().getBytes()).path("metadata").path("resourceVersion")
                    .asText();
            if (stored.equals(sent.asText())) {
                return null;
            }
            return new MockResponse().setResponseCode(409).setHeader("Content-Type", "application/json").setBody(
                    "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"Conflict\","
                            + "\"code\":409,\"message\":\"Operation cannot be fulfilled: the object has been modified;"
                            + " please apply your changes to the latest version and try again\"}");
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * A real API server refuses (409) a DELETE whose preconditions.resourceVersion is not the stored one; the
     * CRUD mock ignores preconditions. The lock's release relies on it (no GET first), as on a real server.
     */
    static MockResponse rejectFailedDeletePrecondition(RecordedRequest request, KubernetesMixedDispatcher crud) {
        if (!request.getMethod().equals("DELETE")) {
            return null;
        }
        try {
            String body = bodyOf(request);
            if (body.isBlank()) {
                return null;
            }
            JsonNode expected = JSON.readTree(body).path("preconditions").path("resourceVersion");
            if (expected.isMissingNode() || expected.isNull()) {
                return null;
            }
            String path = request.getPath().split("\\?")[0];
            MockResponse current = crud.dispatch(new RecordedRequest("HTTP/1.1", HttpMethod.GET, path,
                    Headers.builder().build(), new Buffer()));
            if (current.code() != 200) {
                return null;
            }
            String stored = JSON.readTree(current.getBody().getBytes()).path("metadata").path("resourceVersion")
                    .asText();
            return stored.equals(expected.asText()) ? null : conflict("Precondition failed: ResourceVersion in"
                    + " precondition: " + expected.asText() + ", ResourceVersion in object meta: " + stored);
        } catch (IOException e) {
            return null;
        }
    }

    private static MockResponse conflict(String message) {
        return new MockResponse().setResponseCode(409).setHeader("Content-Type", "application/json").setBody(
                "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"Conflict\","
                        + "\"code\":409,\"message\":\"" + message + "\"}");
    }

    /** Applies a request to the stored objects directly, bypassing hooks and the log (for hooks to use). */
    public static RecordedRequest request(HttpMethod method, String path, String contentType, String body) {
        return new RecordedRequest("HTTP/1.1", method, path, Headers.builder().add("Content-Type", contentType)
                .build(), new Buffer(body.getBytes(StandardCharsets.UTF_8)));
    }

    /** The request body as text, without consuming it (the CRUD dispatcher reads it afterwards). */
    public static String bodyOf(RecordedRequest request) {
        return request.getBody() == null ? "" : new String(request.getBody().getBytes(), StandardCharsets.UTF_8);
    }

    static CustomResourceDefinition loadCrd(String file) {
        try (InputStream in = Files.newInputStream(Path.of("..", "deploy", "crds", file))) {
            return new KubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void hook(Hook hook) {
        this.hook = hook;
    }

    public String url() {
        return "http://127.0.0.1:" + server.getPort();
    }

    /** A new client for this server; the caller closes it. */
    public KubernetesClient newClient() {
        return server.createClient();
    }

    public KubernetesClient admin() {
        return adminClient;
    }

    public List<Served> served() {
        return List.copyOf(log);
    }

    @Override
    public void close() {
        adminClient.close();
        server.destroy();
    }
}
