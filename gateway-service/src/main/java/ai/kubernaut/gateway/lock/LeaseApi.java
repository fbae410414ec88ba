package ai.kubernaut.gateway.lock;

import java.time.Duration;
import java.util.Optional;

/**
 * The four Lease calls the lock protocol needs, nothing else (like client-go's {@code resourcelock.Interface}),
 * so that {@link LeaseLockManager} can be unit-tested against a fake. Implementations must not retry on their
 * own (the protocol decides what a conflict means) and must give up after {@code timeout}.
 */
public interface LeaseApi {

    /** Uncached read; empty when the Lease does not exist. */
    Optional<LeaseRecord> get(String name, Duration timeout);

    /**
     * Creates the Lease (its resourceVersion is ignored).
     *
     * @throws LeaseConflictException when a Lease of that name exists (HTTP 409, whatever the reason string)
     */
    LeaseRecord create(LeaseRecord lease, Duration timeout) throws LeaseConflictException;

    /**
     * Replaces the Lease guarded by {@code lease.resourceVersion()} (compare-and-swap).
     *
     * @throws LeaseConflictException when the Lease changed since that version or is gone
     */
    LeaseRecord update(LeaseRecord lease, Duration timeout) throws LeaseConflictException;

    /**
     * Deletes the Lease if it is still at {@code resourceVersion} (a DELETE precondition; a real API server
     * enforces it, the CRUD mock does not, see {@link LeaseLockManager} for the extra guard).
     *
     * @return false when it did not exist
     * @throws LeaseConflictException when the precondition failed
     */
    boolean delete(String name, String resourceVersion, Duration timeout) throws LeaseConflictException;
}
