package ai.kubernaut.orchestrator.workflow;

import ai.kubernaut.orchestrator.kube.ApiFaults;
import ai.kubernaut.orchestrator.model.WorkflowExecution;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;

/**
 * The orchestrator's WorkflowExecution calls besides its informer: a GET by name (after a 409, or when the cache
 * lacks a WFE) and creation. It never lists, updates or deletes one.
 */
public final class WorkflowExecutionApi {

    /** Thrown when a WFE of that name exists: another creator won (this is the creation fence). */
    public static final class AlreadyExistsException extends RuntimeException {
        public AlreadyExistsException(String name, Throwable cause) {
            super("WorkflowExecution " + name + " already exists", cause);
        }
    }

    private final KubernetesClient client;
    private final String namespace;

    public WorkflowExecutionApi(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    /**
     * GET straight from the API server; null when it does not exist (a 404 naming it). Any other 404, as for a type
     * not served right after an API server restart, is thrown: the reconcile retries, the RR is not failed.
     */
    public WorkflowExecution get(String name) {
        return ApiFaults.getUnlessNotFound(client.resources(WorkflowExecution.class).inNamespace(namespace)
                .withName(name), name);
    }

    /** CREATE; {@link AlreadyExistsException} on 409 (the mock says reason Invalid: branch on the code). */
    public WorkflowExecution create(WorkflowExecution wfe) {
        try {
            return client.resources(WorkflowExecution.class).inNamespace(namespace).resource(wfe).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
                throw new AlreadyExistsException(wfe.getMetadata().getName(), e);
            }
            throw e;
        }
    }
}
