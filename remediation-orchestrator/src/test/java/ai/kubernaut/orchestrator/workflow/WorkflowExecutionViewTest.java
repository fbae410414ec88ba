package ai.kubernaut.orchestrator.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.orchestrator.model.WorkflowExecution;
import ai.kubernaut.orchestrator.model.WorkflowExecutionStatus;
import ai.kubernaut.orchestrator.target.Target;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** What the view keeps of our own writes and reads, without an informer (a replica that owns no shard). */
class WorkflowExecutionViewTest {

    private static final Target TARGET = new Target("shop", "Deployment", "checkout");

    private final WorkflowExecutionView view = new WorkflowExecutionView("kubernaut");

    @Test
    void whatWeWroteIsPartOfTheViewUntilDelivered() {
        WorkflowExecution wfe = wfe(WorkflowExecutions.name(TARGET, 1));
        view.remember(wfe);
        assertEquals(List.of(wfe), view.onTarget(TARGET));
        assertEquals(wfe, view.byName(wfe.getMetadata().getName()).orElseThrow());

        view.delivered(wfe);
        assertTrue(view.onTarget(TARGET).isEmpty());
    }

    @Test
    void aSwitchOfCachesDropsWhatWasWrittenBeforeTheNewCachesListedAndKeepsWhatCameAfter() {
        WorkflowExecution before = wfe(WorkflowExecutions.name(TARGET, 1));
        view.remember(before);
        long listedSince = System.nanoTime();
        WorkflowExecution after = wfe(WorkflowExecutions.name(TARGET, 2));
        view.remember(after);

        view.use(List.of(), Set.of(TARGET.shard()), Set.of(TARGET.shard()), listedSince);

        // "before" was either in the new listing (and delivered) or will never be: gone, not left behind
        assertTrue(view.byName(before.getMetadata().getName()).isEmpty());
        assertEquals(List.of(after), view.onTarget(TARGET));
    }

    @Test
    void whatWeWroteStaysWhileItsShardIsKeptAndGoesWithIt() {
        WorkflowExecution mine = wfe(WorkflowExecutions.name(TARGET, 1));
        view.remember(mine);
        long listedSince = System.nanoTime();

        // other shards listed: ours was not relisted, its cache will still deliver it
        view.use(List.of(), Set.of(TARGET.shard(), "zz"), Set.of("zz"), listedSince);
        assertEquals(List.of(mine), view.onTarget(TARGET));

        // our shard lost: it will never be delivered here
        view.use(List.of(), Set.of("zz"), Set.of(), listedSince);
        assertTrue(view.onTarget(TARGET).isEmpty());
    }

    /**
     * Issue 18: a copy that no event replaced (a WFE our watch does not cover) is not trusted forever: after a few
     * seconds it is read again, and a reconcile waiting on it is told when to look.
     */
    @Test
    void aCopyNoEventRefreshedIsReadAgainWhenStale() {
        AtomicLong nanos = new AtomicLong(1_000);
        WorkflowExecutionView timed = timedView(nanos);
        WorkflowExecution running = wfe(WorkflowExecutions.name(TARGET, 1));
        timed.remember(running);
        List<String> reads = new ArrayList<>();
        Function<String, WorkflowExecution> reader = name -> {
            reads.add(name);
            WorkflowExecution done = wfe(name);
            WorkflowExecutionStatus status = new WorkflowExecutionStatus();
            status.setPhase(WorkflowExecutionStatus.Phase.COMPLETED);
            done.setStatus(status);
            return done;
        };

        nanos.addAndGet(Duration.ofSeconds(2).toNanos());
        assertEquals(running, timed.read(running.getMetadata().getName(), reader), "fresh: our copy");
        assertEquals(List.of(running), timed.onTarget(TARGET, reader));
        assertEquals(Optional.of(Duration.ofMillis(3_100)), timed.recheckIn(running.getMetadata().getName()));
        assertEquals(List.of(), reads);

        nanos.addAndGet(Duration.ofSeconds(3).toNanos());
        assertTrue(timed.byName(running.getMetadata().getName()).isEmpty(), "stale: not answered from the copy");
        WorkflowExecution reread = timed.read(running.getMetadata().getName(), reader);
        assertTrue(WorkflowExecutions.isTerminal(reread), "read again: it finished meanwhile");
        assertEquals(List.of(running.getMetadata().getName()), reads);
        assertEquals(reread, timed.byName(running.getMetadata().getName()).orElseThrow(), "the new copy is fresh");

        nanos.addAndGet(Duration.ofSeconds(6).toNanos());
        assertTrue(WorkflowExecutions.isTerminal(timed.onTarget(TARGET, reader).get(0)));
        assertEquals(2, reads.size(), "routing re-reads a stale copy of the target's WFEs too");
    }

    @Test
    void aStaleCopyOfAWorkflowExecutionThatIsGoneIsForgotten() {
        AtomicLong nanos = new AtomicLong(0);
        WorkflowExecutionView timed = timedView(nanos);
        WorkflowExecution wfe = wfe(WorkflowExecutions.name(TARGET, 1));
        timed.remember(wfe);
        nanos.addAndGet(Duration.ofSeconds(5).toNanos());
        assertEquals(List.of(), timed.onTarget(TARGET, name -> null));
        assertEquals(null, timed.read(wfe.getMetadata().getName(), name -> null));
    }

    /** A view whose copies go stale after 5 s of {@code nanos}, a clock the test moves. */
    private static WorkflowExecutionView timedView(AtomicLong nanos) {
        return new WorkflowExecutionView("kubernaut", Duration.ofSeconds(5), nanos::get);
    }

    private static WorkflowExecution wfe(String name) {
        WorkflowExecution wfe = new WorkflowExecution();
        wfe.getMetadata().setName(name);
        wfe.getMetadata().setNamespace("kubernaut");
        wfe.getMetadata().setLabels(Map.of(WorkflowExecutions.LABEL_TARGET_HASH, TARGET.hash()));
        return wfe;
    }
}
