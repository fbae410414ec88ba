package ai.kubernaut.orchestrator.metrics;

import ai.kubernaut.orchestrator.lock.LockAttempt;
import ai.kubernaut.orchestrator.lock.LockObserver;
import ai.kubernaut.orchestrator.retention.RetentionObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * The orchestrator's meters (names in docs/contracts.md; Prometheus adds {@code _total} to counters and
 * {@code _seconds} to timers). Thread-safe; one instance may serve several controller instances.
 */
public final class OrchestratorMetrics implements LockObserver, RetentionObserver {

    private final MeterRegistry registry;
    private final Counter workflowExecutionsCreated;
    private final Counter workflowExecutionsFenced;
    private final Counter statusConflicts;
    private final Counter lockAttempts;
    private final Counter lockContention;
    private final Counter lockTakeovers;
    private final Timer lockAcquisition;
    private final Timer lockHold;
    private final Timer wakeupLatency;

    public OrchestratorMetrics(MeterRegistry registry) {
        this.registry = registry;
        workflowExecutionsCreated = Counter.builder("orchestrator.workflowexecutions.created")
                .description("WorkflowExecutions created").register(registry);
        workflowExecutionsFenced = Counter.builder("orchestrator.workflowexecutions.fenced")
                .description("WorkflowExecution creates refused with 409 (a stale or concurrent creator was fenced)")
                .register(registry);
        statusConflicts = Counter.builder("orchestrator.status.conflicts")
                .description("RR status writes that lost to a concurrent writer (409) and were re-decided")
                .register(registry);
        lockAttempts = Counter.builder("orchestrator.lock.acquisition.attempts")
                .description("Target lock acquisition attempts").register(registry);
        lockContention = Counter.builder("orchestrator.lock.contention")
                .description("Target lock attempts that found the lock held (in this process or by a Lease)")
                .register(registry);
        lockTakeovers = Counter.builder("orchestrator.lock.takeovers")
                .description("Expired target Leases taken over (their holder died or froze past the lease)")
                .register(registry);
        lockAcquisition = Timer.builder("orchestrator.lock.acquisition.duration")
                .description("Time to acquire a target lock").publishPercentileHistogram().register(registry);
        lockHold = Timer.builder("orchestrator.lock.hold.duration")
                .description("Time a target lock was held").publishPercentileHistogram().register(registry);
        wakeupLatency = Timer.builder("orchestrator.blocked.wakeup.latency")
                .description("Time from a blocking WorkflowExecution's completion (as observed) to the blocked"
                        + " RR's reconcile")
                .publishPercentileHistogram().register(registry);
    }

    public void reconciled(String result) {
        registry.counter("orchestrator.reconciles", "result", result).increment();
    }

    public void phaseTransition(String from, String to) {
        registry.counter("orchestrator.phase.transitions", "from", from, "to", to).increment();
    }

    public void blocked(String reason) {
        registry.counter("orchestrator.blocked", "reason", reason).increment();
    }

    public void workflowExecutionCreated() {
        workflowExecutionsCreated.increment();
    }

    public void workflowExecutionFenced() {
        workflowExecutionsFenced.increment();
    }

    public void statusConflict() {
        statusConflicts.increment();
    }

    public void wakeupLatency(Duration latency) {
        wakeupLatency.record(latency);
    }

    @Override
    public void apiCall(String verb) {
        registry.counter("orchestrator.lease.api.calls", "verb", verb).increment();
    }

    @Override
    public void attempt() {
        lockAttempts.increment();
    }

    @Override
    public void acquired(Duration took, boolean takeover) {
        lockAcquisition.record(took);
        if (takeover) {
            lockTakeovers.increment();
        }
    }

    @Override
    public void notAcquired(LockAttempt.Reason reason) {
        if (reason.isContention()) {
            lockContention.increment();
        }
        registry.counter("orchestrator.lock.acquisition.failures", "reason", reason.tag()).increment();
    }

    @Override
    public void released(Duration held, boolean deleted) {
        lockHold.record(held);
    }

    @Override
    public void retentionDeleted(String kind) {
        registry.counter("orchestrator.retention.deleted", "kind", kind).increment();
    }

    @Override
    public void retentionChanged(String kind) {
        registry.counter("orchestrator.retention.changed", "kind", kind).increment();
    }

    @Override
    public void retentionLabelled() {
        registry.counter("orchestrator.retention.labelled").increment();
    }

    @Override
    public void retentionSweep(String result) {
        registry.counter("orchestrator.retention.sweeps", "result", result).increment();
    }
}
