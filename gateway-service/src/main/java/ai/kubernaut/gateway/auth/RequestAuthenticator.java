package ai.kubernaut.gateway.auth;

import ai.kubernaut.gateway.fingerprint.Fingerprints;
import ai.kubernaut.gateway.kube.ApiFaults;
import ai.kubernaut.gateway.kube.KubeCalls;
import ai.kubernaut.gateway.kube.KubernetesDeadlineException;
import ai.kubernaut.gateway.kube.RequestDeadline;
import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authentication.UserInfo;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
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
 * <p>Answers are kept in a Caffeine cache under the SHA-256 of the token, never the token itself: allowed for
 * {@code gateway.auth.cache-ttl}, refused (401/403) for {@code gateway.auth.negative-cache-ttl}, at most
 * {@code gateway.auth.cache-max-entries} of both (W-TinyLFU: a token used often is kept over one-off ones). No lock
 * is taken on the request path. Concurrent requests with the same uncached token share one pair of reviews (the
 * cache's in-flight future). Capacity is split so that a spray of new tokens cannot take what known senders need:
 * <ul>
 * <li>reviews of unknown tokens: at most {@code gateway.auth.review-concurrency} at once; a request that finds them
 * all taken is answered 503 with Retry-After at once (its token was not judged, so not 401);</li>
 * <li>a cached allowed token never waits on a review: once its answer is half its TTL old, a request with it starts a
 * background re-review on {@code gateway.auth.refresh-concurrency} permits of their own and is answered from the
 * cache; the answer stays until its TTL if the re-review cannot run or fails.</li>
 * </ul>
 *
 * <p>The reviews are part of the request's work and share its deadline ({@link #authenticate(String,
 * RequestDeadline)}): each call waits at most what is left of the deadline of the request that started them (and
 * {@code gateway.auth.review-timeout}), none starts after it; a caller that joined a review cut short by another
 * request's deadline, with time of its own left, starts a new one. Transient failures ({@link ApiFaults}) are not
 * cached and answer 503; other refusals (e.g. 403 to the Gateway's own ServiceAccount) 500. Tokens are never logged.
 */
@ApplicationScoped
public class RequestAuthenticator {

    private static final Logger LOG = Logger.getLogger(RequestAuthenticator.class);
    private static final String RATE_REACHED = "reviews of unknown tokens on this replica are at their rate";
    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);
    /** Waits of callers that give no bound of their own (tests, tools): longer than any review can take. */
    private static final Duration UNBOUNDED = Duration.ofMinutes(5);
    static final Duration DEFAULT_NEGATIVE_TTL = Duration.ofSeconds(5);
    static final int DEFAULT_REVIEW_CONCURRENCY = 4;
    static final int DEFAULT_REFRESH_CONCURRENCY = 2;

    private final AuthConfig.Mode mode;
    private final KubernetesClient client;
    private final Duration reviewTimeout;
    private final String resourceGroup;
    private final String resource;
    private final String namespace;
    private final Ticker ticker;
    /** Reviews of unknown tokens started per second (with {@link #reviewPermits}: how many at once). */
    private final ReviewRate reviewRate;
    private final Map<String, Counter> lookupCounters = new ConcurrentHashMap<>();
    private final long refreshAfterNanos;
    /** How long an allowed answer and a refusal are used, from their review. */
    private final long ttlNanos;
    private final long negativeTtlNanos;
    private final AsyncCache<String, Decision> cache;
    private final Semaphore reviewPermits;
    private final Semaphore refreshPermits;
    /** Tokens (hashes) being re-reviewed: at most one refresh per token at a time. */
    private final Set<String> refreshing = ConcurrentHashMap.newKeySet();
    /** Runs reviews; its threads are bounded by the two semaphores, not by the pool. */
    private final ExecutorService reviews;
    private final MeterRegistry meters;

    /** A cached review answer; {@code reviewedAt} in the cache's ticker nanos. */
    record Decision(AuthenticationException.Kind denial, String username, String message, long reviewedAt) {
    }

    /** The knobs of the cache and of the review capacity. */
    public record Limits(Duration cacheTtl, Duration negativeCacheTtl, int cacheMaxEntries, int reviewConcurrency,
            int refreshConcurrency, int reviewRate) {

        public static Limits of(Duration cacheTtl, int cacheMaxEntries) {
            return new Limits(cacheTtl, min(cacheTtl, DEFAULT_NEGATIVE_TTL), cacheMaxEntries,
                    DEFAULT_REVIEW_CONCURRENCY, DEFAULT_REFRESH_CONCURRENCY, 0);
        }

        private static Duration min(Duration a, Duration b) {
            return a.compareTo(b) <= 0 ? a : b;
        }
    }

    @Inject
    public RequestAuthenticator(AuthConfig config, KubernetesClient client, MeterRegistry meters) {
        this(config.mode(), client, config.resourceGroup(), config.resource(), config.namespace().orElse(""),
                new Limits(config.cacheTtl(), config.negativeCacheTtl(), config.cacheMaxEntries(),
                        config.reviewConcurrency(), config.refreshConcurrency(), config.reviewRate()),
                config.reviewTimeout(), Ticker.systemTicker(), null, meters);
    }

    public RequestAuthenticator(AuthConfig.Mode mode, KubernetesClient client, String resourceGroup, String resource,
            String namespace, Duration cacheTtl, int cacheMaxEntries, Duration reviewTimeout, Clock clock) {
        this(mode, client, resourceGroup, resource, namespace, Limits.of(cacheTtl, cacheMaxEntries), reviewTimeout,
                ticker(clock), null, new SimpleMeterRegistry());
    }

    /**
     * @param maintenance where Caffeine does its housekeeping (null: its default, the common pool); tests pass a
     *                    direct executor so that evictions are done when a call returns
     */
    RequestAuthenticator(AuthConfig.Mode mode, KubernetesClient client, String resourceGroup, String resource,
            String namespace, Limits limits, Duration reviewTimeout, Ticker ticker, Executor maintenance,
            MeterRegistry meters) {
        this.mode = mode;
        this.client = client;
        this.reviewTimeout = reviewTimeout;
        this.resourceGroup = resourceGroup;
        this.resource = resource;
        this.namespace = namespace;
        this.ticker = ticker;
        this.meters = meters;
        this.ttlNanos = limits.cacheTtl().toNanos();
        this.negativeTtlNanos = limits.negativeCacheTtl().toNanos();
        this.refreshAfterNanos = ttlNanos / 2;
        Caffeine<Object, Object> builder = Caffeine.newBuilder().ticker(ticker)
                .maximumSize(Math.max(0, limits.cacheMaxEntries()));
        if (maintenance != null) {
            builder.executor(maintenance);
        }
        // The cache's expiry only frees memory: whether an answer may be used is pastTtl's rule (Caffeine sets an async
        // entry's expiry in the review's completion callback, which may run after the caller has the answer).
        this.cache = builder.expireAfter(new Expiry<String, Decision>() {
            @Override
            public long expireAfterCreate(String key, Decision d, long now) {
                // from the review, not from when the cache saw the answer
                return Math.max(0, ttlOf(d) - (now - d.reviewedAt()));
            }

            @Override
            public long expireAfterUpdate(String key, Decision d, long now, long currentDuration) {
                return expireAfterCreate(key, d, now); // a refresh starts a new TTL
            }

            @Override
            public long expireAfterRead(String key, Decision d, long now, long currentDuration) {
                return currentDuration; // a revoked token must stop working: reads do not extend
            }
        }).buildAsync();
        this.reviewPermits = new Semaphore(Math.max(1, limits.reviewConcurrency()));
        this.reviewRate = new ReviewRate(Math.max(0, limits.reviewRate()), ticker);
        this.refreshPermits = new Semaphore(Math.max(0, limits.refreshConcurrency()));
        AtomicInteger n = new AtomicInteger();
        this.reviews = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "gateway-token-review-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        for (String result : new String[] {"cached", "reviewed", "joined", "shed"}) {
            lookups(result, 0);
        }
        for (String result : new String[] {"refreshed", "failed", "skipped"}) {
            refreshes(result, 0);
        }
        meters.gauge("gateway.auth.cache.entries", cache, c -> c.synchronous().estimatedSize());
    }

    /** Ticker nanos from a (test) clock; the system clock gets the monotonic ticker. */
    private static Ticker ticker(Clock clock) {
        if (clock == null || clock.equals(Clock.systemUTC())) {
            return Ticker.systemTicker();
        }
        return () -> {
            Instant i = clock.instant();
            return i.getEpochSecond() * 1_000_000_000L + i.getNano();
        };
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
        Decision decision = cached(key);
        if (decision != null) {
            lookups("cached", 1);
            if (decision.denial() == null) {
                refreshIfOld(key, token, decision);
            }
        } else {
            if (cache.getIfPresent(key) == null) {
                Optional<AuthenticationException> shed = shedWithoutReview();
                if (shed.isPresent()) {
                    throw shed.get();
                }
            }
            decision = reviewOnce(key, token, deadline);
        }
        if (decision.denial() != null) {
            throw new AuthenticationException(decision.denial(), decision.message(), null);
        }
        return new Caller(decision.username());
    }

    /**
     * The answer a request gets without waiting and without starting anything, for the request gate to give before a
     * worker thread is taken: a bearer token whose refusal (401/403) is cached, or an unknown token when no review
     * could start now (503). Empty when the request must go the whole way ({@link #authenticate}): auth off, no or
     * no bearer header (its 401 says why there), a cached acceptance, or a review it may start or join.
     */
    public Optional<AuthenticationException> refusalAtOnce(String authorizationHeader) {
        if (mode == AuthConfig.Mode.NONE || authorizationHeader == null) {
            return Optional.empty();
        }
        String token;
        try {
            token = bearerToken(authorizationHeader);
        } catch (AuthenticationException notBearer) {
            return Optional.empty();
        }
        String key = Fingerprints.sha256Hex(token);
        CompletableFuture<Decision> f = cache.getIfPresent(key);
        if (f == null) {
            return shedWithoutReview();
        }
        if (!f.isDone() || f.isCompletedExceptionally()) {
            return Optional.empty();
        }
        Decision d = f.join();
        if (d.denial() == null || pastTtl(d)) {
            return Optional.empty();
        }
        lookups("cached", 1);
        return Optional.of(new AuthenticationException(d.denial(), d.message(), null));
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
     * The finished, successful answer cached for this token, or null (none, a review still running, or an answer past
     * its TTL: that one is dropped, so that the caller reviews again).
     */
    private Decision cached(String key) {
        CompletableFuture<Decision> f = cache.getIfPresent(key);
        if (f == null || !f.isDone() || f.isCompletedExceptionally()) {
            return null;
        }
        Decision d = f.join();
        if (pastTtl(d)) {
            cache.asMap().remove(key, f);
            return null;
        }
        return d;
    }

    /**
     * Whether {@code d} is older than its TTL. The cache's own expiry says the same, but it sets an answer's expiry in
     * the review's completion callback, which may run after the caller has the answer: until then the entry has none,
     * and under load a token could be answered from a stale entry (seen: a test clock moved past the TTL in between).
     */
    private boolean pastTtl(Decision d) {
        return ticker.read() - d.reviewedAt() >= ttlOf(d);
    }

    /** How long an answer is used from its review: a refusal for the negative TTL, an allowed token for the TTL. */
    private long ttlOf(Decision d) {
        return d.denial() == null ? ttlNanos : negativeTtlNanos;
    }

    /** Number of answers cached now (allowed and refused, reviews in flight included); for tests and the gauge. */
    long cachedAnswers() {
        cache.synchronous().cleanUp();
        return cache.synchronous().estimatedSize();
    }

    /**
     * One review per token at a time: concurrent callers with the same token wait for the same answer (the cache's
     * in-flight future), each until its own deadline. The review makes no call after the deadline of the caller that
     * started it; a joiner with time left when that cut it short starts a review of its own.
     */
    private Decision reviewOnce(String key, String token, RequestDeadline deadline) {
        while (true) {
            boolean[] mine = {false};
            CompletableFuture<Decision> running = cache.get(key, (k, executor) -> {
                mine[0] = true;
                return start(token, deadline);
            });
            try {
                Decision d = running.get(Math.max(1, deadline.remaining().toNanos()), TimeUnit.NANOSECONDS);
                lookups(mine[0] ? "reviewed" : "joined", 1);
                return d;
            } catch (TimeoutException e) {
                lookups(mine[0] ? "reviewed" : "joined", 1);
                throw unavailable("no answer to the token review within the request's deadline of "
                        + deadline.budget().toMillis() + " ms");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw unavailable("interrupted while waiting for the token review");
            } catch (ReviewCapacityFull full) {
                // a CancellationException (get() throws it as is): Caffeine drops the entry without logging it
                cache.asMap().remove(key, running);
                lookups("shed", 1);
                throw unavailable(full.getMessage());
            } catch (ExecutionException e) {
                // a failed review is not an answer: Caffeine drops it; removed here too so a retry starts afresh
                cache.asMap().remove(key, running);
                if (e.getCause() instanceof KubernetesDeadlineException cutShort) {
                    if (!mine[0] && !deadline.expired()) {
                        continue; // another request's review ran out of its time, not ours: review again
                    }
                    lookups(mine[0] ? "reviewed" : "joined", 1);
                    throw unavailable(cutShort.getMessage());
                }
                lookups(mine[0] ? "reviewed" : "joined", 1);
                if (e.getCause() instanceof RuntimeException re) {
                    throw re;
                }
                throw unavailable("token review failed: " + e.getCause());
            }
        }
    }

    /**
     * For a token with no answer and no review to join: 503 at once when no review could start now (no permit or no
     * rate left; looked at without taking either), before the cache is touched, so that each token of a spray costs a
     * lookup, not a cache entry made and dropped. A review finishing meanwhile only sheds a request that could have
     * waited; it retries.
     */
    private Optional<AuthenticationException> shedWithoutReview() {
        boolean rateLeft = !reviewRate.isEmpty();
        if (rateLeft && reviewPermits.availablePermits() > 0) {
            return Optional.empty();
        }
        lookups("shed", 1);
        return Optional.of(unavailable(rateLeft ? ReviewCapacityFull.ALL_BUSY : RATE_REACHED));
    }

    /** Starts the review of an unknown token if a permit is free; else the future fails at once (503). */
    private CompletableFuture<Decision> start(String token, RequestDeadline deadline) {
        CompletableFuture<Decision> answer = new CompletableFuture<>();
        if (!reviewRate.tryAcquire()) {
            answer.completeExceptionally(new ReviewCapacityFull(RATE_REACHED));
            return answer;
        }
        if (!reviewPermits.tryAcquire()) {
            answer.completeExceptionally(new ReviewCapacityFull());
            return answer;
        }
        try {
            reviews.execute(() -> {
                Decision decision;
                try {
                    decision = review(token, deadline);
                } catch (RuntimeException e) {
                    reviewPermits.release();
                    answer.completeExceptionally(e);
                    return;
                }
                reviewPermits.release(); // before the answer: a caller woken by it may start the next review
                answer.complete(decision);
            });
        } catch (java.util.concurrent.RejectedExecutionException e) { // shutting down
            reviewPermits.release();
            answer.completeExceptionally(new ReviewCapacityFull());
        }
        return answer;
    }

    /**
     * An allowed answer half its TTL old is re-reviewed in the background (one at a time per token, on permits of
     * their own) and replaced; the request is answered from the cache either way.
     */
    private void refreshIfOld(String key, String token, Decision decision) {
        if (ticker.read() - decision.reviewedAt() < refreshAfterNanos || !refreshing.add(key)) {
            return;
        }
        if (!refreshPermits.tryAcquire()) {
            refreshing.remove(key);
            refreshes("skipped", 1);
            return;
        }
        try {
            reviews.execute(() -> {
                try {
                    Decision fresh = review(token, RequestDeadline.after(reviewTimeout));
                    cache.put(key, CompletableFuture.completedFuture(fresh));
                    refreshes("refreshed", 1);
                } catch (RuntimeException e) {
                    refreshes("failed", 1); // the cached answer stays until its TTL; a later request tries again
                } finally {
                    refreshPermits.release();
                    refreshing.remove(key);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            refreshPermits.release();
            refreshing.remove(key);
        }
    }

    private void lookups(String result, int n) {
        // looked up once per result: a registry lookup per request shows in a spray's CPU per request
        lookupCounters.computeIfAbsent(result, r -> meters.counter("gateway.auth.lookups", "result", r)).increment(n);
    }

    private void refreshes(String result, int n) {
        meters.counter("gateway.auth.refreshes", "result", result).increment(n);
    }

    /**
     * Every review permit was taken when this token needed one. A {@link java.util.concurrent.CancellationException}
     * because Caffeine logs every other failed load at WARN: a token spray would write a line per sprayed token.
     */
    private static final class ReviewCapacityFull extends java.util.concurrent.CancellationException {
        private static final long serialVersionUID = 1L;

        static final String ALL_BUSY = "all token reviews of this replica are busy with other unknown tokens";

        ReviewCapacityFull() {
            this(ALL_BUSY);
        }

        ReviewCapacityFull(String why) {
            super(why);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this; // thrown per shed request: no stack to record
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
                    "bearer token is not valid (TokenReview did not authenticate it)", ticker.read());
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
                            + (namespace.isEmpty() ? "" : " in namespace " + namespace), ticker.read());
        }
        return new Decision(null, user.getUsername(), null, ticker.read());
    }
}
