package ai.kubernaut.gateway.auth;

/** The same request (endpoint, {@code X-Timestamp} and body) was already accepted by this replica (HTTP 409). */
public class ReplayedRequestException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ReplayedRequestException(String message) {
        super(message);
    }
}
