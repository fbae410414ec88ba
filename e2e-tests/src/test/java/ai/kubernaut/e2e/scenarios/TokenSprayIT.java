package ai.kubernaut.e2e.scenarios;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.e2e.cluster.Cluster;
import ai.kubernaut.e2e.load.Alert;
import ai.kubernaut.e2e.load.KeepAliveSpray;
import ai.kubernaut.e2e.load.LoadResult;
import ai.kubernaut.e2e.load.Outcome;
import ai.kubernaut.e2e.load.Payloads;
import ai.kubernaut.e2e.load.SignalSender;
import ai.kubernaut.e2e.metrics.Metrics;
import ai.kubernaut.e2e.observe.ApiServerRequests;
import ai.kubernaut.e2e.replica.Replica;
import ai.kubernaut.e2e.replica.ServiceKind;
import ai.kubernaut.e2e.system.KubernautSystem;
import ai.kubernaut.testserver.ApiServerControl;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * Issue 22, token spray end to end: one Gateway replica in its own process with TokenReview auth; a sender sprays
 * random bearer tokens at it (1,000 a second, raw keep-alive connections so that the client costs little CPU) while a
 * legitimate sender sends 50 signals a second with its ServiceAccount token: a warm-up phase, a phase alone, then
 * one during the spray.
 *
 * <p>Asserted: the legitimate sender gets only 2xx (no 503) alone and during the spray; the spray gets only 401 or
 * 503 and reaches most of its rate; the TokenReviews the spray causes stay within the review rate (the Gateway's
 * {@code gateway.auth.review-rate}, 20/s, its bucket full at start) per the Gateway's own counter and, where there is
 * one, the API server's request log or request counter. Printed, not asserted (a wall-clock ratio on a shared 2-core
 * machine is a benchmark number): the legitimate sender's p50/p99 alone and during the spray and their ratio
 * (docs/benchmarks.md). {@code -Dspray.seconds} (default 10) sets each phase's length.
 */
@ExtendWith(SuiteCluster.class)
@ResourceLock(Lanes.TOKEN_REVIEWS) // not beside AlertmanagerIT (Lanes); late in the main lane, when that is done
@Order(5)
class TokenSprayIT {

    private static final double LEGIT_PER_SECOND = 50;
    private static final double SPRAY_PER_SECOND = 1000;
    private static final int SPRAY_CONNECTIONS = 8;
    private static final int REVIEW_RATE = 20;
    private static final Duration PHASE = Duration.ofSeconds(Long.getLong("spray.seconds", 10));

    private static KubernautSystem system;
    private static SignalSender sender;

    @BeforeAll
    static void start(Cluster cluster) {
        system = KubernautSystem.in(cluster).namespacePrefix("spray").gateways(1)
                .env(ServiceKind.GATEWAY, "GATEWAY_AUTH_MODE", "tokenreview")
                .env(ServiceKind.GATEWAY, "GATEWAY_AUTH_REVIEW_RATE", Integer.toString(REVIEW_RATE))
                .start();
        sender = new SignalSender(Duration.ofSeconds(30));
    }

    @AfterAll
    static void stop() {
        if (sender != null) {
            sender.close();
        }
        if (system != null) {
            system.close();
        }
    }

    @Test
    void aTokenSprayNeitherStarvesAKnownSenderNorFloodsTheApiServerWithReviews() throws Exception {
        Replica gateway = system.gateways().get(0);
        Cluster cluster = system.cluster();
        String body = Payloads.alertmanagerWebhook(Alert.aboutDeployment("KubeDeploymentReplicasMismatch",
                "shop-" + system.namespace().substring(system.namespace().lastIndexOf('-') + 1), "web"));
        Map<String, String> legitAuth = Map.of("Authorization", "Bearer " + cluster.signalSenderToken(system.namespace()));
        Outcome first = sender.post(gateway, Payloads.PROMETHEUS_PATH, body, legitAuth);
        assertEquals(201, first.code(), "the sender's first signal creates the RR (and caches its token's review): "
                + first.body());

        paced(gateway, body, legitAuth); // warm-up: the first seconds of a new JVM are its JIT's, not the spray's
        ProcessHandle gatewayProcess = ProcessHandle.of(gateway.pid()).orElseThrow();
        Duration cpuAtStart = cpu(gatewayProcess);
        LoadResult alone = paced(gateway, body, legitAuth);
        Duration cpuAlone = cpu(gatewayProcess).minus(cpuAtStart);

        Optional<ApiServerControl> log = cluster.control();
        long mark = log.map(ApiServerControl::mark).orElse(-1L);
        Optional<ApiServerRequests.Snapshot> countedBefore = log.isPresent() ? Optional.empty()
                : ApiServerRequests.scrape(cluster.admin());
        double reviewedBefore = reviewed(gateway.metrics());
        Duration cpuBeforeSpray = cpu(gatewayProcess);
        Duration clientCpuBeforeSpray = cpu(ProcessHandle.current());
        long sprayStart = System.nanoTime();
        KeepAliveSpray spray = KeepAliveSpray.start(URI.create(gateway.url() + Payloads.PROMETHEUS_PATH),
                body.getBytes(StandardCharsets.UTF_8), SPRAY_PER_SECOND, PHASE, SPRAY_CONNECTIONS,
                i -> Map.of("Authorization", "Bearer spray-" + UUID.randomUUID()));
        LoadResult during;
        try {
            during = paced(gateway, body, legitAuth);
            assertTrue(spray.await(PHASE.plusSeconds(60)), "the spray ended");
        } finally {
            spray.close();
        }
        double sprayedSeconds = (System.nanoTime() - sprayStart) / 1e9;
        Duration cpuDuring = cpu(gatewayProcess).minus(cpuBeforeSpray);
        Duration clientCpuDuring = cpu(ProcessHandle.current()).minus(clientCpuBeforeSpray);
        Metrics after = gateway.metrics();
        double reviewedByGateway = reviewed(after) - reviewedBefore;
        Optional<Long> reviewsAtServer = log.map(c -> (long) c.since(mark).stream()
                        .filter(r -> r.resource().equals("tokenreviews")
                                && r.callerNamespace().equals(system.namespace())).count()) // its Gateway's only
                .or(() -> countedBefore.flatMap(before -> ApiServerRequests.scrape(cluster.admin())
                        .map(now -> now.since(before).getOrDefault("tokenreviews create", 0L))));

        double p99Alone = alone.latency().at(99) / 1e6;
        double p99During = during.latency().at(99) / 1e6;
        System.out.printf("token spray e2e: spray %.0f req/s reached (aimed at %.0f) over %d connections (%d opened),"
                + " answers %s%n", spray.rate(), SPRAY_PER_SECOND, SPRAY_CONNECTIONS, spray.connectionsOpened(),
                spray.byStatus());
        System.out.printf("token spray e2e: legitimate sender %d signals alone %s, %d during the spray %s%n",
                alone.outcomes().size(), alone.countsByCode(), during.outcomes().size(), during.countsByCode());
        System.out.printf("token spray e2e: legitimate p50 %.1f ms / p99 %.1f ms alone, p50 %.1f ms / p99 %.1f ms "
                + "during the spray: p99 ratio %.2f%n", alone.latency().at(50) / 1e6, p99Alone,
                during.latency().at(50) / 1e6, p99During, p99During / p99Alone);
        System.out.printf("token spray e2e: Gateway CPU %.2f s alone, %.2f s during the spray (%.0f us per sprayed "
                + "request); this JVM (sprayer, sender%s) %.2f s during the spray%n", cpuAlone.toNanos() / 1e9,
                cpuDuring.toNanos() / 1e9, (cpuDuring.minus(cpuAlone).toNanos() / 1e3)
                        / Math.max(1, spray.byStatus().values().stream().mapToInt(Integer::intValue).sum()),
                log.isPresent() ? ", embedded API server" : "", clientCpuDuring.toNanos() / 1e9);
        System.out.printf("token spray e2e: TokenReviews in %.1f s: %.0f started by the Gateway (%.1f/s), %s at the "
                + "API server; gateway_auth_lookups_total %s%n", sprayedSeconds, reviewedByGateway,
                reviewedByGateway / sprayedSeconds, reviewsAtServer.map(String::valueOf).orElse("not observable"),
                after.sumBy("gateway_auth_lookups_total", "result"));

        assertEquals(Set.of(202), alone.countsByCode().keySet(), "alone: " + alone.unexpected(Set.of(202)));
        assertEquals(Set.of(202), during.countsByCode().keySet(), "during the spray the known sender gets no 503: "
                + during.unexpected(Set.of(202)));
        assertTrue(Set.of(401, 503).containsAll(spray.byStatus().keySet()), "spray: only 401 or 503, "
                + spray.byStatus());
        assertEquals(0, spray.serverErrorsWithoutRetryAfter(), "every 503 of the spray says when to come back "
                + "(Retry-After): " + spray.byStatus());
        assertTrue(spray.rate() >= SPRAY_PER_SECOND * 0.8, "the spray reached most of its rate: " + spray.rate());
        // the review rate bounds what a spray costs the API server: the bucket (full at start) plus its refill
        double bound = REVIEW_RATE * (sprayedSeconds + 1);
        assertTrue(reviewedByGateway > 0 && reviewedByGateway <= bound, "TokenReviews started by the Gateway within "
                + REVIEW_RATE + "/s over " + sprayedSeconds + " s: " + reviewedByGateway);
        reviewsAtServer.ifPresent(n -> assertTrue(n <= bound + 2, "TokenReviews at the API server: " + n));
    }

    /** {@value #LEGIT_PER_SECOND} signals a second for {@link #PHASE}, each sent at its time (an open loop). */
    private static LoadResult paced(Replica gateway, String body, Map<String, String> auth) throws InterruptedException {
        ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
        int count = (int) (LEGIT_PER_SECOND * PHASE.toSeconds());
        long period = (long) (1e9 / LEGIT_PER_SECOND);
        ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
        ExecutorService senders = Executors.newFixedThreadPool(8);
        long start = System.nanoTime();
        try {
            for (int i = 0; i < count; i++) {
                clock.schedule(() -> senders.execute(() -> outcomes.add(
                        sender.post(gateway, Payloads.PROMETHEUS_PATH, body, auth))), i * period, TimeUnit.NANOSECONDS);
            }
            clock.shutdown();
            assertTrue(clock.awaitTermination(PHASE.toSeconds() + 30, TimeUnit.SECONDS), "every send was scheduled");
            senders.shutdown();
            assertTrue(senders.awaitTermination(60, TimeUnit.SECONDS), "every send was answered");
        } finally {
            clock.shutdownNow();
            senders.shutdownNow();
        }
        return new LoadResult(List.copyOf(outcomes), System.nanoTime() - start);
    }

    private static Duration cpu(ProcessHandle process) {
        return process.info().totalCpuDuration().orElse(Duration.ZERO);
    }

    private static double reviewed(Metrics metrics) {
        return metrics.sum("gateway_auth_lookups_total", Map.of("result", "reviewed"));
    }
}
