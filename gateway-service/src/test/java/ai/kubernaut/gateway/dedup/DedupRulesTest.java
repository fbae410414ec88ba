package ai.kubernaut.gateway.dedup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.gateway.model.RemediationRequest;
import ai.kubernaut.gateway.model.RemediationRequestSpec;
import ai.kubernaut.gateway.model.RemediationRequestStatus;
import ai.kubernaut.gateway.model.RemediationRequestStatus.OverallPhase;
import ai.kubernaut.gateway.model.remediationrequeststatus.Deduplication;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class DedupRulesTest {

    static final String FP = "3f2a9c1d7b4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8";

    static RemediationRequest rr(String name, String fp, OverallPhase phase, String created, String supersedes) {
        RemediationRequest rr = new RemediationRequest();
        rr.getMetadata().setName(name);
        rr.getMetadata().setCreationTimestamp(created);
        if (supersedes != null) {
            rr.getMetadata().setAnnotations(Map.of(DedupRules.SUPERSEDES_ANNOTATION, supersedes));
        }
        RemediationRequestSpec spec = new RemediationRequestSpec();
        spec.setSignalFingerprint(fp);
        rr.setSpec(spec);
        if (phase != null) {
            RemediationRequestStatus st = new RemediationRequestStatus();
            st.setOverallPhase(phase);
            rr.setStatus(st);
        }
        return rr;
    }

    static final EnumSet<OverallPhase> TERMINAL = EnumSet.of(OverallPhase.COMPLETED, OverallPhase.FAILED,
            OverallPhase.TIMEDOUT, OverallPhase.SKIPPED, OverallPhase.CANCELLED);

    @ParameterizedTest
    @EnumSource(OverallPhase.class)
    void exactlyTheFiveTerminalPhasesAreTerminal(OverallPhase phase) {
        assertEquals(TERMINAL.contains(phase), DedupRules.isTerminal(rr("a", FP, phase, null, null)), phase.name());
    }

    /**
     * The RemediationOrchestrator files RRs by this label and computes it the same way from spec.targetResource
     * (its ShardsTest pins the same three vectors): namespaced and cluster-scoped targets.
     */
    @Test
    void shardIsTheFirstByteOfTheTargetHashTheOrchestratorUses() {
        assertEquals("45", DedupRules.shardOf(new ai.kubernaut.gateway.signal.Signal.Resource("Deployment", "checkout",
                "shop", "apps/v1")));
        assertEquals("94", DedupRules.shardOf(new ai.kubernaut.gateway.signal.Signal.Resource("Node", "worker-1", "",
                "v1")));
        assertEquals("44", DedupRules.shardOf(new ai.kubernaut.gateway.signal.Signal.Resource("StatefulSet",
                "ledger-db", "payments", null)));
    }

    @Test
    void anRrWithoutStatusOrPhaseIsActive() {
        assertFalse(DedupRules.isTerminal(rr("a", FP, null, null, null)));
        RemediationRequest noPhase = rr("a", FP, null, null, null);
        noPhase.setStatus(new RemediationRequestStatus());
        assertFalse(DedupRules.isTerminal(noPhase));
    }

    @Test
    void fingerprintLabelIsTheFirst63Chars() {
        assertEquals(63, DedupRules.fingerprintLabelValue(FP).length());
        assertTrue(FP.startsWith(DedupRules.fingerprintLabelValue(FP)));
        assertTrue(DedupRules.isValidFingerprint(FP));
        assertFalse(DedupRules.isValidFingerprint(FP.toUpperCase()));
        assertFalse(DedupRules.isValidFingerprint(FP.substring(1)));
    }

    @Test
    void theFencedNameIsDerivedFromFingerprintAndPredecessor() throws Exception {
        String first = DedupRules.rrName(FP, null);
        String expected8 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest((FP + "|").getBytes(StandardCharsets.UTF_8))).substring(0, 8);
        assertEquals("rr-3f2a9c1d7b4e-" + expected8, first);
        assertEquals(first, DedupRules.rrName(FP, null), "deterministic");
        assertEquals(first, DedupRules.rrName(FP, ""), "no predecessor is the empty string");
        String next = DedupRules.rrName(FP, first);
        assertNotEquals(first, next);
        assertTrue(next.matches("rr-3f2a9c1d7b4e-[0-9a-f]{8}"));
        // pinned: the orchestrator's retention sweep computes the same successor (RetentionSweepTest)
        assertEquals("rr-3f2a9c1d7b4e-7508e47e", first);
        assertEquals("rr-3f2a9c1d7b4e-41da4831", next);
        assertTrue(next.length() <= 63);
    }

    @Test
    void viewIgnoresOtherFingerprintsSharingTheLabelPrefix() {
        String sibling = FP.substring(0, 63) + "0";
        var view = DedupRules.view(FP, List.of(rr("other", sibling, OverallPhase.PENDING, null, null)));
        assertFalse(view.hasActive());
        assertNull(view.predecessor());
    }

    @Test
    void viewPicksTheOldestActiveRr() {
        var newer = rr("b", FP, OverallPhase.BLOCKED, "2026-11-20T10:00:05Z", null);
        var older = rr("c", FP, null, "2026-11-20T10:00:01Z", null);
        var done = rr("a", FP, OverallPhase.COMPLETED, "2026-11-20T09:00:00Z", null);
        var view = DedupRules.view(FP, List.of(newer, done, older));
        assertSame(older, view.active());
        assertEquals(2, view.activeCount());
    }

    @Test
    void predecessorIsTheHeadOfTheSupersedesChainEvenWithinOneSecond() {
        // same creation second: the chain, not the clock, orders them
        var x = rr("rr-x", FP, OverallPhase.COMPLETED, "2026-11-20T10:00:00Z", null);
        var n1 = rr("rr-zzz", FP, OverallPhase.FAILED, "2026-11-20T10:00:00Z", "rr-x");
        var n2 = rr("rr-aaa", FP, OverallPhase.CANCELLED, "2026-11-20T10:00:00Z", "rr-zzz");
        var view = DedupRules.view(FP, List.of(n1, x, n2));
        assertFalse(view.hasActive());
        assertEquals("rr-aaa", view.predecessor());
    }

    @Test
    void predecessorFallsBackToTheNewestWhenTheChainIsBroken() {
        // two RRs nobody supersedes (one from before the chain existed): newest creation, then greatest name
        var legacy = rr("rr-legacy", FP, OverallPhase.COMPLETED, "2026-11-20T08:00:00Z", null);
        var head = rr("rr-head", FP, OverallPhase.COMPLETED, "2026-11-20T09:00:00Z", "rr-gone");
        assertEquals("rr-head", DedupRules.view(FP, List.of(legacy, head)).predecessor());
        assertEquals("rr-head", DedupRules.view(FP, List.of(head, legacy)).predecessor());
    }

    static RemediationRequest withDedup(Long count, String first, String last) {
        var r = rr("a", FP, OverallPhase.PROCESSING, "2026-11-20T10:00:00Z", null);
        Deduplication d = new Deduplication();
        d.setOccurrenceCount(count);
        d.setFirstSeenAt(first == null ? null : Instant.parse(first).atZone(ZoneOffset.UTC));
        d.setLastSeenAt(last == null ? null : Instant.parse(last).atZone(ZoneOffset.UTC));
        r.getStatus().setDeduplication(d);
        return r;
    }

    @Test
    void incrementAddsTheBatchToTheStoredCount() {
        var c = DedupRules.increment(withDedup(5L, "2026-11-20T10:00:00Z", "2026-11-20T10:01:00Z"), 3,
                Instant.parse("2026-11-20T10:00:30.500Z"), Instant.parse("2026-11-20T10:02:00.900Z"));
        assertEquals(5, c.before());
        assertEquals(8, c.after());
        assertEquals(Instant.parse("2026-11-20T10:00:00Z"), c.firstSeenAt());
        assertEquals(Instant.parse("2026-11-20T10:02:00Z"), c.lastSeenAt(), "whole seconds");
    }

    @Test
    void incrementCountsAMissingDeduplicationAsTheCreatorsOne() {
        var noStatus = rr("a", FP, null, "2026-11-20T10:00:00Z", null);
        noStatus.getSpec().setReceivedTime(Instant.parse("2026-11-20T09:59:59Z").atZone(ZoneOffset.UTC));
        var c = DedupRules.increment(noStatus, 2, Instant.parse("2026-11-20T10:00:01Z"),
                Instant.parse("2026-11-20T10:00:02Z"));
        assertEquals(1, c.before());
        assertEquals(3, c.after());
        assertEquals(Instant.parse("2026-11-20T09:59:59Z"), c.firstSeenAt(), "the creator's receivedTime");
        assertEquals(Instant.parse("2026-11-20T10:00:02Z"), c.lastSeenAt());
    }

    @Test
    void theInitialStatusNeverLowersACountDuplicatesRaisedFirst() {
        var raced = DedupRules.initial(withDedup(4L, "2026-11-20T10:00:05Z", "2026-11-20T10:00:09Z"),
                Instant.parse("2026-11-20T10:00:03Z"));
        assertEquals(4, raced.after());
        assertEquals(Instant.parse("2026-11-20T10:00:03Z"), raced.firstSeenAt());
        assertEquals(Instant.parse("2026-11-20T10:00:09Z"), raced.lastSeenAt());
        var fresh = DedupRules.initial(rr("a", FP, null, null, null), Instant.parse("2026-11-20T10:00:03Z"));
        assertEquals(1, fresh.after());
    }

    @Test
    void statusPatchIsAVersionGuardedMergeOfDeduplicationOnly() throws Exception {
        var c = new DedupRules.Counted(1, 4, Instant.parse("2026-11-20T10:00:00Z"), Instant.parse("2026-11-20T10:00:09Z"));
        JsonNode dup = new ObjectMapper().readTree(OccurrenceWriter.statusPatch("42", c, null));
        assertEquals("42", dup.at("/metadata/resourceVersion").asText());
        assertEquals(4, dup.at("/status/deduplication/occurrenceCount").asLong());
        assertEquals("2026-11-20T10:00:09Z", dup.at("/status/deduplication/lastSeenAt").asText());
        assertTrue(dup.at("/status/overallPhase").isMissingNode(), "a duplicate never touches the phase");
        assertEquals(List.of("deduplication"), iterable(dup.get("status").fieldNames()));

        JsonNode first = new ObjectMapper().readTree(OccurrenceWriter.statusPatch("7", c,
                Instant.parse("2026-11-20T10:00:01.250Z")));
        assertEquals("Pending", first.at("/status/overallPhase").asText());
        assertEquals("2026-11-20T10:00:01Z", first.at("/status/phaseStartedAt").asText());
    }

    static List<String> iterable(java.util.Iterator<String> it) {
        List<String> l = new java.util.ArrayList<>();
        it.forEachRemaining(l::add);
        return l;
    }
}
