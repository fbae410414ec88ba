package ai.kubernaut.orchestrator.retention;

import ai.kubernaut.orchestrator.lock.LeaseLockManager;
import ai.kubernaut.orchestrator.lock.LockAttempt;
import java.util.Optional;

/** The target lock a sweep takes around deleting a target's newest WFE: the same one routing takes to create. */
public interface TargetLocks {

    /** The lock, held until closed; empty when it is held elsewhere (in this process or by another replica). */
    Optional<AutoCloseable> tryLock(String targetKey);

    /** The replica's own lock manager: its in-process exclusion and its Lease (never waits for either). */
    static TargetLocks of(LeaseLockManager locks) {
        return key -> locks.tryAcquire(key) instanceof LockAttempt.Acquired acquired
                ? Optional.of(() -> locks.release(acquired.lock())) : Optional.empty();
    }
}
