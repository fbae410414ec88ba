package ai.kubernaut.gateway.dedup;

import static ai.kubernaut.gateway.dedup.ViewStoreTest.JSON;
import static ai.kubernaut.gateway.dedup.ViewStoreTest.NS;
import static ai.kubernaut.gateway.dedup.ViewStoreTest.key;
import static ai.kubernaut.gateway.dedup.ViewStoreTest.viewed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.gateway.model.RemediationRequest;
import ai.kubernaut.gateway.model.RemediationRequestStatus.OverallPhase;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * This replica's own recent copies merged with the view: an RR the view keeps only as a terminal link (not the head of
 * its chain, so not returned) must not come back as active from an older own copy.
 */
class RecentWritesTest {

    private static final String FP = DedupRulesTest.FP;

    private static RemediationRequest rr(String name, OverallPhase phase, String created, String supersedes, long rv) {
        RemediationRequest rr = DedupRulesTest.rr(name, FP, phase, created, supersedes);
        rr.getMetadata().setNamespace(NS);
        rr.getMetadata().setResourceVersion(String.valueOf(rv));
        return rr;
    }

    /** The view over a store, as InformerView answers from it. */
    private static RemediationRequestView over(ViewStore store, boolean knowsTerminal) {
        return new RemediationRequestView() {
            @Override
            public List<RemediationRequest> ofFingerprint(String fingerprint) {
                return store.ofFingerprint(fingerprint);
            }

            @Override
            public boolean synced() {
                return true;
            }

            @Override
            public boolean knowsTerminal(String fingerprint, String name) {
                return knowsTerminal && store.knowsTerminal(fingerprint, name);
            }
        };
    }

    /** The first RR of the fingerprint's chain and its successor. */
    private final String x = DedupRules.rrName(FP, null);
    private final String y = DedupRules.rrName(FP, x);
    private final RecentWrites recent = new RecentWrites(Duration.ofSeconds(30), () -> 0L);
    private final ViewStore store = new ViewStore(JSON);

    @Test
    void anOwnCopyOfAnRrThatTurnedTerminalAndWasSupersededIsNotActiveAgain() {
        RemediationRequest xActive = rr(x, OverallPhase.EXECUTING, "2026-12-06T20:42:03Z", null, 10);
        store.put(key(xActive), viewed(xActive));
        recent.remember(xActive); // our own occurrence write on X, before it completed

        // X completes, Y (superseding X) is created and completes: the view keeps X as a link, answers Y as the head
        RemediationRequest xDone = rr(x, OverallPhase.COMPLETED, "2026-12-06T20:42:03Z", null, 20);
        RemediationRequest yDone = rr(y, OverallPhase.COMPLETED, "2026-12-06T20:42:08Z", x, 30);
        store.put(key(xDone), viewed(xDone));
        store.put(key(yDone), viewed(yDone));
        assertEquals(List.of(y), store.ofFingerprint(FP).stream().map(r -> r.getMetadata().getName()).toList(),
                "the view answers the head only");
        assertTrue(store.knowsTerminal(FP, x));
        assertTrue(store.knowsTerminal(FP, y));
        assertFalse(store.knowsTerminal(FP, "rr-unknown"));

        DedupRules.View decided = new KnownRrs(FP, over(store, true), recent).decide();
        assertEquals(0, decided.activeCount(), "X is terminal: nothing active");
        assertNull(decided.active());
        assertEquals(y, decided.predecessor(), "the next RR supersedes the head");

        // what this guards: a view that cannot tell brought our stale copy of X back as the active RR
        DedupRules.View blind = new KnownRrs(FP, over(store, false), recent).decide();
        assertEquals(1, blind.activeCount());
        assertEquals(x, blind.active().getMetadata().getName());
    }

    @Test
    void anOwnCopyTheViewHasNotSeenYetStillCounts() {
        RemediationRequest xDone = rr(x, OverallPhase.COMPLETED, "2026-12-06T20:42:03Z", null, 20);
        store.put(key(xDone), viewed(xDone));
        RemediationRequest yNew = rr(y, null, "2026-12-06T20:42:08Z", x, 30);
        recent.remember(yNew); // just created here; the watch has not delivered it yet

        DedupRules.View decided = new KnownRrs(FP, over(store, true), recent).decide();
        assertEquals(1, decided.activeCount());
        assertEquals(y, decided.active().getMetadata().getName(), "our new RR, not yet in the view, is the active one");
    }
}
