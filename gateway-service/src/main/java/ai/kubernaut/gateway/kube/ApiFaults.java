package ai.kubernaut.gateway.kube;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusDetails;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.ResourceNotFoundException;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * The one answer to "is this Kubernetes API fault transient", used by every retry and every failure classification
 * of dedup, lock and the informers. Transient: no answer (timeout, connection refused or reset, I/O), 429, 5xx, and
 * a 404 that does not name an object (a type not served: before its CRD is established, or for a moment after an
 * API server restart). Not faults at all: 409, and a 404 whose Status names the object (it does not exist), which
 * callers handle as protocol answers before asking. Anything else (401, 403, 422...) retrying will not fix.
 */
public final class ApiFaults {

    private ApiFaults() {
    }

    /** @param httpCode the HTTP status, or 0 / -1 when no answer came (how fabric8 reports it) */
    public static boolean isTransient(int httpCode) {
        return httpCode <= 0 || httpCode == 429 || httpCode >= 500;
    }

    public static boolean isTransient(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof KubernetesClientException k) {
                if (k.getCode() == 404) {
                    return !namesAnObject(k);
                }
                if (k.getCode() > 0) {
                    return isTransient(k.getCode());
                }
                // no code: fabric8 wraps the transport's failure; look at its cause, and count it transient anyway
                continue;
            }
            if (c instanceof IOException || c instanceof InterruptedIOException || c instanceof TimeoutException) {
                return true;
            }
        }
        return t instanceof KubernetesClientException;
    }

    /**
     * Whether {@code e} says that the object {@code name} does not exist: a 404 whose Status names it (a real API
     * server's {@code details.kind} and {@code details.name}). A 404 without such a Status is no evidence of a
     * deletion: the type itself is not served (yet, or again).
     */
    public static boolean isObjectNotFound(KubernetesClientException e, String name) {
        return e.getCode() == 404 && namesAnObject(e) && name.equals(e.getStatus().getDetails().getName());
    }

    /**
     * A GET by name: the object, or null when a 404 names it. fabric8's {@code get()} answers null for every 404,
     * also for a type that is not served (right after an API server restart), which is no deletion; its
     * {@code require()} keeps the answer's Status, so that such a 404 is thrown as the transient fault it is.
     */
    public static <T> T getUnlessNotFound(Resource<T> resource, String name) {
        try {
            return resource.require();
        } catch (ResourceNotFoundException e) {
            KubernetesClientException answer = e.getCause() instanceof KubernetesClientException k ? k
                    : new KubernetesClientException(e.getMessage(), e);
            if (isObjectNotFound(answer, name)) {
                return null;
            }
            throw answer;
        }
    }

    private static boolean namesAnObject(KubernetesClientException e) {
        Status status = e.getStatus();
        StatusDetails details = status == null ? null : status.getDetails();
        return details != null && notBlank(details.getName()) && notBlank(details.getKind());
    }

    /** The Retry-After the API server asked for (a 429's {@code details.retryAfterSeconds}), if any. */
    public static Optional<Duration> retryAfter(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof KubernetesClientException k && k.getStatus() != null
                    && k.getStatus().getDetails() != null && k.getStatus().getDetails().getRetryAfterSeconds() != null
                    && k.getStatus().getDetails().getRetryAfterSeconds() > 0) {
                return Optional.of(Duration.ofSeconds(k.getStatus().getDetails().getRetryAfterSeconds()));
            }
        }
        return Optional.empty();
    }

    /** One line for logs and readiness data: "HTTP 429 storage is (re)initializing", "no answer: ...". */
    public static String describe(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof KubernetesClientException k && k.getCode() > 0) {
                String message = k.getStatus() != null && notBlank(k.getStatus().getMessage())
                        ? k.getStatus().getMessage() : k.getMessage();
                String kind = k.getCode() == 404 && !namesAnObject(k) ? " (type not served)" : "";
                return "HTTP " + k.getCode() + kind + " " + oneLine(message);
            }
        }
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return "no answer: " + root.getClass().getSimpleName() + (root.getMessage() == null ? ""
                : " " + oneLine(root.getMessage()));
    }

    /** What an operator checks when a list keeps failing this way. */
    public static String hint(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof KubernetesClientException k && k.getCode() > 0) {
                return switch (k.getCode()) {
                    case 404 -> "Is its CRD installed and Established (kubectl get crd)? The replica stays up, not ready.";
                    case 401, 403 -> "Check the service account's token and RBAC (deploy/base/*/rbac.yaml).";
                    default -> "The replica stays up, not ready, and keeps trying.";
                };
            }
        }
        return "Is the API server reachable from the pod? The replica stays up, not ready, and keeps trying.";
    }

    private static boolean notBlank(String s) {
        return s != null && !s.isBlank();
    }

    private static String oneLine(String s) {
        String line = s.replaceAll("\\s+", " ").trim();
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }
}
