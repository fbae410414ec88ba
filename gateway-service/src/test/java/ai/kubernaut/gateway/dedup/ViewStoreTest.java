package ai.kubernaut.gateway.dedup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.gateway.model.RemediationRequest;
import ai.kubernaut.gateway.model.RemediationRequestStatus.OverallPhase;
import ai.kubernaut.gateway.model.remediationrequeststatus.Deduplication;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The view's store keeps of a terminal RR only a link of its chain, yet answers every fingerprint as deduplication
 * would decide from all its RRs: same active RR, same predecessor, same count of active ones, whatever order a list
 * delivers them in, whichever are deleted, and after RRs turn terminal.
 */
class ViewStoreTest {

    static final String NS = "ns";
    static final KubernetesSerialization JSON = new KubernetesSerialization();

    /** What the informer decodes of {@code rr} (the view's own class: only what dedup reads). */
    static ViewedRemediationRequest viewed(RemediationRequest rr) {
        return JSON.convertValue(rr, ViewedRemediationRequest.class);
    }

    static String key(RemediationRequest rr) {
        return rr.getMetadata().getNamespace() + "/" + rr.getMetadata().getName();
    }
    static final OverallPhase[] TERMINAL = {OverallPhase.COMPLETED, OverallPhase.FAILED, OverallPhase.TIMEDOUT,
            OverallPhase.SKIPPED, OverallPhase.CANCELLED};

    /** Chains as the Gateway builds them (fenced names, supersedes), many created in the same second. */
    static List<RemediationRequest> history(Random random, String fingerprint, int length, boolean lastActive) {
        List<RemediationRequest> chain = new ArrayList<>();
        String predecessor = null;
        long second = 1_700_000_000L;
        for (int i = 0; i < length; i++) {
            second += random.nextInt(3) == 0 ? 0 : random.nextInt(1000);
            boolean active = lastActive && i == length - 1;
            String name = DedupRules.rrName(fingerprint, predecessor);
            RemediationRequest rr = DedupRulesTest.rr(name, fingerprint,
                    active ? (random.nextBoolean() ? OverallPhase.EXECUTING : null) : TERMINAL[random.nextInt(5)],
                    Instant.ofEpochSecond(second).toString(), predecessor);
            rr.getMetadata().setNamespace(NS);
            rr.getMetadata().setResourceVersion(String.valueOf(random.nextInt(1_000_000)));
            chain.add(rr);
            predecessor = name;
        }
        return chain;
    }

    static void assertDecidesAsFromEveryRr(ViewStore store, Map<String, RemediationRequest> present,
            List<String> fingerprints, String when) {
        for (String fp : fingerprints) {
            List<RemediationRequest> all = present.values().stream()
                    .filter(rr -> fp.equals(rr.getSpec().getSignalFingerprint())).toList();
            DedupRules.View expected = DedupRules.view(fp, all);
            DedupRules.View viewed = DedupRules.view(fp, store.ofFingerprint(fp));
            String what = when + ", fingerprint " + fp.substring(0, 8);
            assertEquals(expected.predecessor(), viewed.predecessor(), what);
            assertEquals(expected.activeCount(), viewed.activeCount(), what);
            assertEquals(expected.active() == null ? null : expected.active().getMetadata().getName(),
                    viewed.active() == null ? null : viewed.active().getMetadata().getName(), what);
        }
        assertEquals(present.size(), store.size(), when);
    }

    @Test
    void answersAsFromEveryRrInAnyListOrderThroughUpdatesAndDeletions() {
        for (int run = 0; run < 200; run++) {
            Random random = new Random(run);
            List<String> fingerprints = new ArrayList<>();
            List<RemediationRequest> rrs = new ArrayList<>();
            for (int f = 0; f < 3; f++) {
                String fp = String.format("%064x", 1000 * run + f);
                fingerprints.add(fp);
                rrs.addAll(history(random, fp, 1 + random.nextInt(12), random.nextBoolean()));
                if (random.nextInt(4) == 0) {
                    // from before the supersedes rule: no annotation
                    RemediationRequest old = DedupRulesTest.rr("rr-legacy-" + f, fp, OverallPhase.COMPLETED,
                            Instant.ofEpochSecond(1_700_000_000L + random.nextInt(5000)).toString(), null);
                    old.getMetadata().setNamespace(NS);
                    rrs.add(old);
                }
            }
            ViewStore store = new ViewStore(JSON);
            Map<String, RemediationRequest> present = new LinkedHashMap<>();
            List<RemediationRequest> listOrder = new ArrayList<>(rrs);
            Collections.shuffle(listOrder, random);
            for (RemediationRequest rr : listOrder) {
                store.put(key(rr), viewed(rr));
                present.put(key(rr), rr);
                assertDecidesAsFromEveryRr(store, present, fingerprints, "run " + run + " listing");
            }
            // the active ones end; then deletions in any order, the head included
            for (RemediationRequest rr : rrs) {
                if (!DedupRules.isTerminal(rr)) {
                    RemediationRequest ended = DedupRulesTest.rr(rr.getMetadata().getName(), rr.getSpec()
                            .getSignalFingerprint(), OverallPhase.COMPLETED, rr.getMetadata().getCreationTimestamp(),
                            rr.getMetadata().getAnnotations() == null ? null
                                    : rr.getMetadata().getAnnotations().get(DedupRules.SUPERSEDES_ANNOTATION));
                    ended.getMetadata().setNamespace(NS);
                    store.put(key(ended), viewed(ended));
                    present.put(key(ended), ended);
                    assertDecidesAsFromEveryRr(store, present, fingerprints, "run " + run + " ended");
                }
            }
            List<String> keys = new ArrayList<>(present.keySet());
            Collections.shuffle(keys, random);
            for (String key : keys) {
                assertNotNull(store.remove(key));
                present.remove(key);
                assertDecidesAsFromEveryRr(store, present, fingerprints, "run " + run + " deleting " + key);
            }
            assertEquals(0, store.fingerprints());
        }
    }

    /** What is kept: of an active RR its slim copy; of a terminal one not even that; never payload or labels. */
    @Test
    void keepsNoPayloadAndOfATerminalRrOnlyItsLink() {
        ViewStore store = new ViewStore(JSON);
        String fp = String.format("%064x", 7);
        RemediationRequest active = DedupRulesTest.rr("rr-a", fp, OverallPhase.EXECUTING, "2026-01-01T00:00:00Z",
                "rr-t");
        active.getMetadata().setNamespace(NS);
        active.getMetadata().setLabels(Map.of("kubernaut.ai/fingerprint", fp.substring(0, 63)));
        active.getMetadata().setResourceVersion("17");
        active.getSpec().setOriginalPayload("{\"alerts\":[]}");
        active.getSpec().setSignalLabels(Map.of("alertname", "KubePodCrashLooping"));
        Deduplication dedup = new Deduplication();
        dedup.setOccurrenceCount(3L);
        active.getStatus().setDeduplication(dedup);
        RemediationRequest terminal = DedupRulesTest.rr("rr-t", fp, OverallPhase.COMPLETED, "2025-12-31T23:59:59Z",
                null);
        terminal.getMetadata().setNamespace(NS);
        terminal.getSpec().setOriginalPayload("{\"alerts\":[]}");
        terminal.getStatus().setDeduplication(dedup);
        store.put("ns/rr-a", viewed(active));
        store.put("ns/rr-t", viewed(terminal));

        RemediationRequest a = store.kept("ns/rr-a");
        assertNull(a.getSpec().getOriginalPayload());
        assertNull(a.getSpec().getSignalLabels());
        assertTrue(a.getMetadata().getLabels() == null || a.getMetadata().getLabels().isEmpty());
        assertEquals("17", a.getMetadata().getResourceVersion());
        assertEquals(3L, a.getStatus().getDeduplication().getOccurrenceCount());

        RemediationRequest t = store.kept("ns/rr-t");
        assertNull(t.getSpec().getOriginalPayload());
        assertNull(t.getStatus().getDeduplication(), "a terminal RR is never counted on");
        assertNull(t.getMetadata().getResourceVersion());
        assertEquals(OverallPhase.COMPLETED, t.getStatus().getOverallPhase());
        assertEquals(Instant.parse("2025-12-31T23:59:59Z").toString(), t.getMetadata().getCreationTimestamp());
        assertEquals(List.of("rr-a", "rr-t"), store.ofFingerprint(fp).stream().map(r -> r.getMetadata().getName())
                .toList());
        assertEquals(List.of("ns/rr-a", "ns/rr-t"), store.keySet().sorted().toList());
        // what a relist reads to drop what it no longer found: every key, active or linked
        assertEquals(List.of("ns/rr-a", "ns/rr-t"), store.values().map(store::getKey).sorted().toList());
    }
}
