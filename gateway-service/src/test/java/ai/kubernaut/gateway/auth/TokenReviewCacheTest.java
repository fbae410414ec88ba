package ai.kubernaut.gateway.auth;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.gateway.ingest.testing.IngestTestCluster;
import ai.kubernaut.gateway.kube.RequestDeadline;
import ai.kubernaut.gateway.testing.MutableClock;
import ai.kubernaut.testserver.ApiServerControl;
import ai.kubernaut.testserver.EmbeddedApiServer;
import com.github.benmanes.caffeine.cache.Ticker;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Caffeine token review cache: negative caching, the size bound under a spray of one-off tokens, the review
 * capacity for unknown tokens (fast 503 when full, cached tokens never wait) and the background re-review of
 * allowed tokens. Reviews are answered by the strict test API server; counts come from its request log.
 */
class TokenReviewCacheTest {

    private EmbeddedApiServer server;
    private KubernetesClient client;
    private final MutableClock clock = new MutableClock(Instant.parse("2024-05-01T12:00:00Z"));
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final List<ExecutorService> pools = new ArrayList<>();

    @BeforeEach
    void start() {
        server = IngestTestCluster.startServer();
        client = server.client(IngestTestCluster.GATEWAY_TOKEN);
    }

    @AfterEach
    void stop() {
        pools.forEach(ExecutorService::shutdownNow);
        client.close();
        server.close();
    }

    private RequestAuthenticator authenticator(int maxEntries, int reviewConcurrency) {
        Ticker ticker = () -> clock.instant().getEpochSecond() * 1_000_000_000L + clock.instant().getNano();
        return new RequestAuthenticator(AuthConfig.Mode.TOKENREVIEW, client, "kubernaut.ai", "signals",
                IngestTestCluster.NAMESPACE, new RequestAuthenticator.Limits(Duration.ofSeconds(30),
                        Duration.ofSeconds(5), maxEntries, reviewConcurrency, 1, 0),
                Duration.ofSeconds(5), ticker, Runnable::run, meters);
    }

    private int tokenReviewsSince(long mark) {
        return server.requestsSince(mark, r -> r.resource().equals("tokenreviews")).size();
    }

    private double lookups(String result) {
        return meters.counter("gateway.auth.lookups", "result", result).count();
    }

    private static AuthenticationException.Kind denial(RequestAuthenticator auth, String token) {
        return assertThrows(AuthenticationException.class, () -> auth.authenticate("Bearer " + token)).kind();
    }

    @Test
    void rejectedTokensAreCachedForTheShortNegativeTtlOnly() {
        RequestAuthenticator auth = authenticator(100, 4);
        long mark = server.mark();
        assertEquals(AuthenticationException.Kind.UNAUTHENTICATED, denial(auth, "not-a-token"));
        assertEquals(AuthenticationException.Kind.FORBIDDEN, denial(auth, IngestTestCluster.READER_TOKEN));
        assertEquals(2, tokenReviewsSince(mark));
        clock.advance(Duration.ofSeconds(4));
        assertEquals(AuthenticationException.Kind.UNAUTHENTICATED, denial(auth, "not-a-token"));
        assertEquals(AuthenticationException.Kind.FORBIDDEN, denial(auth, IngestTestCluster.READER_TOKEN));
        assertEquals(2, tokenReviewsSince(mark), "refusals reused inside the negative TTL (5 s)");
        clock.advance(Duration.ofSeconds(2));
        assertEquals(AuthenticationException.Kind.UNAUTHENTICATED, denial(auth, "not-a-token"));
        assertEquals(AuthenticationException.Kind.FORBIDDEN, denial(auth, IngestTestCluster.READER_TOKEN));
        assertEquals(4, tokenReviewsSince(mark), "reviewed again after it, long before the allowed TTL (30 s)");
    }

    @Test
    void theCacheStaysBoundedAndASprayOfOneOffTokensDoesNotEvictASenderInUse() {
        RequestAuthenticator auth = authenticator(50, 4);
        String sender = "Bearer " + IngestTestCluster.SENDER_TOKEN;
        for (int i = 0; i < 20; i++) {
            auth.authenticate(sender);
        }
        for (int i = 0; i < 400; i++) {
            denial(auth, "spray-" + UUID.randomUUID());
            if (i % 10 == 0) {
                auth.authenticate(sender);
            }
            // Caffeine evicts in its maintenance after the review's completion, which may trail our wake-up
            await("bounded").pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(2)).atMost(Duration.ofSeconds(5))
                    .until(() -> auth.cachedAnswers() <= 50);
        }
        long mark = server.mark();
        assertEquals(IngestTestCluster.SENDER, auth.authenticate(sender).username());
        assertEquals(0, tokenReviewsSince(mark), "the sender's answer survived 400 one-off tokens in 50 entries");
    }

    @Test
    void aFullReviewCapacityAnswersUnknownTokens503AtOnceWhileCachedTokensNeverWait() throws Exception {
        RequestAuthenticator auth = authenticator(100, 2);
        auth.authenticate("Bearer " + IngestTestCluster.SENDER_TOKEN); // known before the spray
        ApiServerControl control = new ApiServerControl(server.url());
        control.delayAnswers("gateway-service", "", "create", "tokenreviews", "", Duration.ofSeconds(5), 2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        pools.add(pool);
        List<CompletableFuture<AuthenticationException.Kind>> held = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            String token = "held-" + i;
            held.add(CompletableFuture.supplyAsync(() -> denial(auth, token), pool));
        }
        await("both review permits taken by held reviews").atMost(Duration.ofSeconds(10))
                .until(() -> control.firedFaults().size() == 2);
        long mark = server.mark();
        long entries = auth.cachedAnswers();

        AuthenticationException shed = assertThrows(AuthenticationException.class,
                () -> auth.authenticate("Bearer third-unknown", RequestDeadline.after(Duration.ofSeconds(10))));
        assertEquals(AuthenticationException.Kind.UNAVAILABLE, shed.kind());
        assertEquals(Duration.ofSeconds(1), shed.retryAfter());
        assertTrue(shed.getMessage().contains("busy"), shed.getMessage());
        assertEquals(IngestTestCluster.SENDER, auth.authenticate("Bearer " + IngestTestCluster.SENDER_TOKEN)
                .username());
        assertFalse(held.stream().anyMatch(CompletableFuture::isDone),
                "the 503 and the known sender were answered while both reviews were still held");
        assertEquals(0, tokenReviewsSince(mark), "the shed token cost no review");
        assertEquals(1.0, lookups("shed"));
        assertEquals(entries, auth.cachedAnswers(), "the shed token made no cache entry (shed before the cache)");

        for (CompletableFuture<AuthenticationException.Kind> h : held) {
            assertEquals(AuthenticationException.Kind.UNAUTHENTICATED, h.get());
        }
        assertEquals(AuthenticationException.Kind.UNAUTHENTICATED, denial(auth, "third-unknown"),
                "capacity back: the shed token is reviewed now (a 503 is not cached)");
    }

    @Test
    void anAllowedTokenHalfItsTtlOldIsReReviewedInTheBackgroundWhileItsRequestsAreAnsweredFromTheCache() {
        RequestAuthenticator auth = authenticator(100, 4);
        String sender = "Bearer " + IngestTestCluster.SENDER_TOKEN;
        auth.authenticate(sender);
        ApiServerControl control = new ApiServerControl(server.url());
        control.delayAnswers("gateway-service", "", "create", "tokenreviews", "", Duration.ofSeconds(2), 1);
        clock.advance(Duration.ofSeconds(16));
        long mark = server.mark();
        double cachedBefore = lookups("cached");
        assertEquals(IngestTestCluster.SENDER, auth.authenticate(sender).username());
        assertEquals(cachedBefore + 1, lookups("cached"), "answered from the cache");
        assertEquals(0.0, meters.counter("gateway.auth.refreshes", "result", "refreshed").count(),
                "the re-review was still held when the request was answered");
        await("the background re-review").atMost(Duration.ofSeconds(10))
                .until(() -> meters.counter("gateway.auth.refreshes", "result", "refreshed").count() == 1.0);
        assertEquals(1, tokenReviewsSince(mark));
        // 32 s after the first review (past its TTL), 16 s after the re-review: still cached
        clock.advance(Duration.ofSeconds(16));
        long mark2 = server.mark();
        double cachedBefore2 = lookups("cached");
        assertEquals(IngestTestCluster.SENDER, auth.authenticate(sender).username());
        assertEquals(cachedBefore2 + 1, lookups("cached"));
        assertNull(server.requestsSince(mark2, r -> r.resource().equals("tokenreviews") && r.code() >= 400)
                .stream().findFirst().orElse(null));
    }
}
