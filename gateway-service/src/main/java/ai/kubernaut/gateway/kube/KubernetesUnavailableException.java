package ai.kubernaut.gateway.kube;

/**
 * A Kubernetes call on the request path failed with a transient fault ({@link ApiFaults#isTransient}): the
 * request is answered 503 with Retry-After, and nothing was recorded for it.
 */
public class KubernetesUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public KubernetesUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
