package ai.kubernaut.gateway.ingest.testing;

import ai.kubernaut.testserver.Caller;
import ai.kubernaut.testserver.EmbeddedApiServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The API server of the ingest @QuarkusTests: the strict test API server (kube-test-server) with the CRDs, the
 * Gateway's deploy RBAC for its own token, and the deploy signal-sender RBAC, so TokenReviews and
 * SubjectAccessReviews are answered from real rules:
 * <ul>
 * <li>{@link #SENDER_TOKEN}: user {@link #SENDER}, bound by deploy/base/gateway-service/signal-senders.yaml to
 * create {@code signals.kubernaut.ai} in {@link #NAMESPACE};</li>
 * <li>{@link #READER_TOKEN}: a valid ServiceAccount without that permission (403);</li>
 * <li>{@link #OUTAGE_TOKEN}: the TokenReview answers 500 (the API server is failing);</li>
 * <li>anything else: not authenticated (401).</li>
 * </ul>
 */
public class IngestTestCluster implements QuarkusTestResourceLifecycleManager {

    public static final String NAMESPACE = "kubernaut-system";
    public static final String SENDER_TOKEN = Caller.serviceAccountToken(NAMESPACE, "alertmanager");
    public static final String READER_TOKEN = Caller.serviceAccountToken(NAMESPACE, "reader");
    public static final String OUTAGE_TOKEN = "outage-token-789";
    public static final String SENDER = "system:serviceaccount:" + NAMESPACE + ":alertmanager";
    public static final String READER = "system:serviceaccount:" + NAMESPACE + ":reader";
    public static final String GATEWAY_SERVICE = "gateway-service";
    /** The Gateway's own token (its ServiceAccount, with the deploy RBAC). */
    public static final String GATEWAY_TOKEN = Caller.serviceAccountToken(NAMESPACE, GATEWAY_SERVICE);

    public static final AtomicInteger TOKEN_REVIEWS = new AtomicInteger();
    /** Tokens starting with this are invalid and sent again and again (negative caching); their reviews counted. */
    public static final String REPEATED_BAD_TOKEN = "repeated-bad-token-";
    public static final AtomicInteger REPEATED_BAD_TOKEN_REVIEWS = new AtomicInteger();
    public static final AtomicInteger ACCESS_REVIEWS = new AtomicInteger();

    private EmbeddedApiServer server;

    /** Starts a server as described in the class comment; the caller closes it. */
    public static EmbeddedApiServer startServer() {
        Path deploy = Path.of("..", "deploy");
        EmbeddedApiServer server = EmbeddedApiServer.builder().crds(deploy.resolve("crds"))
                .rbac(GATEWAY_SERVICE, deploy.resolve("base/gateway-service/rbac.yaml"))
                .rbac("alertmanager", deploy.resolve("base/gateway-service/signal-senders.yaml")).start();
        server.hook(IngestTestCluster::countReviewsAndFailOutages);
        return server;
    }

    private static MockResponse countReviewsAndFailOutages(RecordedRequest request, Caller caller) {
        if (!request.getMethod().equals("POST")) {
            return null;
        }
        if (request.getPath().startsWith("/apis/authentication.k8s.io/v1/tokenreviews")) {
            TOKEN_REVIEWS.incrementAndGet();
            String body = new String(request.getBody().getBytes(), StandardCharsets.UTF_8);
            if (body.contains(REPEATED_BAD_TOKEN)) {
                REPEATED_BAD_TOKEN_REVIEWS.incrementAndGet();
            }
            if (body.contains(OUTAGE_TOKEN)) {
                return EmbeddedApiServer.failure(500, "InternalError", "injected by the test");
            }
        } else if (request.getPath().startsWith("/apis/authorization.k8s.io/v1/subjectaccessreviews")) {
            ACCESS_REVIEWS.incrementAndGet();
        }
        return null;
    }

    @Override
    public Map<String, String> start() {
        server = startServer();
        return Map.of(
                "quarkus.kubernetes-client.api-server-url", server.url(),
                "quarkus.kubernetes-client.token", GATEWAY_TOKEN,
                "quarkus.kubernetes-client.trust-certs", "true",
                "quarkus.kubernetes-client.namespace", NAMESPACE,
                "quarkus.kubernetes-client.devservices.enabled", "false",
                "gateway.auth.namespace", NAMESPACE,
                // as deploy/base/gateway-service/deployment.yaml sets it (what signal-senders.yaml grants)
                "gateway.auth.resource", "signals");
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(server,
                new TestInjector.AnnotatedAndMatchesType(InjectTestApiServer.class, EmbeddedApiServer.class));
    }

    @Override
    public void stop() {
        if (server != null) {
            server.close();
        }
    }
}
