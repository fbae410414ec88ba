package ai.kubernaut.orchestrator.reconcile;

import ai.kubernaut.orchestrator.kube.ApiFaults;
import ai.kubernaut.orchestrator.model.RemediationRequest;
import ai.kubernaut.orchestrator.model.RemediationRequestStatus;
import ai.kubernaut.orchestrator.request.Phases;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.net.HttpURLConnection;

/**
 * Uncached RR reads and the orchestrator's status writes.
 *
 * <p>A status write is a JSON merge patch on the status subresource that carries the resourceVersion we read
 * (optimistic concurrency: a concurrent writer makes it 409, and the reconcile re-reads and re-decides) and
 * that never mentions {@code status.deduplication}, which belongs to the Gateway: even a server that accepted
 * a stale write could not clobber it.
 */
public final class RemediationRequestApi {

    /** Written only by the Gateway. */
    static final String GATEWAY_OWNED = "deduplication";

    private final KubernetesClient client;
    private final String namespace;
    private final KubernetesSerialization serialization;

    public RemediationRequestApi(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
        this.serialization = client.getKubernetesSerialization();
    }

    /** GET straight from the API server; null when the RR no longer exists (a 404 naming it: {@link ApiFaults}). */
    public RemediationRequest get(String name) {
        return ApiFaults.getUnlessNotFound(client.resources(RemediationRequest.class).inNamespace(namespace)
                .withName(name), name);
    }

    /**
     * Writes {@code desired} as the RR's status (all but the Gateway's fields), conditional on the RR being
     * unchanged since {@code current} was read.
     *
     * @return the RR as stored after the write ({@code current} when nothing changed)
     * @throws StatusConflictException when the RR changed meanwhile (HTTP 409) or is gone (HTTP 404 naming it)
     */
    public RemediationRequest writeStatus(RemediationRequest current, RemediationRequestStatus desired) {
        ObjectNode from = toObject(current.getStatus());
        ObjectNode to = toObject(desired);
        from.remove(GATEWAY_OWNED);
        to.remove(GATEWAY_OWNED);
        ObjectNode statusPatch = MergePatch.between(from, to);
        if (statusPatch.isEmpty()) {
            return current;
        }
        ObjectNode patch = JsonNodeFactory.instance.objectNode();
        patch.putObject("metadata").put("resourceVersion", current.getMetadata().getResourceVersion());
        patch.set("status", statusPatch);
        try {
            return client.resources(RemediationRequest.class).inNamespace(namespace).resource(current)
                    .subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString());
        } catch (KubernetesClientException e) {
            // a 404 that does not name the RR (its type not served for a moment) is no deletion: thrown, retried
            if (e.getCode() == HttpURLConnection.HTTP_CONFLICT
                    || ApiFaults.isObjectNotFound(e, current.getMetadata().getName())) {
                throw new StatusConflictException("status write on " + current.getMetadata().getName()
                        + " at resourceVersion " + current.getMetadata().getResourceVersion() + " lost: HTTP "
                        + e.getCode(), e);
            }
            throw e;
        }
    }

    /**
     * Labels the RR {@code kubernaut.ai/terminal=true}: one JSON merge patch of metadata.labels, without a
     * resourceVersion (terminal phases are final and every writer writes the same value).
     *
     * @return false when the RR is gone (a 404 naming it)
     */
    public boolean labelTerminal(String name) {
        try {
            client.resources(RemediationRequest.class).inNamespace(namespace).withName(name)
                    .patch(PatchContext.of(PatchType.JSON_MERGE), TERMINAL_LABEL_PATCH);
            return true;
        } catch (KubernetesClientException e) {
            if (ApiFaults.isObjectNotFound(e, name)) {
                return false;
            }
            throw e;
        }
    }

    static final String TERMINAL_LABEL_PATCH = "{\"metadata\":{\"labels\":{\"" + Phases.TERMINAL_LABEL + "\":\""
            + Phases.TERMINAL_LABEL_VALUE + "\"}}}";

    /** A deep copy of a status (a fresh one when null), to change and hand to {@link #writeStatus}. */
    public RemediationRequestStatus copyOf(RemediationRequestStatus status) {
        return status == null ? new RemediationRequestStatus()
                : serialization.convertValue(status, RemediationRequestStatus.class);
    }

    private ObjectNode toObject(Object value) {
        if (value == null) {
            return JsonNodeFactory.instance.objectNode();
        }
        JsonNode node = serialization.convertValue(value, JsonNode.class);
        return node instanceof ObjectNode object ? object : JsonNodeFactory.instance.objectNode();
    }
}
