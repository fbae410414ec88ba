package ai.kubernaut.orchestrator.lock;

/** A conditional Lease write lost a race (HTTP 409): someone else created or changed the Lease first. */
public final class LeaseConflictException extends RuntimeException {

    public LeaseConflictException(String message, Throwable cause) {
        super(message, cause);
    }
}
