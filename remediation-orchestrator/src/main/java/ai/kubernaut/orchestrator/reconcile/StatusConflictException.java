package ai.kubernaut.orchestrator.reconcile;

/** A status write lost to a concurrent writer (HTTP 409): re-read the RR and decide again. */
public final class StatusConflictException extends RuntimeException {

    public StatusConflictException(String message, Throwable cause) {
        super(message, cause);
    }
}
