package ai.kubernaut.orchestrator.workflow;

import ai.kubernaut.orchestrator.model.WorkflowExecution;
import ai.kubernaut.orchestrator.target.Target;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.FilterWatchListDeletable;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import java.net.HttpURLConnection;
import java.util.List;

/** The orchestrator's WorkflowExecution calls: uncached reads and creation. It never updates or deletes one. */
public final class WorkflowExecutionApi {

    /** Thrown when a WFE of that name exists: another creator won (this is the creation fence). */
    public static final class AlreadyExistsException extends RuntimeException {
        public AlreadyExistsException(String name, Throwable cause) {
            super("WorkflowExecution " + name + " already exists", cause);
        }
    }

    private final KubernetesClient client;
    private final String namespace;
    private final boolean useFieldSelector;

    /**
     * @param useFieldSelector also filter by {@code spec.targetResource} on the server (needs the CRD's
     *                         selectableFields, Kubernetes 1.32+; the CRUD mock does not support it)
     */
    public WorkflowExecutionApi(KubernetesClient client, String namespace, boolean useFieldSelector) {
        this.client = client;
        this.namespace = namespace;
        this.useFieldSelector = useFieldSelector;
    }

    /**
     * Every WFE labelled with the target's hash, straight from the API server (never a cache: the busy check
     * must see WFEs created a moment ago by another replica). Callers confirm spec.targetResource in memory.
     */
    public List<WorkflowExecution> listForTarget(Target target) {
        FilterWatchListDeletable<WorkflowExecution, KubernetesResourceList<WorkflowExecution>,
                Resource<WorkflowExecution>> query = client.resources(WorkflowExecution.class).inNamespace(namespace)
                .withLabel(WorkflowExecutions.LABEL_TARGET_HASH, target.hash());
        if (useFieldSelector) {
            query = query.withField("spec.targetResource", target.key());
        }
        return query.list().getItems();
    }

    /** GET straight from the API server; null when it does not exist. */
    public WorkflowExecution get(String name) {
        return client.resources(WorkflowExecution.class).inNamespace(namespace).withName(name).get();
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
