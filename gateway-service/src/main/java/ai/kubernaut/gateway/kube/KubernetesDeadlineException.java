package ai.kubernaut.gateway.kube;

/**
 * The request's Kubernetes deadline ({@link RequestDeadline}) passed before a call could start or while it was in
 * flight: the signal is answered 504 with Retry-After, and no further call is made for it.
 */
public class KubernetesDeadlineException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public KubernetesDeadlineException(String message, Throwable cause) {
        super(message, cause);
    }
}
