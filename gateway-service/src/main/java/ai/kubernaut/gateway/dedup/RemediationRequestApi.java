package ai.kubernaut.gateway.dedup;

import ai.kubernaut.gateway.model.RemediationRequest;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import java.util.List;

/**
 * The RemediationRequest calls of the Gateway, all uncached (straight to the API server, never an informer),
 * in the controller namespace. Conflicts and absence come back as values; other failures as
 * {@link KubernetesClientException} for {@link ApiCalls} to classify.
 */
public final class RemediationRequestApi {

    /** How to find the RRs of a fingerprint. */
    public enum Lookup {
        /** {@code kubernaut.ai/fingerprint=<first 63>} label selector (works everywhere, the CRUD mock too). */
        LABEL,
        /** {@code spec.signalFingerprint} field selector: needs CRD selectableFields (Kubernetes 1.32+). */
        FIELD_SELECTOR
    }

    sealed interface Created permits Created.Done, Created.Exists {
        record Done(RemediationRequest rr) implements Created {
        }

        /** HTTP 409: an RR of that name exists (the fence). */
        record Exists() implements Created {
        }
    }

    sealed interface StatusWrite permits StatusWrite.Written, StatusWrite.Conflict, StatusWrite.Gone {
        record Written(RemediationRequest rr) implements StatusWrite {
        }

        /** HTTP 409: the RR changed since the resourceVersion we wrote against. */
        record Conflict() implements StatusWrite {
        }

        /** HTTP 404: the RR was deleted. */
        record Gone() implements StatusWrite {
        }
    }

    private final KubernetesClient client;
    private final String namespace;
    private final Lookup lookup;

    RemediationRequestApi(KubernetesClient client, String namespace, Lookup lookup) {
        this.client = client;
        this.namespace = namespace;
        this.lookup = lookup;
    }

    String namespace() {
        return namespace;
    }

    private MixedOperation<RemediationRequest, KubernetesResourceList<RemediationRequest>, Resource<RemediationRequest>> rrs() {
        return client.resources(RemediationRequest.class);
    }

    /** The RRs that may carry this fingerprint; callers confirm {@code spec.signalFingerprint} themselves. */
    List<RemediationRequest> listByFingerprint(String fingerprint) {
        var op = rrs().inNamespace(namespace);
        var filtered = lookup == Lookup.FIELD_SELECTOR
                ? op.withField("spec.signalFingerprint", fingerprint)
                : op.withLabel(DedupRules.FINGERPRINT_LABEL, DedupRules.fingerprintLabelValue(fingerprint));
        return filtered.list().getItems();
    }

    /** Uncached read; null when it does not exist. */
    RemediationRequest get(String name) {
        return rrs().inNamespace(namespace).withName(name).get();
    }

    Created create(RemediationRequest rr) {
        try {
            return new Created.Done(rrs().inNamespace(namespace).resource(rr).create());
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
    StatusWrite patchStatus(RemediationRequest current, String mergePatchJson) {
        try {
            return new StatusWrite.Written(rrs().inNamespace(namespace).resource(current).status()
                    .patch(PatchContext.of(PatchType.JSON_MERGE), mergePatchJson));
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                return new StatusWrite.Conflict();
            }
            if (e.getCode() == 404) {
                return new StatusWrite.Gone();
            }
            throw e;
        }
    }
}
