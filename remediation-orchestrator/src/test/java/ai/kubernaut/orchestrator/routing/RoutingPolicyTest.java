package ai.kubernaut.orchestrator.routing;

import static ai.kubernaut.orchestrator.model.RemediationRequestStatus.OverallPhase.ANALYZING;
import static ai.kubernaut.orchestrator.model.RemediationRequestStatus.OverallPhase.BLOCKED;
import static ai.kubernaut.orchestrator.model.RemediationRequestStatus.OverallPhase.COMPLETED;
import static ai.kubernaut.orchestrator.model.WorkflowExecutionStatus.Phase.FAILED;
import static ai.kubernaut.orchestrator.model.WorkflowExecutionStatus.Phase.RUNNING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import ai.kubernaut.orchestrator.catalog.WorkflowSelection;
import ai.kubernaut.orchestrator.model.RemediationRequest;
import ai.kubernaut.orchestrator.model.WorkflowExecution;
import ai.kubernaut.orchestrator.model.WorkflowExecutionStatus;
import ai.kubernaut.orchestrator.model.remediationrequeststatus.RoutingStatus.BlockReason;
import ai.kubernaut.orchestrator.target.Target;
import ai.kubernaut.orchestrator.testing.Fixtures;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RoutingPolicyTest {

    static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");
    static final Target TARGET = new Target("shop", "Deployment", "payments");
    static final String FP = Fixtures.fingerprint("payments");
    static final WorkflowSelection RESTART = new WorkflowSelection("restart", "Restart", "restart", "1.0.0",
            "bundles/restart:1", Map.of(), Optional.empty());

    final RemediationRequest rr = rr("rr-b", "uid-b", NOW.minusSeconds(10), ANALYZING);

    static RemediationRequest rr(String name, String uid, Instant created,
            ai.kubernaut.orchestrator.model.RemediationRequestStatus.OverallPhase phase) {
        return Fixtures.stored(Fixtures.request(name, FP, "KubePodCrashLooping", "critical", "shop", "Deployment",
                "payments"), uid, created, phase);
    }

    static WorkflowExecution wfe(long seq, String owner, String ownerUid, WorkflowExecutionStatus.Phase phase,
            Instant completed) {
        return Fixtures.execution("wfe-" + TARGET.hash() + "-" + seq, TARGET, TARGET.key(), "restart", owner,
                ownerUid, phase, completed);
    }

    RoutingDecision decide(List<RemediationRequest> sameFingerprint, List<WorkflowExecution> wfes,
            WorkflowSelection selection, Duration defaultCooldown) {
        return RoutingPolicy.decide(rr, TARGET, selection, sameFingerprint, wfes, NOW, defaultCooldown);
    }

    @Test
    void freeTargetCreatesTheFirstSequence() {
        var create = assertInstanceOf(RoutingDecision.Create.class, decide(List.of(rr), List.of(), RESTART,
                Duration.ZERO));
        assertEquals("wfe-" + TARGET.hash() + "-1", create.workflowExecution());
        assertEquals(1, create.sequence());
    }

    @Test
    void nextSequenceFollowsTheHighestExistingNameEvenWhenThoseAreFinished() {
        var create = assertInstanceOf(RoutingDecision.Create.class, decide(List.of(), List.of(
                wfe(3, "rr-x", "uid-x", FAILED, NOW.minusSeconds(600)),
                wfe(7, "rr-y", "uid-y", WorkflowExecutionStatus.Phase.COMPLETED, NOW.minusSeconds(500))),
                RESTART, Duration.ZERO));
        assertEquals(8, create.sequence());
    }

    @Test
    void ownWorkflowExecutionIsAdoptedNotDuplicated() {
        var adopt = assertInstanceOf(RoutingDecision.Adopt.class,
                decide(List.of(), List.of(wfe(4, "rr-b", "uid-b", null, null)), RESTART, Duration.ZERO));
        assertEquals("wfe-" + TARGET.hash() + "-4", adopt.workflowExecution());
    }

    @Test
    void workflowExecutionOfARecreatedRequestWithTheSameNameIsNotOurs() {
        var block = assertInstanceOf(RoutingDecision.Block.class,
                decide(List.of(), List.of(wfe(4, "rr-b", "uid-old", RUNNING, null)), RESTART, Duration.ZERO));
        assertEquals(BlockReason.RESOURCEBUSY, block.reason());
    }

    @Test
    void activeWorkflowExecutionOfAnotherRequestMakesTheTargetBusy() {
        var block = assertInstanceOf(RoutingDecision.Block.class, decide(List.of(), List.of(
                wfe(1, "rr-a", "uid-a", WorkflowExecutionStatus.Phase.COMPLETED, NOW.minusSeconds(1)),
                wfe(2, "rr-a2", "uid-a2", null, null)), RESTART, Duration.ZERO));
        assertEquals(BlockReason.RESOURCEBUSY, block.reason());
        assertEquals(Optional.of("wfe-" + TARGET.hash() + "-2"), block.blockingWorkflowExecution());
        assertEquals(Optional.empty(), block.duplicateOf());
    }

    @Test
    void hashLabelCollisionOnAnotherTargetIsNotBusyButStillAdvancesTheSequence() {
        WorkflowExecution other = Fixtures.execution("wfe-" + TARGET.hash() + "-5", TARGET, "shop/Deployment/orders",
                "restart", "rr-z", "uid-z", RUNNING, null);
        var create = assertInstanceOf(RoutingDecision.Create.class, decide(List.of(), List.of(other), RESTART,
                Duration.ZERO));
        assertEquals(6, create.sequence());
    }

    @Test
    void olderActiveRequestWithTheSameFingerprintBlocksAsDuplicate() {
        RemediationRequest older = rr("rr-a", "uid-a", NOW.minusSeconds(60), BLOCKED);
        RemediationRequest newer = rr("rr-c", "uid-c", NOW.minusSeconds(1), ANALYZING);
        var block = assertInstanceOf(RoutingDecision.Block.class,
                decide(List.of(newer, rr, older), List.of(), RESTART, Duration.ZERO));
        assertEquals(BlockReason.DUPLICATEINPROGRESS, block.reason());
        assertEquals(Optional.of("rr-a"), block.duplicateOf());
    }

    @Test
    void sameSecondDuplicatesAreOrderedByNameSoEveryReplicaAgrees() {
        RemediationRequest sameSecondSmallerName = rr("rr-a", "uid-a", NOW.minusSeconds(10), ANALYZING);
        var block = assertInstanceOf(RoutingDecision.Block.class,
                decide(List.of(sameSecondSmallerName), List.of(), RESTART, Duration.ZERO));
        assertEquals(Optional.of("rr-a"), block.duplicateOf());

        RemediationRequest sameSecondLargerName = rr("rr-c", "uid-c", NOW.minusSeconds(10), ANALYZING);
        assertInstanceOf(RoutingDecision.Create.class,
                decide(List.of(sameSecondLargerName), List.of(), RESTART, Duration.ZERO));
    }

    @Test
    void newerOrTerminalRequestsWithTheSameFingerprintDoNotBlock() {
        RemediationRequest newer = rr("rr-c", "uid-c", NOW, ANALYZING);
        RemediationRequest olderDone = rr("rr-a", "uid-a", NOW.minusSeconds(600), COMPLETED);
        assertInstanceOf(RoutingDecision.Create.class,
                decide(List.of(newer, olderDone), List.of(), RESTART, Duration.ZERO));
    }

    @Test
    void sameWorkflowFinishedWithinTheCooldownBlocksUntilItEnds() {
        Instant finished = NOW.minus(Duration.ofMinutes(2));
        var block = assertInstanceOf(RoutingDecision.Block.class, decide(List.of(),
                List.of(wfe(1, "rr-a", "uid-a", WorkflowExecutionStatus.Phase.COMPLETED, finished)), RESTART,
                Duration.ofMinutes(5)));
        assertEquals(BlockReason.RECENTLYREMEDIATED, block.reason());
        assertEquals(Optional.of(finished.plus(Duration.ofMinutes(5))), block.nextAllowedExecution());
    }

    @Test
    void catalogCooldownOverridesTheDefaultAndOtherWorkflowsDoNotCount() {
        Instant finished = NOW.minus(Duration.ofMinutes(2));
        List<WorkflowExecution> done = List.of(wfe(1, "rr-a", "uid-a", WorkflowExecutionStatus.Phase.COMPLETED,
                finished));
        WorkflowSelection shortCooldown = new WorkflowSelection("restart", null, null, null, null, Map.of(),
                Optional.of(Duration.ofMinutes(1)));
        assertInstanceOf(RoutingDecision.Create.class, decide(List.of(), done, shortCooldown, Duration.ofHours(1)));

        WorkflowSelection otherWorkflow = new WorkflowSelection("scale-up", null, null, null, null, Map.of(),
                Optional.empty());
        assertInstanceOf(RoutingDecision.Create.class, decide(List.of(), done, otherWorkflow, Duration.ofHours(1)));
    }

    @Test
    void zeroCooldownDisablesRecentlyRemediated() {
        assertInstanceOf(RoutingDecision.Create.class, decide(List.of(),
                List.of(wfe(1, "rr-a", "uid-a", WorkflowExecutionStatus.Phase.COMPLETED, NOW)), RESTART,
                Duration.ZERO));
    }

    @Test
    void duplicateIsCheckedBeforeBusyAndBusyBeforeCooldown() {
        RemediationRequest older = rr("rr-a", "uid-a", NOW.minusSeconds(60), ANALYZING);
        List<WorkflowExecution> wfes = List.of(wfe(1, "rr-x", "uid-x", WorkflowExecutionStatus.Phase.COMPLETED,
                NOW.minusSeconds(5)), wfe(2, "rr-y", "uid-y", RUNNING, null));
        assertEquals(BlockReason.DUPLICATEINPROGRESS, ((RoutingDecision.Block) decide(List.of(older), wfes, RESTART,
                Duration.ofHours(1))).reason());
        assertEquals(BlockReason.RESOURCEBUSY, ((RoutingDecision.Block) decide(List.of(), wfes, RESTART,
                Duration.ofHours(1))).reason());
    }
}
