package ai.kubernaut.e2e.observe;

import io.fabric8.kubernetes.client.Watcher;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How long RemediationRequests waited for their orchestrator while the replica that owned their target stopped,
 * replayed from an RR and a WFE {@link WatchLog} (merged by receipt time).
 *
 * <p>An RR <em>waits for its orchestrator</em> while the next step is the orchestrator's: it is new or
 * {@code Pending} or {@code Analyzing} (to be routed: a WFE to create, or a block to write), or {@code Executing}
 * with its WFE ended (to be completed). It stops waiting at the orchestrator's next <em>progress</em> for it: a
 * change of its phase, or its WFE created. While {@code Executing} with its WFE running, or {@code Blocked}, it waits
 * for something else (the executor, another RR).
 *
 * <p>For a {@link Stop} (a replica sent SIGTERM at {@code sigtermNanos}, owning {@code shards} at that moment by its
 * own view, its targets handed over by {@code handedOverNanos}), every wait of an RR on one of those shards that was
 * under way at SIGTERM or began before the hand-over counts, from the later of its start and SIGTERM until its
 * progress (or until {@code endNanos} if it never came).
 */
public final class OwnerStopWaits {

    /** A replica that stopped: when, which shards it owned then, and when its targets had been handed over. */
    public record Stop(String pod, long sigtermNanos, long handedOverNanos, Set<String> shards) {
    }

    /**
     * One wait of an RR on a stopped replica's shard.
     *
     * @param waitedFor  what the orchestrator had to do: {@code route} (new, Pending, Analyzing) or {@code complete}
     * @param fromNanos  when the wait began (it counts from the SIGTERM if it began earlier)
     * @param untilNanos when the orchestrator's progress came, -1 if it never did
     */
    public record Wait(Stop stop, String rr, String shard, String waitedFor, long fromNanos, long untilNanos, long countedNanos) {

        public boolean progressed() {
            return untilNanos >= 0;
        }

        @Override
        public String toString() {
            return String.format("%s (shard %s) waited %d ms to %s: from %+d ms to %s after %s's SIGTERM", rr, shard,
                    countedNanos / 1_000_000, waitedFor, (fromNanos - stop.sigtermNanos) / 1_000_000,
                    progressed() ? String.format("%+d ms", (untilNanos - stop.sigtermNanos) / 1_000_000) : "never",
                    stop.pod);
        }
    }

    private record Interval(String rr, String shard, String waitedFor, long from, long until) {
    }

    private static final class RrState {
        boolean exists;
        String phase = "";
        String shard = "";
        String wfe;
        boolean wfeEnded;
        long since = -1;
        String waitedFor;

        boolean waiting() {
            if (!exists || KubernautObjects.TERMINAL_RR_PHASES.contains(phase)) {
                return false;
            }
            return route() || (phase.equals("Executing") && wfe != null && wfeEnded);
        }

        boolean route() {
            return phase.isEmpty() || phase.equals("Pending") || phase.equals("Analyzing");
        }
    }

    private record Tagged(WatchLog.Event event, boolean isRr, int stream) {
    }

    private OwnerStopWaits() {
    }

    /** Every counted wait of every stop, longest first. */
    public static List<Wait> waits(List<WatchLog.Event> rrEvents, List<WatchLog.Event> wfeEvents, List<Stop> stops,
                                   long endNanos) {
        List<Interval> intervals = intervals(rrEvents, wfeEvents);
        List<Wait> waits = new ArrayList<>();
        for (Stop stop : stops) {
            for (Interval i : intervals) {
                if (!stop.shards().contains(i.shard()) || i.from() > stop.handedOverNanos()
                        || (i.until() >= 0 && i.until() < stop.sigtermNanos())) {
                    continue;
                }
                long counted = (i.until() < 0 ? endNanos : i.until()) - Math.max(i.from(), stop.sigtermNanos());
                waits.add(new Wait(stop, i.rr(), i.shard(), i.waitedFor(), i.from(), i.until(), counted));
            }
        }
        waits.sort(Comparator.comparingLong(Wait::countedNanos).reversed());
        return waits;
    }

    private static List<Interval> intervals(List<WatchLog.Event> rrEvents, List<WatchLog.Event> wfeEvents) {
        List<Tagged> merged = new ArrayList<>();
        rrEvents.forEach(e -> merged.add(new Tagged(e, true, 0)));
        wfeEvents.forEach(e -> merged.add(new Tagged(e, false, 1)));
        // each stream is in the server's order already; across the two, by receipt time
        merged.sort(Comparator.comparingLong((Tagged t) -> t.event().atNanos()).thenComparingInt(Tagged::stream)
                .thenComparingLong(t -> t.event().seq()));
        Map<String, RrState> rrs = new HashMap<>();
        List<Interval> intervals = new ArrayList<>();
        for (Tagged t : merged) {
            WatchLog.Event e = t.event();
            long at = e.atNanos();
            RrState rr;
            boolean progress;
            boolean wasWaiting;
            if (t.isRr()) {
                rr = rrs.computeIfAbsent(e.name(), n -> new RrState());
                wasWaiting = rr.waiting();
                String before = rr.phase;
                boolean existed = rr.exists;
                rr.exists = e.action() != Watcher.Action.DELETED;
                rr.phase = KubernautObjects.rrPhase(e.object());
                String label = e.object().getMetadata().getLabels() == null ? null
                        : e.object().getMetadata().getLabels().get("kubernaut.ai/shard");
                rr.shard = label == null ? "" : label;
                progress = !existed || !rr.exists || !before.equals(rr.phase);
            } else {
                String owner = KubernautObjects.wfeRemediationRequest(e.object());
                rr = rrs.computeIfAbsent(owner, n -> new RrState());
                wasWaiting = rr.waiting();
                progress = rr.wfe == null && e.action() != Watcher.Action.DELETED; // its WFE created
                rr.wfe = e.name();
                rr.wfeEnded = e.action() == Watcher.Action.DELETED || !KubernautObjects.wfeActive(e.object());
            }
            String name = t.isRr() ? e.name() : KubernautObjects.wfeRemediationRequest(e.object());
            boolean nowWaiting = rr.waiting();
            if (wasWaiting && (progress || !nowWaiting)) {
                intervals.add(new Interval(name, rr.shard, rr.waitedFor, rr.since, at));
                rr.since = -1;
            }
            if (nowWaiting && rr.since < 0) {
                rr.since = at;
                rr.waitedFor = rr.route() ? "be routed" : "be completed";
            }
        }
        rrs.forEach((name, rr) -> {
            if (rr.since >= 0) {
                intervals.add(new Interval(name, rr.shard, rr.waitedFor, rr.since, -1));
            }
        });
        return intervals;
    }
}
