package ai.kubernaut.gateway.dedup;

import ai.kubernaut.gateway.kube.ApiFaults;
import ai.kubernaut.gateway.kube.KubeCalls;
import ai.kubernaut.gateway.model.RemediationRequest;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.util.function.Function;

/**
 * The RemediationRequest calls of the Gateway's signal path, in the controller namespace: GET by name, create, and
 * the status patch. No LIST: the recorder reads from the {@link RemediationRequestView}. Every call waits at most
 * the time it is given (what is left of the signal's deadline) and is never retried by fabric8. Conflicts and
 * absence come back as values; other failures as {@link KubernetesClientException} for the caller to classify.
 */
final class RemediationRequestApi {

    sealed interface Created permits Created.Done, Created.Exists {
        record Done(RemediationRequest rr) implements Created {
        }

        /** HTTP 409: an RR of that name exists (the fence). */
        record Exists() implements Created {
        }
    }

    sealed interface StatusWrite permits StatusWrite.Written, StatusWrite.Conflict, StatusWrite.Gone,
            StatusWrite.NotApplied {
        record Written(RemediationRequest rr) implements StatusWrite {
        }

        /** HTTP 409: the RR changed since the resourceVersion we wrote against. */
        record Conflict() implements StatusWrite {
        }

        /** HTTP 404 naming the RR: it was deleted (any other 404 is thrown, as transient). */
        record Gone() implements StatusWrite {
        }

        /** No answer, but a re-read shows the RR still at the version we wrote against: write again from it. */
        record NotApplied(RemediationRequest current) implements StatusWrite {
        }
    }

    private final KubernetesClient client;
    private final String namespace;

    RemediationRequestApi(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    /** Runs one request that gives up after {@code timeout} (at least 1 ms), with fabric8's own retries off. */
    private <T> T within(Duration timeout, Function<MixedOperation<RemediationRequest,
            KubernetesResourceList<RemediationRequest>, Resource<RemediationRequest>>, T> op) {
        return KubeCalls.within(client, timeout, c -> op.apply(c.resources(RemediationRequest.class)));
    }

    /**
     * Single-key read; null when it does not exist, which only a 404 naming it says: any other 404 (the type not
     * served, as right after an API server restart) is thrown as the transient fault it is ({@link ApiFaults}).
     */
    RemediationRequest get(String name, Duration timeout) {
        return within(timeout, rrs -> ApiFaults.getUnlessNotFound(rrs.inNamespace(namespace).withName(name), name));
    }

    Created create(RemediationRequest rr, Duration timeout) {
        try {
            return new Created.Done(within(timeout, rrs -> rrs.inNamespace(namespace).resource(rr).create()));
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) { // the CRUD mock answers reason Invalid, a real server AlreadyExists
                return new Created.Exists();
            }
            throw e;
        }
    }

    /**
     * A JSON merge patch of the status subresource carrying {@code metadata.resourceVersion}: the API server
     * (and the CRUD mock, for patches) rejects it with 409 if the RR changed since, so a read-modify-write never
     * loses another writer's update. Only the fields in {@code statusPatch} are touched.
     */
    StatusWrite patchStatus(RemediationRequest current, String mergePatchJson, Duration timeout) {
        try {
            // resource(current), not withName(): fabric8 would GET the object first; only its name is used here
            return new StatusWrite.Written(within(timeout, rrs -> rrs.inNamespace(namespace).resource(current)
                    .status().patch(PatchContext.of(PatchType.JSON_MERGE), mergePatchJson)));
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                return new StatusWrite.Conflict();
            }
            if (ApiFaults.isObjectNotFound(e, current.getMetadata().getName())) {
                return new StatusWrite.Gone();
            }
            throw e;
        }
    }
}
