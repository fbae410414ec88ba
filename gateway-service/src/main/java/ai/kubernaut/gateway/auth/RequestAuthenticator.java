package ai.kubernaut.gateway.auth;

import ai.kubernaut.gateway.cache.ExpiringCache;
import ai.kubernaut.gateway.fingerprint.Fingerprints;
import ai.kubernaut.gateway.kube.ApiFaults;
import ai.kubernaut.gateway.kube.KubeCalls;
import ai.kubernaut.gateway.kube.KubernetesDeadlineException;
import ai.kubernaut.gateway.kube.RequestDeadline;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authentication.UserInfo;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Authenticates a signal request: the bearer token is validated with a TokenReview
 * ({@code authentication.k8s.io/v1}) and the user it names must be allowed to {@code create} the configured
 * resource in the controller namespace (SubjectAccessReview, {@code authorization.k8s.io/v1}).
 *
 * <p>Answers (allowed, forbidden, invalid token) are cached for {@code gateway.auth.cache-ttl} under the
 * SHA-256 of the token, never the token itself; concurrent requests with the same uncached token share one
 * pair of reviews, which run on a small pool of their own so that a caller waits for them at most until its
 * request's deadline ({@link #authenticate(String, RequestDeadline)}): a hung API server yields 503 in time. The
 * reviews are part of the request's work and share its deadline: each call waits at most what is left of the
 * deadline of the request that started them (and {@code gateway.auth.review-timeout}), none starts after it (the
 * SubjectAccessReview after a late TokenReview, the one retry of a transient fault). A caller that joined a review
 * cut short by another request's deadline, with time of its own left, starts a new one. Transient failures
 * ({@link ApiFaults}) are not cached and answer 503; other refusals (e.g. 403 to the Gateway's own ServiceAccount)
 * 500. Tokens are never logged.
 */
@ApplicationScoped
public class RequestAuthenticator {

    private static final Logger LOG = Logger.getLogger(RequestAuthenticator.class);
    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);
    /** Waits of callers that give no bound of their own (tests, tools): longer than any review can take. */
    private static final Duration UNBOUNDED = Duration.ofMinutes(5);
    private static final int REVIEW_THREADS = 4;

    private final AuthConfig.Mode mode;
    private final KubernetesClient client;
    private final Duration reviewTimeout;
    private final String resourceGroup;
    private final String resource;
    private final String namespace;
    private final ExpiringCache<String, Decision> cache;
    private final ConcurrentMap<String, CompletableFuture<Decision>> inFlight = new ConcurrentHashMap<>();
    private final ExecutorService reviews;

    /** A cached review answer. */
    record Decision(AuthenticationException.Kind denial, String username, String message) {
        static Decision allowed(String username) {
            return new Decision(null, username, null);
        }
    }

    @Inject
    public RequestAuthenticator(AuthConfig config, KubernetesClient client) {
        this(config.mode(), client, config.resourceGroup(), config.resource(), config.namespace().orElse(""),
                config.cacheTtl(), config.cacheMaxEntries(), config.reviewTimeout(), Clock.systemUTC());
    }

    public RequestAuthenticator(AuthConfig.Mode mode, KubernetesClient client, String resourceGroup, String resource,
            String namespace, Duration cacheTtl, int cacheMaxEntries, Duration reviewTimeout, Clock clock) {
        this.mode = mode;
        this.client = client;
        this.reviewTimeout = reviewTimeout;
        this.resourceGroup = resourceGroup;
        this.resource = resource;
        this.namespace = namespace;
        this.cache = new ExpiringCache<>(cacheTtl, cacheMaxEntries, clock);
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(REVIEW_THREADS, REVIEW_THREADS, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(1000), r -> {
                    Thread t = new Thread(r, "gateway-token-review-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        this.reviews = pool;
    }

    @PreDestroy
    void stopReviews() {
        reviews.shutdownNow();
    }

    void warnWhenDisabled(@Observes StartupEvent event) {
        if (mode == AuthConfig.Mode.NONE) {
            LOG.warn("**********************************************************************************");
            LOG.warn("AUTHENTICATION IS DISABLED (gateway.auth.mode=none): anyone who can reach the signal");
            LOG.warn("API can create RemediationRequests. Use this for local runs and benchmarks ONLY.");
            LOG.warn("**********************************************************************************");
        } else {
            LOG.infof("signal API authentication: TokenReview + SubjectAccessReview (create %s.%s in %s)", resource,
                    resourceGroup, namespace.isEmpty() ? "all namespaces" : "namespace " + namespace);
        }
    }

    public AuthConfig.Mode mode() {
        return mode;
    }

    /**
     * @param authorizationHeader the request's {@code Authorization} header, may be null
     * @return the authorized caller
     * @throws AuthenticationException 401, 403, 503 or 500 (see {@link AuthenticationException.Kind})
     */
    public Caller authenticate(String authorizationHeader) {
        return authenticate(authorizationHeader, RequestDeadline.after(UNBOUNDED));
    }

    /**
     * @param deadline the request's Kubernetes deadline: a review that is not cached is waited for until then (then
     *                 503), and the reviews this request starts make no call after it
     */
    public Caller authenticate(String authorizationHeader, RequestDeadline deadline) {
        if (mode == AuthConfig.Mode.NONE) {
            return Caller.UNAUTHENTICATED;
        }
        String token = bearerToken(authorizationHeader);
        String key = Fingerprints.sha256Hex(token);
        Decision decision = cache.get(key);
        if (decision == null) {
            decision = reviewOnce(key, token, deadline);
        }
        if (decision.denial() != null) {
            throw new AuthenticationException(decision.denial(), decision.message(), null);
        }
        return new Caller(decision.username());
    }

    static String bearerToken(String header) {
        if (header == null || header.isBlank()) {
            throw new AuthenticationException(AuthenticationException.Kind.UNAUTHENTICATED,
                    "missing Authorization header (expected: Bearer <token>)", null);
        }
        String h = header.trim();
        if (h.length() < 7 || !h.regionMatches(true, 0, "Bearer ", 0, 7) || h.substring(7).isBlank()) {
            throw new AuthenticationException(AuthenticationException.Kind.UNAUTHENTICATED,
                    "Authorization header is not a bearer token (expected: Bearer <token>)", null);
        }
        return h.substring(7).trim();
    }

    /**
     * One review per token at a time: concurrent callers with the same token wait for the same answer, each until its
     * own deadline. The review makes no call after the deadline of the caller that started it; a joiner with time
     * left when that cut it short starts a review of its own.
     */
    private Decision reviewOnce(String key, String token, RequestDeadline deadline) {
        while (true) {
            CompletableFuture<Decision> mine = new CompletableFuture<>();
            CompletableFuture<Decision> running = inFlight.putIfAbsent(key, mine);
            if (running == null) {
                running = mine;
                start(key, token, mine, deadline);
            }
            try {
                return running.get(Math.max(1, deadline.remaining().toNanos()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                throw unavailable("no answer to the token review within the request's deadline of "
                        + deadline.budget().toMillis() + " ms");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw unavailable("interrupted while waiting for the token review");
            } catch (ExecutionException e) {
                if (e.getCause() instanceof KubernetesDeadlineException cutShort) {
                    if (running != mine && !deadline.expired()) {
                        continue; // another request's review ran out of its time, not ours: review again
                    }
                    throw unavailable(cutShort.getMessage());
                }
                if (e.getCause() instanceof RuntimeException re) {
                    throw re;
                }
                throw unavailable("token review failed: " + e.getCause());
            }
        }
    }

    private void start(String key, String token, CompletableFuture<Decision> mine, RequestDeadline deadline) {
        try {
            // leave inFlight before completing: a caller woken by the answer may ask again at once (e.g. after
            // the cached answer expired) and must then start a new review, not get this one
            reviews.execute(() -> {
                try {
                    Decision decision = review(token, deadline);
                    cache.put(key, decision);
                    inFlight.remove(key, mine);
                    mine.complete(decision);
                } catch (RuntimeException e) {
                    inFlight.remove(key, mine);
                    mine.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            inFlight.remove(key, mine);
            throw unavailable("too many token reviews pending");
        }
    }

    private static AuthenticationException unavailable(String why) {
        return new AuthenticationException(AuthenticationException.Kind.UNAVAILABLE, "cannot review the bearer token "
                + "now (" + why + ")", RETRY_AFTER);
    }

    /** 503 when the fault is transient, else 500 (a refusal that retrying will not fix). */
    private static AuthenticationException reviewFailed(String review, KubernetesClientException e) {
        if (ApiFaults.isTransient(e)) {
            LOG.warnf("%s failed: HTTP %d", review, e.getCode());
            return new AuthenticationException(AuthenticationException.Kind.UNAVAILABLE, "cannot review the "
                    + "caller now (" + review + " failed with HTTP " + e.getCode() + ")", RETRY_AFTER);
        }
        LOG.errorf("%s refused with HTTP %d: check the Gateway's RBAC (create %s)", review, e.getCode(),
                review.toLowerCase(java.util.Locale.ROOT) + "s");
        return new AuthenticationException(AuthenticationException.Kind.FAILED, "the caller could not be reviewed",
                null);
    }

    /**
     * One call of a review, waiting at most {@code gateway.auth.review-timeout} and what is left of the deadline,
     * retried once on a transient fault if time is left (fabric8's own retries are off: they would start calls
     * after the deadline). A failure once the deadline has passed is the deadline's.
     */
    private <T> T call(String review, RequestDeadline deadline, Function<KubernetesClient, T> op) {
        for (int attempt = 1; ; attempt++) {
            Duration wait = deadline.forCall("waiting for the " + review, reviewTimeout);
            try {
                return KubeCalls.within(client, wait, op);
            } catch (KubernetesClientException e) {
                if (deadline.expired()) {
                    throw deadline.passed("waiting for the " + review, e);
                }
                if (attempt == 1 && ApiFaults.isTransient(e)) {
                    continue;
                }
                throw reviewFailed(review, e);
            }
        }
    }

    private Decision review(String token, RequestDeadline deadline) {
        TokenReview review = call("TokenReview", deadline, c -> c.authentication().v1().tokenReviews()
                .create(new TokenReviewBuilder().withNewSpec().withToken(token).endSpec().build()));
        if (review == null || review.getStatus() == null
                || !Boolean.TRUE.equals(review.getStatus().getAuthenticated())
                || review.getStatus().getUser() == null) {
            return new Decision(AuthenticationException.Kind.UNAUTHENTICATED, null,
                    "bearer token is not valid (TokenReview did not authenticate it)");
        }
        UserInfo user = review.getStatus().getUser();
        SubjectAccessReview sar = call("SubjectAccessReview", deadline, c -> c.authorization().v1()
                .subjectAccessReview().create(new SubjectAccessReviewBuilder().withNewSpec()
                        .withUser(user.getUsername())
                        .withUid(user.getUid())
                        .withGroups(user.getGroups())
                        .withExtra(user.getExtra())
                        .withNewResourceAttributes()
                        .withGroup(resourceGroup)
                        .withResource(resource)
                        .withVerb("create")
                        .withNamespace(namespace.isEmpty() ? null : namespace)
                        .endResourceAttributes()
                        .endSpec().build()));
        boolean allowed = sar != null && sar.getStatus() != null && Boolean.TRUE.equals(sar.getStatus().getAllowed())
                && !Boolean.TRUE.equals(sar.getStatus().getDenied());
        if (!allowed) {
            LOG.infof("signal request denied: %s may not create %s.%s", user.getUsername(), resource,
                    resourceGroup);
            return new Decision(AuthenticationException.Kind.FORBIDDEN, user.getUsername(),
                    "user " + user.getUsername() + " may not create " + resource + "." + resourceGroup
                            + (namespace.isEmpty() ? "" : " in namespace " + namespace));
        }
        return Decision.allowed(user.getUsername());
    }
}
