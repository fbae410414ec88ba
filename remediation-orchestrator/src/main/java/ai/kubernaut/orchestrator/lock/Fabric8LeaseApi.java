package ai.kubernaut.orchestrator.lock;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.util.Optional;

/** {@link LeaseApi} on a fabric8 client, uncached (straight to the API server), in one namespace. */
public final class Fabric8LeaseApi implements LeaseApi {

    private final KubernetesClient client;
    private final String namespace;

    public Fabric8LeaseApi(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    @Override
    public Optional<Lease> get(String name) {
        return Optional.ofNullable(client.leases().inNamespace(namespace).withName(name).get());
    }

    @Override
    public Lease create(Lease lease) {
        try {
            return client.leases().inNamespace(namespace).resource(lease).create();
        } catch (KubernetesClientException e) {
            // branch on the code: the CRUD mock answers 409 with reason Invalid, a real server AlreadyExists
            throw conflictOr(e, "lease " + lease.getMetadata().getName() + " already exists");
        }
    }

    @Override
    public Lease update(Lease lease) {
        try {
            // update() sends the object's resourceVersion: the server rejects it with 409 when it is stale
            return client.leases().inNamespace(namespace).resource(lease).update();
        } catch (KubernetesClientException e) {
            throw conflictOr(e, "lease " + lease.getMetadata().getName() + " changed since it was read");
        }
    }

    @Override
    public boolean delete(String name, String resourceVersion) {
        try {
            // DeleteOptions.preconditions.resourceVersion: a real server refuses (409) if the Lease was taken over
            return !client.leases().inNamespace(namespace).withName(name).lockResourceVersion(resourceVersion)
                    .delete().isEmpty();
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
                return false;
            }
            throw conflictOr(e, "lease " + name + " changed since it was read");
        }
    }

    private static RuntimeException conflictOr(KubernetesClientException e, String message) {
        return e.getCode() == HttpURLConnection.HTTP_CONFLICT ? new LeaseConflictException(message, e) : e;
    }
}
