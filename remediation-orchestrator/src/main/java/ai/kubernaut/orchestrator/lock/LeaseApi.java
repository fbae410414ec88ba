package ai.kubernaut.orchestrator.lock;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.util.Optional;

/**
 * The four Lease calls the lock protocol needs, in the lock's namespace. Narrow on purpose (like client-go's
 * resourcelock.Interface) so that {@link LeaseLockManager} is unit-testable against an in-memory fake.
 *
 * <p>Every write is conditional: {@link #create} fails if the name exists, {@link #update} and {@link #delete}
 * fail if the stored resourceVersion differs. Those failures are {@link LeaseConflictException}; anything else
 * (API unreachable, 403, 5xx) is a runtime exception the caller treats as an error, not as contention.
 */
public interface LeaseApi {

    /** GET; empty when the Lease does not exist. */
    Optional<Lease> get(String name);

    /** CREATE; {@link LeaseConflictException} when a Lease of that name already exists (HTTP 409). */
    Lease create(Lease lease);

    /** UPDATE guarded by {@code lease.metadata.resourceVersion}; {@link LeaseConflictException} when stale. */
    Lease update(Lease lease);

    /**
     * DELETE with a resourceVersion precondition; {@link LeaseConflictException} when the precondition fails.
     * Returns false when the Lease was already gone.
     */
    boolean delete(String name, String resourceVersion);
}
