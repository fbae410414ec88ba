package ai.kubernaut.gateway.ingest.testing;

import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatusBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceAttributes;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The API server of the ingest @QuarkusTests: a CRUD mock with the RemediationRequest CRD registered, and
 * expectations answering TokenReviews and SubjectAccessReviews (the CRUD mock would only store them):
 * <ul>
 * <li>{@link #SENDER_TOKEN}: user {@link #SENDER}, allowed to create signals.kubernaut.ai in
 * {@link #NAMESPACE};</li>
 * <li>{@link #READER_TOKEN}: a valid user without that permission (403);</li>
 * <li>{@link #OUTAGE_TOKEN}: the TokenReview answers 500 (the API server is failing);</li>
 * <li>anything else: not authenticated (401).</li>
 * </ul>
 */
public class IngestTestCluster implements QuarkusTestResourceLifecycleManager {

    public static final String NAMESPACE = "kubernaut-system";
    public static final String SENDER_TOKEN = "sender-token-123";
    public static final String READER_TOKEN = "reader-token-456";
    public static final String OUTAGE_TOKEN = "outage-token-789";
    public static final String SENDER = "system:serviceaccount:monitoring:alertmanager";
    public static final String READER = "system:serviceaccount:monitoring:reader";

    public static final AtomicInteger TOKEN_REVIEWS = new AtomicInteger();
    public static final AtomicInteger ACCESS_REVIEWS = new AtomicInteger();

    private KubernetesMockServer server;

    @Override
    public Map<String, String> start() {
        server = CrudMockServers.start();
        try (KubernetesClient client = server.createClient()) {
            CrudMockServers.registerRemediationRequestCrd(client);
        }
        expectReviews(server, 0);
        return Map.of(
                "quarkus.kubernetes-client.api-server-url", server.url("/"),
                "quarkus.kubernetes-client.trust-certs", "true",
                "quarkus.kubernetes-client.namespace", NAMESPACE,
                "gateway.auth.namespace", NAMESPACE);
    }

    /** Answers TokenReviews and SubjectAccessReviews as described in the class comment, after {@code delayMs}. */
    public static void expectReviews(KubernetesMockServer server, long delayMs) {
        server.expect().post().delay(delayMs, TimeUnit.MILLISECONDS)
                .withPath("/apis/authentication.k8s.io/v1/tokenreviews")
                .andReply(new DynamicReply(IngestTestCluster::tokenReview)).always();
        server.expect().post().delay(delayMs, TimeUnit.MILLISECONDS)
                .withPath("/apis/authorization.k8s.io/v1/subjectaccessreviews")
                .andReply(new DynamicReply(IngestTestCluster::accessReview)).always();
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(server,
                new TestInjector.AnnotatedAndMatchesType(MockCluster.class, KubernetesMockServer.class));
    }

    @Override
    public void stop() {
        if (server != null) {
            server.destroy();
        }
    }

    public static DynamicReply.Answer tokenReview(RecordedRequest request) {
        TOKEN_REVIEWS.incrementAndGet();
        TokenReview review = Serialization.unmarshal(request.getBody().readUtf8(), TokenReview.class);
        String token = review.getSpec().getToken();
        if (OUTAGE_TOKEN.equals(token)) {
            return new DynamicReply.Answer(500, Map.of("kind", "Status", "apiVersion", "v1", "status", "Failure", "code", 500));
        }
        String user = SENDER_TOKEN.equals(token) ? SENDER : READER_TOKEN.equals(token) ? READER : null;
        review.setStatus(user == null ? new TokenReviewStatusBuilder().withAuthenticated(false)
                .withError("token not recognised").build()
                : new TokenReviewStatusBuilder().withAuthenticated(true).withNewUser().withUsername(user)
                        .withUid("uid-" + user.hashCode()).withGroups(List.of("system:serviceaccounts"))
                        .endUser().build());
        return new DynamicReply.Answer(201, review);
    }

    public static DynamicReply.Answer accessReview(RecordedRequest request) {
        ACCESS_REVIEWS.incrementAndGet();
        SubjectAccessReview review = Serialization.unmarshal(request.getBody().readUtf8(), SubjectAccessReview.class);
        ResourceAttributes ra = review.getSpec().getResourceAttributes();
        boolean allowed = SENDER.equals(review.getSpec().getUser()) && ra != null && "create".equals(ra.getVerb())
                && "kubernaut.ai".equals(ra.getGroup()) && "signals".equals(ra.getResource())
                && NAMESPACE.equals(ra.getNamespace());
        review.setStatus(new SubjectAccessReviewStatusBuilder().withAllowed(allowed)
                .withReason(allowed ? "RBAC: allowed" : "RBAC: no rule").build());
        return new DynamicReply.Answer(201, review);
    }
}
