package ai.kubernaut.orchestrator.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.orchestrator.catalog.WorkflowSelection;
import ai.kubernaut.orchestrator.model.RemediationRequest;
import ai.kubernaut.orchestrator.model.RemediationRequestStatus.OverallPhase;
import ai.kubernaut.orchestrator.model.WorkflowExecution;
import ai.kubernaut.orchestrator.model.WorkflowExecutionStatus.Phase;
import ai.kubernaut.orchestrator.routing.RoutingPolicy;
import ai.kubernaut.orchestrator.target.Target;
import ai.kubernaut.orchestrator.testing.Fixtures;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The WFE cache keeps of a target's history only what routing reads, yet routing decides from it as from every
 * WFE of the target: adopt, busy, cooldown and the next sequence alike, whatever order a list delivers them in.
 */
class ExecutionStoreTest {

    static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    static final Target TARGET = new Target("shop", "Deployment", "payments");
    static final List<String> WORKFLOWS = List.of("restart", "scale-up", "rollback");

    static WorkflowExecution wfe(long sequence, String workflow, Phase phase, Instant completed) {
        WorkflowExecution wfe = Fixtures.execution(WorkflowExecutions.name(TARGET, sequence), TARGET, TARGET.key(),
                workflow, "rr-" + sequence, "uid-" + sequence, phase, completed);
        wfe.getMetadata().setNamespace("ns");
        wfe.getSpec().setParameters(Map.of("replicas", "3"));
        return wfe;
    }

    @Test
    void routingDecidesFromTheKeptWfesAsFromEveryWfeOfTheTarget() {
        for (int run = 0; run < 300; run++) {
            Random random = new Random(run);
            List<WorkflowExecution> all = new ArrayList<>();
            int length = 1 + random.nextInt(30);
            for (long seq = 1; seq <= length; seq++) {
                boolean active = seq > length - 2 && random.nextInt(3) == 0;
                Instant completed = active || random.nextInt(10) == 0 ? null
                        : NOW.minusSeconds(random.nextInt(4 * 3600));
                all.add(wfe(seq, WORKFLOWS.get(random.nextInt(3)), active ? Phase.RUNNING
                        : random.nextBoolean() ? Phase.COMPLETED : Phase.FAILED, completed));
            }
            ExecutionStore store = new ExecutionStore();
            List<WorkflowExecution> listOrder = new ArrayList<>(all);
            Collections.shuffle(listOrder, random);
            listOrder.forEach(w -> store.put(store.getKey(w), w));
            List<WorkflowExecution> kept = store.byIndex(ExecutionStore.BY_TARGET_HASH, TARGET.hash());

            for (String workflow : WORKFLOWS) {
                for (Duration cooldown : List.of(Duration.ZERO, Duration.ofMinutes(5), Duration.ofHours(1),
                        Duration.ofHours(6))) {
                    WorkflowSelection selection = new WorkflowSelection(workflow, null, null, null, null, Map.of(),
                            Optional.of(cooldown));
                    // a new RR, and one whose WFE (the last) is kept while it runs or as the highest sequence
                    for (RemediationRequest rr : List.of(request("rr-new", "uid-new"),
                            request("rr-" + length, "uid-" + length))) {
                        String what = "run " + run + " " + workflow + " " + cooldown + " " + rr.getMetadata()
                                .getName();
                        assertEquals(RoutingPolicy.decide(rr, TARGET, selection, List.of(rr), all, NOW, cooldown),
                                RoutingPolicy.decide(rr, TARGET, selection, List.of(rr), kept, NOW, cooldown), what);
                    }
                }
            }
            long terminal = kept.stream().filter(WorkflowExecutions::isTerminal).count();
            assertTrue(terminal <= 1 + WORKFLOWS.size(), "run " + run + ": " + terminal + " terminal kept");
        }
    }

    /**
     * Found by the demo: an RR whose WFE ended before the RR's own status write got through (it lost to the Gateway's
     * occurrence writes) was routed again after another RR's WFE of the same workflow completed on the target: its
     * own WFE was no longer kept, and it got a second one. Every active RR must decide from the kept WFEs as from all.
     */
    @Test
    void anActiveRequestDecidesFromTheKeptWfesAsFromAllEvenWhenItsWfeEndedLongAgo() {
        for (int run = 0; run < 300; run++) {
            Random random = new Random(1000 + run);
            List<WorkflowExecution> all = new ArrayList<>();
            int length = 1 + random.nextInt(30);
            Set<String> active = new HashSet<>();
            for (long seq = 1; seq <= length; seq++) {
                boolean running = seq == length && random.nextInt(3) == 0;
                all.add(wfe(seq, WORKFLOWS.get(random.nextInt(3)), running ? Phase.RUNNING
                        : random.nextBoolean() ? Phase.COMPLETED : Phase.FAILED,
                        running ? null : NOW.minusSeconds(random.nextInt(4 * 3600))));
                if (random.nextInt(4) == 0) {
                    active.add("rr-" + seq);
                }
            }
            ExecutionStore store = new ExecutionStore(w -> active.contains(w.getSpec().getRemediationRequestRef()
                    .getName()));
            List<WorkflowExecution> listOrder = new ArrayList<>(all);
            Collections.shuffle(listOrder, random);
            listOrder.forEach(w -> store.put(store.getKey(w), w));
            List<WorkflowExecution> kept = store.byIndex(ExecutionStore.BY_TARGET_HASH, TARGET.hash());
            for (String name : active) {
                RemediationRequest rr = request(name, "uid-" + name.substring(3));
                for (String workflow : WORKFLOWS) {
                    Duration cooldown = Duration.ofMinutes(5);
                    WorkflowSelection selection = new WorkflowSelection(workflow, null, null, null, null, Map.of(),
                            Optional.of(cooldown));
                    assertEquals(RoutingPolicy.decide(rr, TARGET, selection, List.of(rr), all, NOW, cooldown),
                            RoutingPolicy.decide(rr, TARGET, selection, List.of(rr), kept, NOW, cooldown),
                            "run " + run + " " + name + " " + workflow);
                }
            }
            long terminal = kept.stream().filter(WorkflowExecutions::isTerminal).count();
            assertTrue(terminal <= 1 + WORKFLOWS.size() + active.size(), "run " + run + ": " + terminal
                    + " terminal kept");
        }
    }

    @Test
    void keepsSlimCopies() {
        ExecutionStore store = new ExecutionStore();
        WorkflowExecution wfe = wfe(1, "restart", Phase.FAILED, NOW);
        store.put(store.getKey(wfe), wfe);
        WorkflowExecution kept = store.get(store.getKey(wfe));
        assertNull(kept.getSpec().getParameters());
        assertEquals("restart", kept.getSpec().getWorkflowRef().getWorkflowId());
        assertEquals(TARGET.key(), kept.getSpec().getTargetResource());
        assertEquals(NOW, kept.getStatus().getCompletionTime().toInstant());
    }

    static RemediationRequest request(String name, String uid) {
        return Fixtures.stored(Fixtures.request(name, Fixtures.fingerprint("payments"), "KubePodCrashLooping",
                "critical", "shop", "Deployment", "payments"), uid, NOW.minusSeconds(30), OverallPhase.ANALYZING);
    }
}
