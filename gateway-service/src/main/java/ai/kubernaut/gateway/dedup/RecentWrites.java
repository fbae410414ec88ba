package ai.kubernaut.gateway.dedup;

import ai.kubernaut.gateway.model.RemediationRequest;
import ai.kubernaut.gateway.model.remediationrequeststatus.Deduplication;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The RRs this replica itself just created, read or wrote, kept for a short while: the watch delivers them a few
 * milliseconds later, and a request queued behind the creator of its fingerprint should see the RR without a Lease
 * call. Merged with the view by progress, never by resourceVersion (opaque): a terminal copy beats an active one, a
 * higher occurrence count beats a lower one, ties go to the view.
 */
final class RecentWrites {

    private record Entry(RemediationRequest rr, long atNanos) {
    }

    private final Map<String, Map<String, Entry>> byFingerprint = new ConcurrentHashMap<>();
    private final long ttlNanos;
    private final LongSupplier nanoClock;
    private final java.util.concurrent.atomic.AtomicLong writes = new java.util.concurrent.atomic.AtomicLong();

    RecentWrites(Duration ttl, LongSupplier nanoClock) {
        this.ttlNanos = ttl.toNanos();
        this.nanoClock = nanoClock;
    }

    void remember(RemediationRequest rr) {
        if (rr == null || rr.getSpec() == null || rr.getSpec().getSignalFingerprint() == null) {
            return;
        }
        RemediationRequest slim = InformerView.slim(rr);
        byFingerprint.computeIfAbsent(rr.getSpec().getSignalFingerprint(), k -> new ConcurrentHashMap<>())
                .merge(slim.getMetadata().getName(), new Entry(slim, nanoClock.getAsLong()),
                        (old, now) -> progress(now.rr()) >= progress(old.rr()) ? now : old);
        if (writes.incrementAndGet() % 1024 == 0) {
            sweep(); // fingerprints never looked up again would otherwise stay
        }
    }

    private void sweep() {
        long now = nanoClock.getAsLong();
        byFingerprint.values().forEach(m -> m.values().removeIf(e -> now - e.atNanos() > ttlNanos));
        byFingerprint.values().removeIf(Map::isEmpty);
    }

    void forget(String fingerprint, String name) {
        Map<String, Entry> m = byFingerprint.get(fingerprint);
        if (m != null) {
            m.remove(name);
        }
    }

    /**
     * The view's RRs of a fingerprint with the recent ones merged in; drops expired entries on the way. A recent copy of
     * an RR the view knows is terminal but does not return (a view keeps only the head of a fingerprint's terminal
     * chain) is left out: terminal is final, so that copy is stale. Without
     * this, our own copy of an RR written before it turned terminal and was superseded by a newer terminal head came
     * back as active for the rest of its TTL (seen after an API server restart: "2 active, counting on the oldest").
     */
    List<RemediationRequest> merge(String fingerprint, List<RemediationRequest> fromView,
            java.util.function.Predicate<String> viewKnowsTerminal) {
        Map<String, Entry> mine = byFingerprint.get(fingerprint);
        if (mine == null) {
            return fromView;
        }
        long now = nanoClock.getAsLong();
        mine.values().removeIf(e -> now - e.atNanos() > ttlNanos);
        if (mine.isEmpty()) {
            byFingerprint.remove(fingerprint, mine);
            return fromView;
        }
        Map<String, RemediationRequest> merged = new LinkedHashMap<>();
        fromView.forEach(rr -> merged.put(rr.getMetadata().getName(), rr));
        for (Entry e : mine.values()) {
            String name = e.rr().getMetadata().getName();
            if (!merged.containsKey(name) && viewKnowsTerminal.test(name)) {
                continue;
            }
            merged.merge(name, e.rr(), (viewCopy, recent) -> progress(recent) > progress(viewCopy) ? recent : viewCopy);
        }
        return new ArrayList<>(merged.values());
    }

    /** Fingerprints with entries (bounded by the TTL). */
    int size() {
        return byFingerprint.size();
    }

    /** Monotonic along an RR's life: occurrences only grow, terminal is final. */
    static long progress(RemediationRequest rr) {
        Deduplication d = rr.getStatus() == null ? null : rr.getStatus().getDeduplication();
        long count = d == null || d.getOccurrenceCount() == null ? 0 : d.getOccurrenceCount();
        return (DedupRules.isTerminal(rr) ? Long.MIN_VALUE >>> 1 : 0) + count;
    }
}
