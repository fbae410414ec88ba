package ai.kubernaut.gateway.lock;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Optional;

/** {@link LeaseApi} over fabric8: {@code coordination.k8s.io/v1} Leases in one namespace, every call uncached. */
public final class Fabric8LeaseApi implements LeaseApi {

    private final KubernetesClient client;
    private final String namespace;

    public Fabric8LeaseApi(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    @Override
    public Optional<LeaseRecord> get(String name) {
        try {
            return Optional.ofNullable(client.leases().inNamespace(namespace).withName(name).get()).map(this::toRecord);
        } catch (KubernetesClientException e) {
            throw apiError("get", name, e);
        }
    }

    @Override
    public LeaseRecord create(LeaseRecord lease) throws LeaseConflictException {
        try {
            return toRecord(client.leases().inNamespace(namespace).resource(toLease(lease, false)).create());
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) { // the CRUD mock says reason Invalid, a real server AlreadyExists: use the code
                throw new LeaseConflictException("lease " + lease.name() + " exists", e);
            }
            throw apiError("create", lease.name(), e);
        }
    }

    @Override
    public LeaseRecord update(LeaseRecord lease) throws LeaseConflictException {
        if (lease.resourceVersion() == null) {
            throw new IllegalArgumentException("an update must be guarded by a resourceVersion");
        }
        try {
            // update() sends the object's resourceVersion: a PUT the server rejects with 409 if it changed
            return toRecord(client.leases().inNamespace(namespace).resource(toLease(lease, true)).update());
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409 || e.getCode() == 404) {
                throw new LeaseConflictException("lease " + lease.name() + " changed since version "
                        + lease.resourceVersion(), e);
            }
            throw apiError("update", lease.name(), e);
        }
    }

    @Override
    public boolean delete(String name, String resourceVersion) throws LeaseConflictException {
        try {
            var resource = client.leases().inNamespace(namespace).withName(name);
            var deleted = resourceVersion == null ? resource.delete()
                    : resource.lockResourceVersion(resourceVersion).delete();
            return !deleted.isEmpty();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return false;
            }
            if (e.getCode() == 409) {
                throw new LeaseConflictException("lease " + name + " is no longer at version " + resourceVersion, e);
            }
            throw apiError("delete", name, e);
        }
    }

    private LeaseApiException apiError(String verb, String name, KubernetesClientException e) {
        return new LeaseApiException(verb + " lease " + namespace + "/" + name + " failed: HTTP " + e.getCode()
                + " " + e.getMessage(), e.getCode(), e);
    }

    private Lease toLease(LeaseRecord r, boolean withVersion) {
        return new LeaseBuilder()
                .withNewMetadata().withName(r.name()).withNamespace(namespace)
                .withResourceVersion(withVersion ? r.resourceVersion() : null).endMetadata()
                .withNewSpec()
                .withHolderIdentity(r.holderIdentity())
                .withAcquireTime(zoned(r.acquireTime()))
                .withRenewTime(zoned(r.renewTime()))
                .withLeaseDurationSeconds(r.leaseDurationSeconds())
                .withLeaseTransitions(r.leaseTransitions())
                .endSpec().build();
    }

    private LeaseRecord toRecord(Lease l) {
        var spec = l.getSpec();
        return new LeaseRecord(l.getMetadata().getName(),
                spec == null ? null : spec.getHolderIdentity(),
                spec == null ? null : instant(spec.getAcquireTime()),
                spec == null ? null : instant(spec.getRenewTime()),
                spec == null ? null : spec.getLeaseDurationSeconds(),
                spec == null ? null : spec.getLeaseTransitions(),
                l.getMetadata().getResourceVersion());
    }

    private static ZonedDateTime zoned(Instant i) {
        return i == null ? null : i.atZone(ZoneOffset.UTC);
    }

    private static Instant instant(ZonedDateTime z) {
        return z == null ? null : z.toInstant();
    }
}
