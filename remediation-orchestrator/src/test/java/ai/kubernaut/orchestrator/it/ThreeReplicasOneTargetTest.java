package ai.kubernaut.orchestrator.it;

import static ai.kubernaut.orchestrator.model.RemediationRequestStatus.OverallPhase.BLOCKED;
import static ai.kubernaut.orchestrator.model.RemediationRequestStatus.OverallPhase.COMPLETED;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.orchestrator.cluster.TestApiServerResource;
import ai.kubernaut.orchestrator.cluster.TestCatalog;
import ai.kubernaut.orchestrator.model.RemediationRequest;
import ai.kubernaut.orchestrator.model.WorkflowExecution;
import ai.kubernaut.orchestrator.model.WorkflowExecutionStatus;
import ai.kubernaut.orchestrator.model.remediationrequeststatus.RoutingStatus.BlockReason;
import ai.kubernaut.orchestrator.reconcile.CreationHook;
import ai.kubernaut.orchestrator.target.Target;
import ai.kubernaut.orchestrator.testing.ClusterOps;
import ai.kubernaut.orchestrator.testing.Fixtures;
import ai.kubernaut.orchestrator.workflow.WorkflowExecutions;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * BR-ORCH-050 with three active-active controller instances (three pod names, three clients, one API server):
 * ten RRs created at once for one target run strictly one WFE at a time. The waiting RRs stay Blocked
 * (ResourceBusy); how often their block is rewritten to name the target's current WFE is
 * {@code orchestrator.routing.busy-status-refresh}, exercised here at its extremes and in between.
 */
@QuarkusTest
@QuarkusTestResource(value = TestApiServerResource.class, restrictToAnnotatedClass = false)
class ThreeReplicasOneTargetTest extends ReplicasTestBase {

    static final Target TARGET = new Target("shop", "Deployment", "checkout");
    static final Duration STEP = Duration.ofSeconds(30);

    ClusterOps cluster;
    SharedIndexInformer<WorkflowExecution> recorder;
    final List<String> wfeEvents = new CopyOnWriteArrayList<>();
    final AtomicInteger active = new AtomicInteger();
    final AtomicInteger maxActive = new AtomicInteger();

    /** Replicas and the WFE recorder in a namespace of the test's own. */
    void startReplicas(String ns, Duration busyStatusRefresh) {
        cluster = inNamespace(ns);
        // an independent record of WFE creations and completions, in the API server's order
        recorder = client.resources(WorkflowExecution.class).inNamespace(ns).inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(WorkflowExecution wfe) {
                wfeEvents.add("create " + wfe.getMetadata().getName());
                maxActive.accumulateAndGet(active.incrementAndGet(), Math::max);
            }

            @Override
            public void onUpdate(WorkflowExecution old, WorkflowExecution wfe) {
                if (WorkflowExecutions.isTerminal(wfe) && !WorkflowExecutions.isTerminal(old)) {
                    wfeEvents.add("end " + wfe.getMetadata().getName());
                    active.decrementAndGet();
                }
            }

            @Override
            public void onDelete(WorkflowExecution wfe, boolean unknown) {
            }
        });
        for (int i = 0; i < 3; i++) {
            var base = settings(ns, "ro-race-" + i);
            replicas.start(base.withReconcile(base.reconcile().withBusyStatusRefresh(busyStatusRefresh)),
                    CreationHook.NONE);
        }
        await().atMost(STEP).until(replicas::allReady);
    }

    @AfterEach
    void stopRecorder() {
        if (recorder != null) {
            recorder.close();
        }
    }

    /** Refresh 0: every waiting RR is rewritten on every turn to name exactly the WFE now running. */
    @Test
    void everyTurnRenamesTheBlockingWorkflowExecutionWhenRefreshIsZero() throws Exception {
        startReplicas("ro-race-zero", Duration.ZERO);
        String last = runTenInLine(current -> current);
        // the last RR was blocked on nine WFEs in turn: one ResourceBusy Event per replica that blocked it,
        // repeats aggregated into its count
        var busyEvents = cluster.eventsFor(last).stream().filter(e -> "ResourceBusy".equals(e.getReason())).toList();
        assertTrue(busyEvents.size() <= 3, "at most one aggregated Event per replica: " + busyEvents.size());
        assertEquals(9, busyEvents.stream().mapToInt(e -> e.getCount()).sum());
    }

    /**
     * The default: RRs waiting in line behind short workflows keep the block they wrote first (naming the first
     * WFE): no status write and no Event per turn, and still one WFE at a time, each woken by the previous end.
     */
    @Test
    void waitingInLineCostsNoStatusWritePerTurn() throws Exception {
        startReplicas("ro-race-line", Duration.ofMinutes(10));
        String first = WorkflowExecutions.name(TARGET, 1);
        String last = runTenInLine(current -> first);
        var busyEvents = cluster.eventsFor(last).stream().filter(e -> "ResourceBusy".equals(e.getReason())).toList();
        assertEquals(1, busyEvents.stream().mapToInt(e -> e.getCount()).sum(), "blocked once: " + busyEvents);
    }

    /** A block older than the refresh is rewritten with the current WFE, also without any WFE event. */
    @Test
    void anOldBlockIsRewrittenToNameTheCurrentWorkflowExecution() throws Exception {
        startReplicas("ro-race-refresh", Duration.ofSeconds(1));
        List<String> names = createTenAtOnce();
        String first = WorkflowExecutions.name(TARGET, 1);
        String second = WorkflowExecutions.name(TARGET, 2);
        await().atMost(STEP).until(() -> cluster.activeExecutionsOn(TARGET).size() == 1);
        cluster.setPhase(first, WorkflowExecutionStatus.Phase.RUNNING);
        cluster.setPhase(first, WorkflowExecutionStatus.Phase.COMPLETED);
        String runner = await().atMost(STEP).until(() -> cluster.activeExecutionsOn(TARGET), l -> l.size() == 1
                && l.get(0).getMetadata().getName().equals(second)).get(0).getSpec().getRemediationRequestRef()
                .getName();
        // the second WFE stays Running: the eight still waiting name it within the refresh, woken by the timer
        // (on a loaded machine an RR may still be on its way to its first block when the second WFE starts)
        List<String> waiting = await().atMost(STEP).until(() -> names.stream()
                .filter(n -> !n.equals(runner) && cluster.phase(n) == BLOCKED).toList(),
                l -> l.size() == 8);
        await().atMost(STEP).until(() -> waiting.stream().map(cluster::request).allMatch(rr ->
                second.equals(rr.getStatus().getRoutingStatus().getBlockingWorkflowExecution())));
        assertEquals(1, cluster.activeExecutionsOn(TARGET).size());
    }

    List<String> createTenAtOnce() throws Exception {
        List<String> names = new ArrayList<>();
        ExecutorService gateway = Executors.newFixedThreadPool(10);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<RemediationRequest>> created = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String name = "rr-race-" + i;
            names.add(name);
            RemediationRequest rr = Fixtures.request(name, Fixtures.fingerprint(name), TestCatalog.RESTART,
                    "critical", TARGET.namespace(), TARGET.kind(), TARGET.name());
            created.add(gateway.submit(() -> {
                go.await();
                return cluster.create(rr);
            }));
        }
        go.countDown();
        for (Future<RemediationRequest> f : created) {
            f.get(10, TimeUnit.SECONDS);
        }
        gateway.shutdown();
        return names;
    }

    /**
     * Creates ten RRs on the target at once and completes their WFEs one by one; {@code named} maps the WFE
     * running now to the one every waiting RR's block must name. Returns the RR that ran last.
     */
    String runTenInLine(java.util.function.UnaryOperator<String> named) throws Exception {
        long wakeupsBefore = registry.get("orchestrator.blocked.wakeup.latency").timer().count();
        List<String> names = createTenAtOnce();
        Set<String> ran = new HashSet<>();
        for (int sequence = 1; sequence <= 10; sequence++) {
            String expected = WorkflowExecutions.name(TARGET, sequence);
            WorkflowExecution current = await().atMost(STEP)
                    .until(() -> cluster.activeExecutionsOn(TARGET), l -> l.size() == 1).get(0);
            assertEquals(expected, current.getMetadata().getName());
            String owner = current.getSpec().getRemediationRequestRef().getName();
            assertTrue(ran.add(owner), owner + " ran twice");

            // every RR still waiting is Blocked(ResourceBusy), naming the WFE the refresh policy says
            List<String> waiting = names.stream().filter(n -> !ran.contains(n)).toList();
            String blocker = named.apply(expected);
            await().atMost(STEP).until(() -> waiting.stream().map(cluster::request).allMatch(rr ->
                    rr.getStatus() != null && rr.getStatus().getOverallPhase() == BLOCKED
                            && rr.getStatus().getRoutingStatus().getBlockReason() == BlockReason.RESOURCEBUSY
                            && blocker.equals(rr.getStatus().getRoutingStatus().getBlockingWorkflowExecution())));
            assertEquals(1, cluster.activeExecutionsOn(TARGET).size());

            cluster.setPhase(expected, WorkflowExecutionStatus.Phase.RUNNING);
            cluster.setPhase(expected, WorkflowExecutionStatus.Phase.COMPLETED);
            await().atMost(STEP).until(() -> cluster.phase(owner) == COMPLETED);
        }

        assertEquals(10, ran.size());
        String last = names.stream().filter(n -> cluster.executionsOf(n).get(0).getMetadata().getName()
                .equals(WorkflowExecutions.name(TARGET, 10))).findFirst().orElseThrow();
        assertEquals(10, cluster.executionsOn(TARGET).size());
        assertTrue(names.stream().allMatch(n -> cluster.phase(n) == COMPLETED));
        await().atMost(STEP).until(() -> wfeEvents.size() == 20);
        assertEquals(1, maxActive.get(), "WFE create/end order: " + wfeEvents);
        for (int i = 0; i < 20; i += 2) {
            String wfe = WorkflowExecutions.name(TARGET, i / 2 + 1);
            assertEquals(List.of("create " + wfe, "end " + wfe), wfeEvents.subList(i, i + 2));
        }
        await().atMost(STEP).until(() -> cluster.orchestratorLeases().isEmpty());
        assertTrue(registry.get("orchestrator.blocked.wakeup.latency").timer().count() >= wakeupsBefore + 9,
                "every next RR was woken by the previous WFE's completion");
        return last;
    }
}
