package ai.kubernaut.gateway.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.gateway.ingest.testing.IngestTestCluster;
import ai.kubernaut.gateway.ingest.testing.Payloads;
import ai.kubernaut.gateway.ingest.testing.ScenarioTestProfile;
import ai.kubernaut.gateway.ingest.testing.SignalLoad;
import ai.kubernaut.testserver.RequestRecord;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A sender sprays random bearer tokens at one replica (aimed at 1,000 a second) while a legitimate sender sends 50
 * signals a second. Asserted: the legitimate sender gets no 503 (nor anything but 2xx), with and without the spray;
 * the spray gets only 401 or 503 {@code auth-unavailable}; TokenReviews never run more than the review capacity plus
 * the refresh capacity at once (from the test API server's request log), and a bad token sent again and again is
 * reviewed about once per negative TTL. Printed: rates reached, the legitimate sender's p50/p99 alone and during the
 * spray and their ratio (not asserted: wall-clock ratios are not stable on a loaded 2-core machine), TokenReviews per
 * second. {@code -Dspray.seconds} (default 6) makes a longer run.
 */
@QuarkusTest
@TestProfile(ScenarioTestProfile.class)
class TokenSprayTest extends IngestTestBase {

    private static final double LEGIT_PER_SECOND = 50;
    private static final double SPRAY_PER_SECOND = 1000;
    private static final int REPEATED_TOKENS = 5;

    @TestHTTPResource("/")
    URI base;

    @Inject
    MeterRegistry meters;

    @Test
    void aTokenSprayDoesNotTakeTheReviewCapacityOfAKnownSender() {
        Duration phase = Duration.ofSeconds(Long.getLong("spray.seconds", 6));
        String legitBody = Payloads.text(Payloads.webhook(Payloads.alert("alertname", "KubeDeploymentReplicasMismatch",
                "severity", "critical", "namespace", "shop", "deployment", "web")));
        SignalLoad.Request legit = new SignalLoad.Request(PROMETHEUS, IngestTestCluster.SENDER_TOKEN, legitBody);
        try (SignalLoad load = new SignalLoad(base, 24)) {
            assertEquals(201, load.send(legit).status(), "the sender's token reviewed and cached first");

            SignalLoad.Run alone = load.start(4, LEGIT_PER_SECOND, phase, i -> legit);
            Awaitility.await().atMost(phase.plusSeconds(60)).until(alone::done);

            long mark = server.mark();
            long sprayStart = System.nanoTime();
            double shedBefore = shed();
            int repeatedBefore = IngestTestCluster.REPEATED_BAD_TOKEN_REVIEWS.get();
            SignalLoad.Run spray = load.start(16, SPRAY_PER_SECOND, phase, i -> new SignalLoad.Request(PROMETHEUS,
                    i % 10 == 0 ? IngestTestCluster.REPEATED_BAD_TOKEN + (i / 10) % REPEATED_TOKENS
                            : "spray-" + UUID.randomUUID(), legitBody));
            SignalLoad.Run during = load.start(4, LEGIT_PER_SECOND, phase, i -> legit);
            Awaitility.await().atMost(phase.plusSeconds(120)).until(() -> spray.done() && during.done());
            double sprayedSeconds = (System.nanoTime() - sprayStart) / 1e9;
            List<RequestRecord> reviews = server.requestsSince(mark, r -> r.resource().equals("tokenreviews"));
            int repeatedReviews = IngestTestCluster.REPEATED_BAD_TOKEN_REVIEWS.get() - repeatedBefore;
            double shedDuring = shed() - shedBefore;

            double p99Alone = SignalLoad.percentileMs(alone.answers, 0.99);
            double p99During = SignalLoad.percentileMs(during.answers, 0.99);
            System.out.printf("token spray: spray %.0f req/s reached (aimed at %.0f), answers %s%n", spray.rate(),
                    SPRAY_PER_SECOND, spray.byStatus());
            System.out.printf("token spray: legitimate sender %.1f req/s alone %s, %.1f req/s during the spray %s%n",
                    alone.rate(), alone.byStatus(), during.rate(), during.byStatus());
            System.out.printf("token spray: legitimate p50 %.1f ms / p99 %.1f ms alone, p50 %.1f ms / p99 %.1f ms "
                    + "during the spray: p99 ratio %.2f%n", SignalLoad.percentileMs(alone.answers, 0.5), p99Alone,
                    SignalLoad.percentileMs(during.answers, 0.5), p99During, p99During / p99Alone);
            System.out.printf("token spray: %d TokenReviews in %d s (%.0f/s), at most %d at once; %d reviews of %d "
                    + "repeated bad tokens%n", reviews.size(), phase.toSeconds(),
                    reviews.size() / (double) phase.toSeconds(), maxConcurrent(reviews), repeatedReviews,
                    REPEATED_TOKENS);

            assertEquals(Set.of(202), statuses(alone), "alone: " + alone.byStatus());
            assertEquals(Set.of(202), statuses(during), "during the spray: no 503 for the known sender, "
                    + during.byStatus());
            assertTrue(Set.of(401, 503).containsAll(statuses(spray)), "spray: only 401 or 503, " + spray.byStatus());
            assertTrue(spray.byStatus().getOrDefault(401, 0) > 0, "some spray tokens were reviewed and refused");
            assertEquals(spray.byStatus().getOrDefault(503, 0), (int) shedDuring,
                    "every 503 of the spray was a fast answer of the full review capacity (none waited for a review)");
            assertTrue(maxConcurrent(reviews) <= ScenarioTestProfile.REVIEW_CONCURRENCY
                    + ScenarioTestProfile.REFRESH_CONCURRENCY, "TokenReviews at once: " + maxConcurrent(reviews));
            // the review rate bounds what the spray costs the API server: its bucket (full at start) plus its refill
            assertTrue(reviews.size() <= ScenarioTestProfile.REVIEW_RATE * (sprayedSeconds + 1)
                    + ScenarioTestProfile.REFRESH_CONCURRENCY, "TokenReviews within the review rate of "
                    + ScenarioTestProfile.REVIEW_RATE + "/s over " + sprayedSeconds + " s: " + reviews.size());
            long windows = (phase.toSeconds() + ScenarioTestProfile.NEGATIVE_TTL_SECONDS - 1)
                    / ScenarioTestProfile.NEGATIVE_TTL_SECONDS;
            assertTrue(repeatedReviews <= REPEATED_TOKENS * (windows + 1), "each repeated bad token reviewed at most "
                    + "once per negative TTL (+1 for the phase boundary): " + repeatedReviews);
        }
    }

    private double shed() {
        return meters.counter("gateway.auth.lookups", "result", "shed").count();
    }

    private static Set<Integer> statuses(SignalLoad.Run run) {
        return run.byStatus().keySet();
    }

    /** Most requests the server was answering at the same time (arrival + time spent answering). */
    static int maxConcurrent(List<RequestRecord> records) {
        List<long[]> edges = new ArrayList<>();
        for (RequestRecord r : records) {
            edges.add(new long[] {r.epochMicros(), 1});
            edges.add(new long[] {r.epochMicros() + r.micros(), -1});
        }
        edges.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        int now = 0;
        int max = 0;
        for (long[] e : edges) {
            now += (int) e[1];
            max = Math.max(max, now);
        }
        return max;
    }
}
