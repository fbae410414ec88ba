package ai.kubernaut.orchestrator.retention;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Which terminal RRs (with their WFEs) a sweep may delete, and in which order: a pure function of what the sweep
 * listed and the time (ADR-052-002 and ADR-052-003, "Retention").
 *
 * <ul>
 * <li>An RR goes once it has been terminal for {@code retention} and carries the terminal label, together with its
 * WFEs (all terminal; an RR whose WFE still runs stays).</li>
 * <li>The <b>head</b> of each fingerprint (the RR the Gateway would name the next RR after: the one no other RR
 * supersedes, else the newest, the Gateway's own rule) stays until it has been terminal for {@code headRetention}
 * and is the last RR of its fingerprint. The other RRs of a fingerprint go <b>tail first</b>: an RR only after the
 * RR it supersedes, so what is left is always the newest part of the chain and no RR becomes "not superseded"
 * again, whatever the creation timestamps say.</li>
 * <li>The newest WFE of a target (highest sequence: the next WFE's name derives from it) stays until it finished
 * {@code headRetention} ago, no active RR is on its target and it is the last WFE of its target; its RR stays with
 * it.</li>
 * </ul>
 * The sweep re-checks at delete time what may have changed since the LIST ("the last of its fingerprint / target",
 * a successor created meanwhile), and every delete carries uid and resourceVersion preconditions.
 */
public final class RetentionPlan {

    /**
     * One RR and its WFEs, deleted together (WFEs first).
     *
     * @param head          the RR is its fingerprint's head (deleted only as the last one)
     * @param executions    its WFEs that are not their target's newest
     * @param headExecution its WFE that is its target's newest, deleted under the target Lease; null if none
     */
    public record Unit(Stored.Request request, boolean head, List<Stored.Execution> executions,
            Stored.Execution headExecution) {
    }

    /** The deletable RRs of one fingerprint, in the order they may go: tail first, the head last. */
    public record Chain(String fingerprint, List<Unit> units) {
    }

    /** The Gateway's order (DedupRules.OLDEST_FIRST): by creation time (unknown = newest), then by name. */
    static final Comparator<Stored.Request> OLDEST_FIRST = Comparator
            .comparing(Stored.Request::created, Comparator.nullsLast(Comparator.naturalOrder()))
            .thenComparing(Stored.Request::name);

    private RetentionPlan() {
    }

    /** The key RRs are grouped by: the fingerprint, or the RR's own name when it has none (its own chain). */
    public static String chainKey(Stored.Request rr) {
        return rr.fingerprint() != null ? rr.fingerprint() : "rr/" + rr.name();
    }

    /**
     * @param requests   every RR of the swept shards, terminal or not (context: heads, busy targets)
     * @param executions every WFE of the swept shards
     */
    public static List<Chain> plan(List<Stored.Request> requests, List<Stored.Execution> executions, Instant now,
            RetentionSettings settings) {
        if (!settings.deletesHistory()) {
            return List.of();
        }
        Map<String, Long> newestSequence = new HashMap<>();
        Map<String, List<Stored.Execution>> byRequest = new HashMap<>();
        for (Stored.Execution wfe : executions) {
            if (wfe.targetHash() != null && wfe.sequence() >= 0) {
                newestSequence.merge(wfe.targetHash(), wfe.sequence(), Math::max);
            }
            if (wfe.requestName() != null) {
                byRequest.computeIfAbsent(wfe.requestName(), k -> new ArrayList<>()).add(wfe);
            }
        }
        Set<String> busyTargets = new HashSet<>();
        Map<String, List<Stored.Request>> byChain = new LinkedHashMap<>();
        for (Stored.Request rr : requests) {
            if (!rr.terminal() && rr.targetKey() != null) {
                busyTargets.add(rr.targetKey());
            }
            byChain.computeIfAbsent(chainKey(rr), k -> new ArrayList<>()).add(rr);
        }
        Context context = new Context(now, settings, newestSequence, byRequest, busyTargets);
        List<Chain> chains = new ArrayList<>();
        byChain.forEach((key, rrs) -> {
            List<Unit> units = chain(rrs, context);
            if (!units.isEmpty()) {
                chains.add(new Chain(key, units));
            }
        });
        return chains;
    }

    private record Context(Instant now, RetentionSettings settings, Map<String, Long> newestSequence,
            Map<String, List<Stored.Execution>> byRequest, Set<String> busyTargets) {
    }

    private static List<Unit> chain(List<Stored.Request> rrs, Context context) {
        List<Stored.Request> oldestFirst = rrs.stream().sorted(OLDEST_FIRST).toList();
        String head = head(rrs);
        Set<String> remaining = new HashSet<>();
        rrs.forEach(rr -> remaining.add(rr.name()));
        List<Unit> units = new ArrayList<>();
        boolean progress = true;
        while (progress) {
            progress = false;
            for (Stored.Request rr : oldestFirst) {
                if (!remaining.contains(rr.name()) || rr.name().equals(head)
                        || (rr.supersedes() != null && remaining.contains(rr.supersedes()))
                        || !endedFor(rr, context.settings().retention(), context.now())) {
                    continue;
                }
                Unit unit = unit(rr, false, context);
                if (unit != null) {
                    units.add(unit);
                    remaining.remove(rr.name());
                    progress = true;
                }
            }
        }
        Stored.Request headRequest = rrs.stream().filter(rr -> rr.name().equals(head)).findFirst().orElseThrow();
        if (context.settings().deletesHeads() && remaining.size() == 1
                && endedFor(headRequest, context.settings().headRetention(), context.now())) {
            Unit unit = unit(headRequest, true, context);
            if (unit != null) {
                units.add(unit);
            }
        }
        return units;
    }

    /** Terminal, labelled so, and ended at least {@code age} before {@code now}. */
    private static boolean endedFor(Stored.Request rr, java.time.Duration age, Instant now) {
        return rr.terminal() && rr.labelledTerminal() && rr.terminalSince() != null
                && !rr.terminalSince().plus(age).isAfter(now);
    }

    /** The RR with its WFEs, or null when one of them keeps it (still running, or a head that must stay). */
    private static Unit unit(Stored.Request rr, boolean head, Context context) {
        List<Stored.Execution> plain = new ArrayList<>();
        Stored.Execution newest = null;
        for (Stored.Execution wfe : context.byRequest().getOrDefault(rr.name(), List.of())) {
            if (wfe.requestUid() != null && rr.uid() != null && !wfe.requestUid().equals(rr.uid())) {
                continue; // an earlier RR of the same name owned it: not this one's to take along
            }
            if (!wfe.terminal()) {
                return null;
            }
            if (wfe.sequence() >= 0 && Objects.equals(context.newestSequence().get(wfe.targetHash()), wfe.sequence())) {
                boolean expired = context.settings().deletesHeads() && wfe.finishedAt() != null
                        && !wfe.finishedAt().plus(context.settings().headRetention()).isAfter(context.now())
                        && !context.busyTargets().contains(wfe.targetKey());
                if (!expired) {
                    return null;
                }
                newest = wfe;
            } else {
                plain.add(wfe);
            }
        }
        return new Unit(rr, head, List.copyOf(plain), newest);
    }

    /**
     * The head of a fingerprint's RRs, by the Gateway's rule (DedupRules.chainHead): an RR no other listed RR
     * supersedes; if several, the newest by creation time, then the greatest name.
     */
    static String head(List<Stored.Request> rrs) {
        Set<String> superseded = new HashSet<>();
        rrs.forEach(rr -> {
            if (rr.supersedes() != null) {
                superseded.add(rr.supersedes());
            }
        });
        return rrs.stream().filter(rr -> !superseded.contains(rr.name())).max(OLDEST_FIRST)
                .or(() -> rrs.stream().max(OLDEST_FIRST)).map(Stored.Request::name).orElseThrow();
    }
}
