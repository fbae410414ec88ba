package ai.kubernaut.orchestrator.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.orchestrator.model.WorkflowExecution;
import ai.kubernaut.orchestrator.target.Target;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

    private static WorkflowExecution wfe(String name) {
        WorkflowExecution wfe = new WorkflowExecution();
        wfe.getMetadata().setName(name);
        wfe.getMetadata().setNamespace("kubernaut");
        wfe.getMetadata().setLabels(Map.of(WorkflowExecutions.LABEL_TARGET_HASH, TARGET.hash()));
        return wfe;
    }
}
