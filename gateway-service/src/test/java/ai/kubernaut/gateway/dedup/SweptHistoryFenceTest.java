package ai.kubernaut.gateway.dedup;

import static ai.kubernaut.gateway.dedup.TestSignals.NAMESPACE;
import static ai.kubernaut.gateway.dedup.TestSignals.countOf;
import static ai.kubernaut.gateway.dedup.TestSignals.randomFingerprint;
import static ai.kubernaut.gateway.dedup.TestSignals.rrsOf;
import static ai.kubernaut.gateway.dedup.TestSignals.setPhase;
import static ai.kubernaut.gateway.dedup.TestSignals.signal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.gateway.cluster.TestApiServerResource;
import ai.kubernaut.gateway.lock.Fabric8LeaseApi;
import ai.kubernaut.gateway.lock.LeaseRecord;
import ai.kubernaut.gateway.model.RemediationRequest;
import ai.kubernaut.gateway.model.RemediationRequestStatus.OverallPhase;
import ai.kubernaut.testserver.EmbeddedApiServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * ADR-052-002, "Retention": the orchestrator's sweep deletes the RRs of a fingerprint that are not its chain's head
 * (tail first, once they have been terminal for the retention). A creator paused while the chain moved on and was
 * swept under it still meets the names it computes: when it wakes, there is still one active RR per fingerprint.
 */
@QuarkusTest
@QuarkusTestResource(value = TestApiServerResource.class, restrictToAnnotatedClass = false)
class SweptHistoryFenceTest {

    final EmbeddedApiServer cluster = TestApiServerResource.server();

    /** An RR of the chain as another replica created it, moved to {@code phase} as the orchestrator would. */
    String existing(String fp, String predecessor, OverallPhase phase) {
        String name = DedupRules.rrName(fp, predecessor);
        cluster.admin().resources(RemediationRequest.class).inNamespace(NAMESPACE).resource(
                RemediationRequestFactory.build(signal(fp), NAMESPACE, name, predecessor, "elsewhere")).create();
        setPhase(cluster, name, phase);
        return name;
    }

    /** What the orchestrator's retention sweep does to a non-head: a DELETE guarded by uid and resourceVersion. */
    void sweep(String name) {
        RemediationRequest rr = cluster.admin().resources(RemediationRequest.class).inNamespace(NAMESPACE)
                .withName(name).get();
        cluster.admin().resources(RemediationRequest.class).inNamespace(NAMESPACE).withName(name)
                .lockResourceVersion(rr.getMetadata().getResourceVersion()).delete();
    }

    @Test
    void aCreatorPausedWhileTheChainMovedOnAndWasSweptStillCountsOnTheActiveRr() throws Exception {
        String fp = randomFingerprint();
        String r1 = existing(fp, null, OverallPhase.COMPLETED);
        String r2 = existing(fp, r1, OverallPhase.FAILED);
        LeaseExpiryTest.PauseFirstCreate pause = new LeaseExpiryTest.PauseFirstCreate();
        try (var replicas = LeaseExpiryTest.PauseFirstCreate.twoReplicasFirstPaused(cluster, pause)) {
            // gateway-0 sees the head r2, takes the Lease and freezes right before creating N(r2)
            CompletableFuture<Recorded> sleeper = CompletableFuture.supplyAsync(() -> replicas.get(0).record(signal(fp)));
            assertTrue(pause.paused.await(30, TimeUnit.SECONDS));

            // meanwhile gateway-1 takes the expired Lease and creates r3 = N(r2); r3 ends; r4 = N(r3) is created
            Recorded third = replicas.get(1).record(signal(fp));
            assertEquals(Recorded.Outcome.CREATED, third.outcome());
            assertEquals(DedupRules.rrName(fp, r2), third.rrName());
            setPhase(cluster, third.rrName(), OverallPhase.COMPLETED);
            Recorded fourth = replicas.get(1).record(signal(fp));
            assertEquals(Recorded.Outcome.CREATED, fourth.outcome(), "r3 ended: the next signal is new");
            String r4 = DedupRules.rrName(fp, third.rrName());
            assertEquals(r4, fourth.rrName());

            // the sweep deletes the non-heads past their retention, tail first: r1, r2 (r3 ended a moment ago)
            sweep(r1);
            sweep(r2);
            assertEquals(Set.of(third.rrName(), r4), rrsOf(cluster, fp).stream()
                    .map(rr -> rr.getMetadata().getName()).collect(Collectors.toSet()));

            // gateway-0 wakes: N(r2) = r3 exists (409, terminal), N(r3) = r4 exists (409, active): it counts on r4
            pause.resume.countDown();
            Recorded woke = sleeper.get(30, TimeUnit.SECONDS);
            assertEquals(Recorded.Outcome.DUPLICATE, woke.outcome());
            assertEquals(r4, woke.rrName());

            List<RemediationRequest> rrs = rrsOf(cluster, fp);
            assertEquals(1, rrs.stream().filter(rr -> !DedupRules.isTerminal(rr)).count(),
                    "one active RR for the fingerprint");
            assertEquals(2, rrs.size(), "no RR created under a swept name");
            assertEquals(2L, countOf(rrs.stream().filter(rr -> rr.getMetadata().getName().equals(r4)).findFirst()
                    .orElseThrow()));
        }
    }

    @Test
    void theGatewaysLeasesCarryItsLabels() throws Exception {
        var api = new Fabric8LeaseApi(cluster.admin(), NAMESPACE);
        String name = "gw-lock-labels0000000000";
        Instant now = Instant.now();
        api.create(new LeaseRecord(name, "gateway-0/abc", now, now, 30, 0, null), Duration.ofSeconds(5));
        assertEquals(Map.of("app.kubernetes.io/managed-by", "gateway-service", "kubernaut.ai/lease-purpose", "lock"),
                cluster.admin().leases().inNamespace(NAMESPACE).withName(name).get().getMetadata().getLabels());
        cluster.admin().leases().inNamespace(NAMESPACE).withName(name).delete();
    }
}
