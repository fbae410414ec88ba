package ai.kubernaut.gateway.auth;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.gateway.ingest.testing.IngestTestCluster;
import ai.kubernaut.gateway.kube.RequestDeadline;
import ai.kubernaut.gateway.testing.MutableClock;
import ai.kubernaut.testserver.ApiServerControl;
import ai.kubernaut.testserver.EmbeddedApiServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** TokenReview + SubjectAccessReview answered by the strict test API server from the deploy RBAC. */
class RequestAuthenticatorTest {

    private EmbeddedApiServer server;
    private KubernetesClient client;
    private final MutableClock clock = new MutableClock(Instant.parse("2024-05-01T12:00:00Z"));

    @BeforeEach
    void start() {
        server = IngestTestCluster.startServer();
        client = server.client(IngestTestCluster.GATEWAY_TOKEN);
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    private RequestAuthenticator authenticator(AuthConfig.Mode mode) {
        return new RequestAuthenticator(mode, client, "kubernaut.ai", "signals",
                IngestTestCluster.NAMESPACE, Duration.ofSeconds(30), 100, Duration.ofSeconds(5), clock);
    }

    @Test
    void bearerTokenParsing() {
        assertEquals("abc", RequestAuthenticator.bearerToken("Bearer abc"));
        assertEquals("abc", RequestAuthenticator.bearerToken("  bearer   abc "));
        for (String bad : new String[] {null, "", "Bearer", "Bearer   ", "Basic abc", "abc"}) {
            AuthenticationException e = assertThrows(AuthenticationException.class,
                    () -> RequestAuthenticator.bearerToken(bad));
            assertEquals(AuthenticationException.Kind.UNAUTHENTICATED, e.kind());
        }
    }

    @Test
    void allowedDeniedAndInvalidTokens() {
        RequestAuthenticator auth = authenticator(AuthConfig.Mode.TOKENREVIEW);
        assertEquals(IngestTestCluster.SENDER,
                auth.authenticate("Bearer " + IngestTestCluster.SENDER_TOKEN).username());
        AuthenticationException forbidden = assertThrows(AuthenticationException.class,
                () -> auth.authenticate("Bearer " + IngestTestCluster.READER_TOKEN));
        assertEquals(AuthenticationException.Kind.FORBIDDEN, forbidden.kind());
        AuthenticationException invalid = assertThrows(AuthenticationException.class,
                () -> auth.authenticate("Bearer secret-value-xyz"));
        assertEquals(AuthenticationException.Kind.UNAUTHENTICATED, invalid.kind());
        assertFalse(invalid.getMessage().contains("secret-value-xyz"), "tokens never appear in messages");
        AuthenticationException outage = assertThrows(AuthenticationException.class,
                () -> auth.authenticate("Bearer " + IngestTestCluster.OUTAGE_TOKEN));
        assertEquals(AuthenticationException.Kind.UNAVAILABLE, outage.kind());
        assertEquals(Duration.ofSeconds(1), outage.retryAfter());
    }

    @Test
    void answersAreCachedUntilTheTtlPasses() {
        RequestAuthenticator auth = authenticator(AuthConfig.Mode.TOKENREVIEW);
        long before = server.mark();
        auth.authenticate("Bearer " + IngestTestCluster.SENDER_TOKEN);
        assertEquals(before + 2, server.mark(), "one TokenReview and one SubjectAccessReview");
        auth.authenticate("Bearer " + IngestTestCluster.SENDER_TOKEN);
        assertEquals(before + 2, server.mark());
        clock.advance(Duration.ofSeconds(31));
        auth.authenticate("Bearer " + IngestTestCluster.SENDER_TOKEN);
        assertEquals(before + 4, server.mark());
    }

    @Test
    void concurrentRequestsWithOneTokenShareOneReview() throws Exception {
        // the TokenReview answer is held back so that all 8 requests arrive while it is in flight
        new ApiServerControl(server.url()).delayAnswers("gateway-service", "", "create", "tokenreviews", "",
                Duration.ofMillis(300), 1);
        RequestAuthenticator auth = authenticator(AuthConfig.Mode.TOKENREVIEW);
        long before = server.mark();
        int threads = 8;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Caller>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                results.add(pool.submit(() -> {
                    go.await();
                    return auth.authenticate("Bearer " + IngestTestCluster.SENDER_TOKEN);
                }));
            }
            go.countDown();
            for (Future<Caller> f : results) {
                assertEquals(IngestTestCluster.SENDER, f.get().username());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(before + 2, server.mark(), "single flight: one pair of reviews for 8 requests");
    }

    @Test
    void aReviewSlowerThanTheRequestsDeadlineIs503InTimeAndNothingStartsAfterIt() {
        new ApiServerControl(server.url()).delayAnswers("gateway-service", "", "create", "tokenreviews", "",
                Duration.ofMillis(1500), 1);
        RequestAuthenticator auth = authenticator(AuthConfig.Mode.TOKENREVIEW);
        long mark = server.mark();
        long start = System.nanoTime();
        AuthenticationException late = assertThrows(AuthenticationException.class,
                () -> auth.authenticate("Bearer " + IngestTestCluster.SENDER_TOKEN,
                        RequestDeadline.after(Duration.ofMillis(400))));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(AuthenticationException.Kind.UNAVAILABLE, late.kind());
        assertEquals(Duration.ofSeconds(1), late.retryAfter());
        assertTrue(ms >= 400 && ms < 1200, "the caller waited its deadline, not the review: " + ms + " ms");
        // the TokenReview was the request's only call: no SubjectAccessReview once its answer came, after the deadline
        await("the held TokenReview answered").atMost(Duration.ofSeconds(10))
                .until(() -> !server.requestsSince(mark, r -> r.resource().equals("tokenreviews")).isEmpty());
        await("no call after the deadline").during(Duration.ofMillis(2000)).atMost(Duration.ofSeconds(5))
                .until(() -> server.requestsSince(mark, r -> r.byService()).size() == 1);
    }

    @Test
    void aCallerJoiningAReviewCutShortByAnotherRequestsDeadlineReviewsAgainWithinItsOwn() throws Exception {
        ApiServerControl control = new ApiServerControl(server.url());
        control.delayAnswers("gateway-service", "", "create", "tokenreviews", "", Duration.ofMillis(1500), 1);
        RequestAuthenticator auth = authenticator(AuthConfig.Mode.TOKENREVIEW);
        int reviews = IngestTestCluster.TOKEN_REVIEWS.get();
        ExecutorService first = Executors.newSingleThreadExecutor();
        try {
            Future<Caller> hurried = first.submit(() -> auth.authenticate("Bearer " + IngestTestCluster.SENDER_TOKEN,
                    RequestDeadline.after(Duration.ofMillis(500))));
            // the first request's review is in flight (its answer held back): the second joins it
            await("the first review in flight").atMost(Duration.ofSeconds(10))
                    .until(() -> !control.firedFaults().isEmpty());
            Caller patient = auth.authenticate("Bearer " + IngestTestCluster.SENDER_TOKEN,
                    RequestDeadline.after(Duration.ofSeconds(10)));
            assertEquals(IngestTestCluster.SENDER, patient.username(), "reviewed again within its own deadline");
            java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                    hurried::get);
            assertEquals(AuthenticationException.Kind.UNAVAILABLE, ((AuthenticationException) e.getCause()).kind());
        } finally {
            first.shutdownNow();
        }
        assertEquals(reviews + 2, IngestTestCluster.TOKEN_REVIEWS.get(), "the cut-short review, then a new one");
    }

    @Test
    void aReviewRefusedForGoodIsNotUnavailable() {
        // a Gateway whose ServiceAccount lacks the review rules: the API server answers 403
        try (KubernetesClient unprivileged = server.client(
                ai.kubernaut.testserver.Caller.serviceAccountToken(IngestTestCluster.NAMESPACE, "no-rbac"))) {
            RequestAuthenticator auth = new RequestAuthenticator(AuthConfig.Mode.TOKENREVIEW, unprivileged,
                    "kubernaut.ai", "signals", IngestTestCluster.NAMESPACE, Duration.ofSeconds(30), 100,
                    Duration.ofSeconds(5), clock);
            AuthenticationException refused = assertThrows(AuthenticationException.class,
                    () -> auth.authenticate("Bearer " + IngestTestCluster.SENDER_TOKEN));
            assertEquals(AuthenticationException.Kind.FAILED, refused.kind(), "the Gateway's RBAC, not a transient fault");
        }
    }

    @Test
    void modeNoneAcceptsEverythingAndWarnsLoudly() {
        List<LogRecord> records = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger logger = Logger.getLogger(RequestAuthenticator.class.getName());
        logger.addHandler(capture);
        try {
            RequestAuthenticator none = authenticator(AuthConfig.Mode.NONE);
            long before = server.mark();
            assertEquals(Caller.UNAUTHENTICATED, none.authenticate(null));
            assertEquals(before, server.mark());
            none.warnWhenDisabled(null);
        } finally {
            logger.removeHandler(capture);
        }
        assertTrue(records.stream().anyMatch(r -> r.getLevel().intValue() >= Level.WARNING.intValue()
                && r.getMessage().contains("AUTHENTICATION IS DISABLED")), "a WARN at start-up");
    }
}
