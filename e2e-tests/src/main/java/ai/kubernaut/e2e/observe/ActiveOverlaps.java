package ai.kubernaut.e2e.observe;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.Watcher;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Replays a {@link WatchLog} in order and finds every instant at which more than one object was active
 * for the same key: two active WFEs for one target, two active RRs for one fingerprint.
 */
public final class ActiveOverlaps {

    /** An instant at which {@code activeNames} were all active for {@code key}. */
    public record Overlap(long eventSeq, String key, Set<String> activeNames) {
        @Override
        public String toString() {
            return "at event " + eventSeq + ": " + key + " had " + activeNames.size() + " active: " + activeNames;
        }
    }

    /** The result of a replay. */
    public record Report(List<Overlap> overlaps, int maxActivePerKey, int keys, int objects, Set<String> stillActive) {
    }

    private ActiveOverlaps() {
    }

    public static Report replay(List<WatchLog.Event> events, Function<GenericKubernetesResource, String> key,
                                Predicate<GenericKubernetesResource> active) {
        Map<String, String> keyOf = new HashMap<>();
        Map<String, Set<String>> activeByKey = new HashMap<>();
        Set<String> objects = new LinkedHashSet<>();
        List<Overlap> overlaps = new ArrayList<>();
        int max = 0;
        for (WatchLog.Event e : events) {
            String name = e.name();
            objects.add(name);
            String k = key.apply(e.object());
            keyOf.put(name, k);
            Set<String> set = activeByKey.computeIfAbsent(k, x -> new LinkedHashSet<>());
            if (e.action() == Watcher.Action.DELETED || !active.test(e.object())) {
                set.remove(name);
            } else {
                set.add(name);
            }
            max = Math.max(max, set.size());
            if (set.size() > 1) {
                overlaps.add(new Overlap(e.seq(), k, Set.copyOf(set)));
            }
        }
        Set<String> stillActive = new LinkedHashSet<>();
        activeByKey.values().forEach(stillActive::addAll);
        return new Report(overlaps, max, activeByKey.size(), objects.size(), stillActive);
    }

    public static Report wfesPerTarget(WatchLog wfes) {
        return replay(wfes.events(), KubernautObjects::wfeTarget, KubernautObjects::wfeActive);
    }

    public static Report rrsPerFingerprint(WatchLog rrs) {
        return replay(rrs.events(), KubernautObjects::fingerprint, KubernautObjects::rrActive);
    }
}
