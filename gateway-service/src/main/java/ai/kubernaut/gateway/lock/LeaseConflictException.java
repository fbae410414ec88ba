package ai.kubernaut.gateway.lock;

/** HTTP 409 on a Lease write: someone else created or changed it first. Contention, not an error. */
public class LeaseConflictException extends Exception {

    private static final long serialVersionUID = 1L;

    public LeaseConflictException(String message, Throwable cause) {
        super(message, cause);
    }
}
