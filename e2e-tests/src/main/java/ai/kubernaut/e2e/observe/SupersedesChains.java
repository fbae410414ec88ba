package ai.kubernaut.e2e.observe;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Reads, from the RRs as they are stored at the end of a run, what the Gateway's creates left behind for each
 * fingerprint: one chain. The Gateway creates an RR only when the fingerprint has no active one, and the new RR names
 * the terminal RR it succeeds ({@code kubernaut.ai/supersedes}; its name is derived from that predecessor, so two
 * creators that saw the same RRs collide with 409). Two RRs of one fingerprint active at once would leave a second
 * root, a fork, or a successor created before its predecessor was terminal.
 *
 * <p>This needs no watch, so it holds across API server restarts and observer gaps; its limit is the timestamps'
 * resolution: Kubernetes writes {@code creationTimestamp} and the orchestrator {@code status.phaseStartedAt} in whole
 * seconds, so a successor created less than a second before its predecessor turned terminal is not told from one
 * created just after. A watch replay ({@link ActiveOverlaps}) sees those, outside its gaps.
 */
public final class SupersedesChains {

    private SupersedesChains() {
    }

    /** Every violation found, one line each (empty: every fingerprint's RRs form one well-ordered chain). */
    public static List<String> problems(List<GenericKubernetesResource> rrs) {
        List<String> problems = new ArrayList<>();
        Map<String, List<GenericKubernetesResource>> byFingerprint = rrs.stream()
                .collect(Collectors.groupingBy(KubernautObjects::fingerprint, TreeMap::new, Collectors.toList()));
        byFingerprint.forEach((fingerprint, mine) -> {
            String fp = fingerprint.length() > 12 ? fingerprint.substring(0, 12) : fingerprint;
            Map<String, GenericKubernetesResource> byName = new HashMap<>();
            mine.forEach(rr -> byName.put(rr.getMetadata().getName(), rr));
            List<String> roots = mine.stream().filter(rr -> KubernautObjects.supersedes(rr) == null)
                    .map(rr -> rr.getMetadata().getName()).sorted().toList();
            if (roots.size() != 1) {
                problems.add(fp + ": " + roots.size() + " RRs supersede none (one chain has exactly one first RR): " + roots);
            }
            Map<String, List<String>> successors = new TreeMap<>();
            for (GenericKubernetesResource rr : mine) {
                String name = rr.getMetadata().getName();
                String predecessor = KubernautObjects.supersedes(rr);
                if (predecessor == null) {
                    continue;
                }
                successors.computeIfAbsent(predecessor, k -> new ArrayList<>()).add(name);
                GenericKubernetesResource before = byName.get(predecessor);
                if (before == null) {
                    problems.add(fp + ": " + name + " supersedes " + predecessor + ", not an RR of its fingerprint");
                    continue;
                }
                if (KubernautObjects.rrActive(before)) {
                    problems.add(fp + ": " + name + " supersedes " + predecessor + ", which is still "
                            + KubernautObjects.rrPhase(before));
                    continue;
                }
                Instant created = seconds(rr.getMetadata().getCreationTimestamp());
                Instant predecessorEnded = seconds(KubernautObjects.phaseStartedAt(before));
                if (created != null && predecessorEnded != null && created.isBefore(predecessorEnded)) {
                    problems.add(fp + ": " + name + " created at " + created + ", before its predecessor " + predecessor
                            + " turned " + KubernautObjects.rrPhase(before) + " at " + predecessorEnded);
                }
            }
            successors.forEach((predecessor, names) -> {
                if (names.size() > 1) {
                    problems.add(fp + ": " + predecessor + " superseded by " + names.size() + " RRs: " + names);
                }
            });
        });
        return problems;
    }

    private static Instant seconds(String timestamp) {
        try {
            return timestamp == null || timestamp.isEmpty() ? null
                    : Instant.parse(timestamp).truncatedTo(ChronoUnit.SECONDS);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
