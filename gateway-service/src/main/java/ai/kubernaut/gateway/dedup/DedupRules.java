package ai.kubernaut.gateway.dedup;

import ai.kubernaut.gateway.fingerprint.Fingerprints;
import ai.kubernaut.gateway.model.RemediationRequest;
import ai.kubernaut.gateway.model.RemediationRequestStatus;
import ai.kubernaut.gateway.model.RemediationRequestStatus.OverallPhase;
import ai.kubernaut.gateway.model.remediationrequeststatus.Deduplication;
import ai.kubernaut.gateway.signal.Signal;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** The deduplication rules (DD-GATEWAY-011, status-based) and the fenced RR name, as pure functions. */
public final class DedupRules {

    public static final String FINGERPRINT_LABEL = "kubernaut.ai/fingerprint";
    /** Names the terminal RR this one succeeds; the input of the fenced name (see the gateway ADR). */
    public static final String SUPERSEDES_ANNOTATION = "kubernaut.ai/supersedes";
    /** A per-create random token: lets a creator recognise its own RR after an ambiguous (timed out) create. */
    public static final String CREATION_TOKEN_ANNOTATION = "kubernaut.ai/creation-token";
    /**
     * The RemediationOrchestrator's shard of the RR's target: replicas of the orchestrator watch only the RRs of
     * the shards they own (ADR-052-003, addendum), so an RR labelled at creation needs no extra write there.
     */
    public static final String SHARD_LABEL = "kubernaut.ai/shard";
    public static final Map<String, String> GATEWAY_LABELS = Map.of(
            "app.kubernetes.io/managed-by", "gateway-service",
            "app.kubernetes.io/component", "remediation");

    static final Set<OverallPhase> TERMINAL = EnumSet.of(OverallPhase.COMPLETED, OverallPhase.FAILED,
            OverallPhase.TIMEDOUT, OverallPhase.SKIPPED, OverallPhase.CANCELLED);
    private static final Pattern FINGERPRINT = Pattern.compile("^[a-f0-9]{64}$");

    private DedupRules() {
    }

    public static boolean isValidFingerprint(String fp) {
        return fp != null && FINGERPRINT.matcher(fp).matches();
    }

    /** Label values are capped at 63 characters: the label carries a prefix, readers confirm the spec. */
    public static String fingerprintLabelValue(String fingerprint) {
        return fingerprint.length() <= 63 ? fingerprint : fingerprint.substring(0, 63);
    }

    /**
     * The first two hex digits of {@code sha256("namespace/Kind/name")} ({@code "Kind/name"} when cluster-scoped):
     * the target string of the orchestrator's WorkflowExecutions, whose shard function this must equal (both
     * modules pin the same vectors in their tests).
     */
    public static String shardOf(Signal.Resource resource) {
        String key = resource.namespace().isEmpty() ? resource.kind() + "/" + resource.name()
                : resource.namespace() + "/" + resource.kind() + "/" + resource.name();
        return Fingerprints.sha256Hex(key).substring(0, 2);
    }

    /** Terminal: Completed, Failed, TimedOut, Skipped, Cancelled. No status yet, or any other phase: active. */
    public static boolean isTerminal(RemediationRequest rr) {
        RemediationRequestStatus s = rr.getStatus();
        return s != null && s.getOverallPhase() != null && TERMINAL.contains(s.getOverallPhase());
    }

    /**
     * The fenced RR name: {@code rr-<first 12 of fp>-<8 hex of sha256(fp + "|" + predecessor or "")>}. Every
     * creator that saw the same RRs for the fingerprint computes the same name, so only one create succeeds.
     */
    public static String rrName(String fingerprint, String predecessor) {
        String input = fingerprint + "|" + (predecessor == null ? "" : predecessor);
        return "rr-" + fingerprint.substring(0, 12) + "-" + Fingerprints.sha256Hex(input).substring(0, 8);
    }

    /** What the RRs of one fingerprint say: the active one (if any) and the predecessor of a new one. */
    public record View(RemediationRequest active, String predecessor, int activeCount) {
        public boolean hasActive() {
            return active != null;
        }
    }

    /**
     * Reads the RRs listed for a fingerprint (they may include others: a label prefix, or a server that ignored
     * the selector): keeps those whose {@code spec.signalFingerprint} equals it; the active one is the oldest
     * non-terminal; the predecessor of a new RR is the head of the supersedes chain among terminal ones.
     */
    public static View view(String fingerprint, List<RemediationRequest> listed) {
        List<RemediationRequest> mine = listed.stream()
                .filter(rr -> rr.getSpec() != null && fingerprint.equals(rr.getSpec().getSignalFingerprint()))
                .toList();
        List<RemediationRequest> active = mine.stream().filter(rr -> !isTerminal(rr)).sorted(OLDEST_FIRST).toList();
        if (!active.isEmpty()) {
            return new View(active.get(0), null, active.size());
        }
        return new View(null, chainHead(mine), 0);
    }

    /**
     * The newest RR of the chain: one no other RR supersedes. The chain is built by creates under the lock, so
     * normally exactly one such RR exists. If several do (RRs from before this rule, a deleted link), the newest
     * by creation time, then the greatest name: any deterministic choice keeps creators agreeing.
     */
    static String chainHead(List<RemediationRequest> rrs) {
        if (rrs.isEmpty()) {
            return null;
        }
        Set<String> superseded = new java.util.HashSet<>();
        for (RemediationRequest rr : rrs) {
            Map<String, String> ann = rr.getMetadata().getAnnotations();
            if (ann != null && ann.get(SUPERSEDES_ANNOTATION) != null) {
                superseded.add(ann.get(SUPERSEDES_ANNOTATION));
            }
        }
        return rrs.stream().filter(rr -> !superseded.contains(rr.getMetadata().getName()))
                .max(OLDEST_FIRST).or(() -> rrs.stream().max(OLDEST_FIRST))
                .map(rr -> rr.getMetadata().getName()).orElse(null);
    }

    static final Comparator<RemediationRequest> OLDEST_FIRST = Comparator
            .comparing((RemediationRequest rr) -> created(rr), Comparator.nullsLast(Comparator.naturalOrder()))
            .thenComparing(rr -> rr.getMetadata().getName());

    private static Instant created(RemediationRequest rr) {
        String ts = rr.getMetadata().getCreationTimestamp();
        try {
            return ts == null ? null : Instant.parse(ts);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The deduplication block after adding {@code n} occurrences, the latest seen at {@code lastSeen}. */
    public static Counted increment(RemediationRequest rr, int n, Instant firstOfBatch, Instant lastOfBatch) {
        Deduplication d = rr.getStatus() == null ? null : rr.getStatus().getDeduplication();
        // no deduplication yet: the creator has not written its status, its occurrence is the 1
        long before = d == null || d.getOccurrenceCount() == null ? 1 : d.getOccurrenceCount();
        Instant first = min(instant(d == null ? null : d.getFirstSeenAt()), defaultFirstSeen(rr, firstOfBatch));
        Instant last = max(instant(d == null ? null : d.getLastSeenAt()), lastOfBatch);
        return new Counted(before, before + n, first, last);
    }

    /**
     * The creator's initial deduplication merged with whatever is there: never lowers a count another writer
     * already raised (that count includes the creator's occurrence, see {@link #increment}).
     */
    public static Counted initial(RemediationRequest rr, Instant receivedAt) {
        Deduplication d = rr.getStatus() == null ? null : rr.getStatus().getDeduplication();
        long count = d == null || d.getOccurrenceCount() == null ? 1 : Math.max(1, d.getOccurrenceCount());
        Instant first = min(instant(d == null ? null : d.getFirstSeenAt()), truncate(receivedAt));
        Instant last = max(instant(d == null ? null : d.getLastSeenAt()), truncate(receivedAt));
        return new Counted(count, count, first, last);
    }

    /**
     * @param before the count before this write (occurrence i of the batch gets {@code before + i})
     * @param after  the count written
     */
    public record Counted(long before, long after, Instant firstSeenAt, Instant lastSeenAt) {
    }

    private static Instant defaultFirstSeen(RemediationRequest rr, Instant fallback) {
        if (rr.getSpec() != null && rr.getSpec().getReceivedTime() != null) {
            return rr.getSpec().getReceivedTime().toInstant();
        }
        Instant created = created(rr);
        return truncate(created != null ? created : fallback);
    }

    /** Status timestamps are whole seconds (the model's date-time format). */
    public static Instant truncate(Instant i) {
        return i == null ? null : i.truncatedTo(ChronoUnit.SECONDS);
    }

    private static Instant instant(ZonedDateTime z) {
        return z == null ? null : z.toInstant();
    }

    private static Instant min(Instant a, Instant b) {
        return a == null ? truncate(b) : b == null ? a : a.isBefore(b) ? a : truncate(b);
    }

    private static Instant max(Instant a, Instant b) {
        return a == null ? truncate(b) : b == null ? a : a.isAfter(b) ? a : truncate(b);
    }
}
