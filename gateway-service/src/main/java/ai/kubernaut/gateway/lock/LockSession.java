package ai.kubernaut.gateway.lock;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One thread's turn on a key: holds the in-process exclusion from {@link LeaseLockManager#open} until
 * {@link #close()}, and at most one Lease acquired through {@link #tryAcquireLease(java.time.Duration)}.
 * Not thread-safe: used by the thread that opened it (only the detached release task may run elsewhere).
 */
public final class LockSession implements AutoCloseable {

    private final LeaseLockManager manager;
    private final String key;
    private final String leaseName;
    private final boolean waitedForLocalHolder;
    private final Instant openedAt;
    private HeldLease held;
    private boolean closed;

    LockSession(LeaseLockManager manager, String key, String leaseName, boolean waitedForLocalHolder,
            Instant openedAt) {
        this.manager = manager;
        this.key = key;
        this.leaseName = leaseName;
        this.waitedForLocalHolder = waitedForLocalHolder;
        this.openedAt = openedAt;
    }

    public String key() {
        return key;
    }

    public String leaseName() {
        return leaseName;
    }

    /** True when another thread of this process had the key first: it may have done our work already. */
    public boolean waitedForLocalHolder() {
        return waitedForLocalHolder;
    }

    Instant openedAt() {
        return openedAt;
    }

    public boolean holdsLease() {
        return held != null;
    }

    /**
     * One attempt to take the key's Lease.
     *
     * @param timeout the longest each API call of the attempt may wait
     * @throws LeaseApiException on an API error (not a conflict): not contention, do not retry it as such
     */
    public LeaseAttempt tryAcquireLease(java.time.Duration timeout) {
        if (closed) {
            throw new IllegalStateException("session closed");
        }
        if (held != null) {
            throw new IllegalStateException("lease " + leaseName + " already held by this session");
        }
        LeaseAttempt attempt = manager.tryAcquire(this, timeout);
        if (attempt instanceof LeaseAttempt.Acquired a) {
            held = a.lease();
        }
        return attempt;
    }

    /** Counts a final failure to acquire (timeout, deadline, API error) in the lock metrics. */
    public void failed(LockMetrics.FailureReason reason) {
        manager.recordFailure(reason);
    }

    /**
     * Hands the release of the held Lease to the caller, to run off the request's critical path. The task
     * is idempotent; {@link #close()} then no longer releases the Lease itself. Without a Lease: a no-op task.
     */
    public Runnable detachLeaseRelease() {
        HeldLease mine = held;
        held = null;
        if (mine == null) {
            return () -> { };
        }
        AtomicBoolean done = new AtomicBoolean();
        return () -> {
            if (done.compareAndSet(false, true)) {
                manager.release(mine);
            }
        };
    }

    /** Releases a still-attached Lease synchronously, then leaves the in-process exclusion. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            HeldLease mine = held;
            held = null;
            if (mine != null) {
                manager.release(mine);
            }
        } finally {
            manager.exitLocal(key);
        }
    }
}
