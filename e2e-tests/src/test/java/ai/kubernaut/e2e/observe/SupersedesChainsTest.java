package ai.kubernaut.e2e.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

class SupersedesChainsTest {

    private static final String FP = "a".repeat(64);
    private static final String OTHER = "b".repeat(64);

    private static GenericKubernetesResource rr(String name, String fingerprint, String supersedes, String created,
                                                String phase, String phaseStartedAt) {
        GenericKubernetesResource rr = new GenericKubernetesResource();
        ObjectMetaBuilder meta = new ObjectMetaBuilder().withName(name).withCreationTimestamp(created);
        if (supersedes != null) {
            meta.addToAnnotations(KubernautObjects.SUPERSEDES_ANNOTATION, supersedes);
        }
        rr.setMetadata(meta.build());
        rr.setAdditionalProperty("spec", Map.of("signalFingerprint", fingerprint));
        rr.setAdditionalProperty("status", Map.of("overallPhase", phase, "phaseStartedAt", phaseStartedAt));
        return rr;
    }

    @Test
    void oneWellOrderedChainPerFingerprintHasNoProblem() {
        List<GenericKubernetesResource> rrs = List.of(
                rr("a1", FP, null, "2026-01-01T00:00:00Z", "Completed", "2026-01-01T00:00:02Z"),
                rr("a2", FP, "a1", "2026-01-01T00:00:02Z", "Completed", "2026-01-01T00:00:05Z"),
                rr("a3", FP, "a2", "2026-01-01T00:00:07Z", "Executing", "2026-01-01T00:00:08Z"),
                rr("b1", OTHER, null, "2026-01-01T00:00:01Z", "Completed", "2026-01-01T00:00:03Z"));
        assertEquals(List.of(), SupersedesChains.problems(rrs));
    }

    @Test
    void aSecondRootAForkAnActivePredecessorAndAnEarlySuccessorAreEachNamed() {
        List<GenericKubernetesResource> rrs = List.of(
                rr("a1", FP, null, "2026-01-01T00:00:00Z", "Completed", "2026-01-01T00:00:04Z"),
                rr("a2", FP, "a1", "2026-01-01T00:00:02Z", "Completed", "2026-01-01T00:00:05Z"),
                rr("a3", FP, "a1", "2026-01-01T00:00:06Z", "Executing", "2026-01-01T00:00:06Z"),
                rr("a4", FP, "a3", "2026-01-01T00:00:07Z", "Pending", "2026-01-01T00:00:07Z"),
                rr("a5", FP, null, "2026-01-01T00:00:08Z", "Pending", "2026-01-01T00:00:08Z"));
        List<String> problems = SupersedesChains.problems(rrs);
        assertEquals(4, problems.size(), String.join("\n", problems));
        assertTrue(problems.stream().anyMatch(p -> p.contains("2 RRs supersede none")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.contains("a1 superseded by 2 RRs")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.contains("a4 supersedes a3, which is still Executing")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.contains("a2 created at") && p.contains("before its predecessor a1")),
                problems.toString());
    }
}
