package ai.kubernaut.e2e.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.Watcher.Action;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The owner-stop waits replayed from hand-made watch histories (times in ms, as nanoseconds / 1e6). */
class OwnerStopWaitsTest {

    private final List<WatchLog.Event> rrs = new ArrayList<>();
    private final List<WatchLog.Event> wfes = new ArrayList<>();

    private static long ms(long ms) {
        return ms * 1_000_000;
    }

    private void rr(long atMs, Action action, String name, String shard, String phase) {
        GenericKubernetesResource rr = new GenericKubernetesResource();
        rr.setApiVersion(KubernautObjects.API_VERSION);
        rr.setKind(KubernautObjects.RR_KIND);
        rr.setMetadata(new ObjectMetaBuilder().withName(name).addToLabels("kubernaut.ai/shard", shard).build());
        if (!phase.isEmpty()) {
            rr.setAdditionalProperty("status", Map.of("overallPhase", phase));
        }
        rrs.add(new WatchLog.Event(rrs.size(), ms(atMs), action, rr));
    }

    private void wfe(long atMs, Action action, String name, String rr, String phase) {
        GenericKubernetesResource wfe = new GenericKubernetesResource();
        wfe.setApiVersion(KubernautObjects.API_VERSION);
        wfe.setKind(KubernautObjects.WFE_KIND);
        wfe.setMetadata(new ObjectMetaBuilder().withName(name).build());
        wfe.setAdditionalProperty("spec", Map.of("remediationRequestRef", Map.of("name", rr)));
        if (!phase.isEmpty()) {
            wfe.setAdditionalProperty("status", Map.of("phase", phase));
        }
        wfes.add(new WatchLog.Event(wfes.size(), ms(atMs), action, wfe));
    }

    /** A whole life: routed, executed, completed. */
    private void life(String name, String shard, long created, long analyzing, long wfeAdded, long executing,
                      long wfeDone, long completed) {
        rr(created, Action.ADDED, name, shard, "");
        rr(analyzing, Action.MODIFIED, name, shard, "Analyzing");
        wfe(wfeAdded, Action.ADDED, "wfe-" + name, name, "");
        rr(executing, Action.MODIFIED, name, shard, "Executing");
        wfe(wfeDone, Action.MODIFIED, "wfe-" + name, name, "Completed");
        rr(completed, Action.MODIFIED, name, shard, "Completed");
    }

    @Test
    void waitsOfTheStoppedOwnersTargetsCountFromItsSigtermUntilTheOrchestratorsNextStep() {
        OwnerStopWaits.Stop stop = new OwnerStopWaits.Stop("ro-0", ms(1000), ms(3000), Set.of("01"));
        // pending at SIGTERM: analyzing since 150, its WFE only at 2500 -> 1500 ms counted from the SIGTERM
        life("a", "01", 100, 150, 2500, 2510, 2800, 2850);
        // another owner's shard: not counted, however long
        life("b", "02", 100, 150, 9000, 9010, 9500, 9600);
        // created after the hand-over: not counted
        life("c", "01", 4000, 4050, 4100, 4110, 4600, 4700);
        // its WFE ended during the stop, the RR completed 900 ms later
        life("d", "01", 0, 10, 20, 30, 1200, 2100);
        // created during the stop and never routed: counted until the end of the replay
        rr(2000, Action.ADDED, "e", "01", "");
        // done before the SIGTERM: not counted
        life("f", "01", 0, 10, 20, 30, 500, 600);

        List<OwnerStopWaits.Wait> waits = OwnerStopWaits.waits(rrs, wfes, List.of(stop), ms(10_000));
        assertEquals(List.of("e be routed 8000 never", "a be routed 1500 2500", "d be completed 900 2100",
                        "a be completed 50 2850", "a be routed 10 2510"),
                waits.stream().map(w -> w.rr() + " " + w.waitedFor() + " " + w.countedNanos() / 1_000_000 + " "
                        + (w.progressed() ? Long.toString(w.untilNanos() / 1_000_000) : "never")).toList());
    }
}
