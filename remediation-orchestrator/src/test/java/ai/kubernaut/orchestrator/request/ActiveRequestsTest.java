package ai.kubernaut.orchestrator.request;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.orchestrator.model.RemediationRequest;
import ai.kubernaut.orchestrator.model.RemediationRequestStatus.OverallPhase;
import ai.kubernaut.orchestrator.model.remediationrequeststatus.RoutingStatus;
import ai.kubernaut.orchestrator.target.Target;
import ai.kubernaut.orchestrator.testing.Fixtures;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The RR cache keeps active RRs only, slim, indexed; an RR that ends leaves it as an update from its last copy. */
class ActiveRequestsTest {

    static final Target TARGET = new Target("shop", "Deployment", "payments");

    static RemediationRequest rr(String name, OverallPhase phase) {
        RemediationRequest rr = Fixtures.stored(Fixtures.request(name, Fixtures.fingerprint("payments"),
                "KubePodCrashLooping", "critical", "shop", "Deployment", "payments"), "uid-" + name,
                Instant.parse("2026-12-01T12:00:00Z"), phase);
        rr.getMetadata().setLabels(Map.of("kubernaut.ai/shard", TARGET.shard(), "app.kubernetes.io/managed-by",
                "gateway-service"));
        rr.getMetadata().setAnnotations(Map.of("kubernaut.ai/creation-token", "abc"));
        rr.getMetadata().setResourceVersion("7");
        rr.getSpec().setOriginalPayload("{\"alerts\":[{\"labels\":{}}]}");
        rr.getSpec().setSignalLabels(Map.of("alertname", "KubePodCrashLooping"));
        rr.getSpec().setSignalAnnotations(Map.of("summary", "crash looping"));
        return rr;
    }

    @Test
    void keepsActiveRrsSlimAndIndexed() {
        ActiveRequests store = new ActiveRequests();
        RemediationRequest blocked = rr("rr-1", OverallPhase.BLOCKED);
        RoutingStatus routing = new RoutingStatus();
        routing.setBlockReason(RoutingStatus.BlockReason.RESOURCEBUSY);
        blocked.getStatus().setRoutingStatus(routing);
        store.put("ns/rr-1", blocked);

        RemediationRequest kept = store.get("ns/rr-1");
        assertNull(kept.getSpec().getOriginalPayload());
        assertNull(kept.getSpec().getSignalLabels());
        assertNull(kept.getSpec().getSignalAnnotations());
        assertTrue(kept.getMetadata().getAnnotations().isEmpty());
        assertEquals(Map.of("kubernaut.ai/shard", TARGET.shard()), kept.getMetadata().getLabels());
        assertEquals("uid-rr-1", kept.getMetadata().getUid());
        assertEquals("7", kept.getMetadata().getResourceVersion());
        assertEquals(TARGET.name(), kept.getSpec().getTargetResource().getName());
        assertEquals("critical", kept.getSpec().getSeverity());
        assertSame(blocked.getStatus(), kept.getStatus());
        assertEquals(List.of(kept), store.byIndex(ActiveRequests.BY_BUSY_TARGET, TARGET.hash()));
        assertEquals(List.of(kept), store.byIndex(ActiveRequests.BY_FINGERPRINT, Fixtures.fingerprint("payments")));
    }

    @Test
    void anRrThatEndsLeavesTheStoreAndItsIndexesAndIsHandedBackAsTheOldCopy() {
        ActiveRequests store = new ActiveRequests();
        store.put("ns/rr-1", rr("rr-1", OverallPhase.EXECUTING));
        RemediationRequest before = store.get("ns/rr-1");

        RemediationRequest old = store.put("ns/rr-1", rr("rr-1", OverallPhase.COMPLETED));

        assertSame(before, old, "the informer turns it into an update from the last active copy");
        assertNull(store.get("ns/rr-1"));
        assertEquals(0, store.size());
        assertTrue(store.byIndex(ActiveRequests.BY_FINGERPRINT, Fixtures.fingerprint("payments")).isEmpty());
        assertNull(store.put("ns/rr-2", rr("rr-2", OverallPhase.FAILED)), "a terminal RR is never kept");
        assertEquals(0, store.keySet().count());
    }

    @Test
    void narrowingDropsWhatFallsOutOfScopeAndDeclinesItLater() {
        ActiveRequests store = new ActiveRequests();
        store.put("ns/rr-1", rr("rr-1", OverallPhase.PENDING));
        store.narrow(rr -> false);
        assertEquals(0, store.size());
        assertTrue(store.byIndex(ActiveRequests.BY_FINGERPRINT, Fixtures.fingerprint("payments")).isEmpty());
        store.put("ns/rr-1", rr("rr-1", OverallPhase.ANALYZING));
        assertEquals(0, store.size());
    }
}
