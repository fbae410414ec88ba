package ai.kubernaut.gateway.lock;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.RequestConfig;
import io.fabric8.kubernetes.client.RequestConfigBuilder;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.time.Duration;
import java.util.function.Function;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Optional;

/** {@link LeaseApi} over fabric8: {@code coordination.k8s.io/v1} Leases in one namespace, every call uncached. */
public final class Fabric8LeaseApi implements LeaseApi {

    /** Labels of every Lease the Gateway writes (docs/contracts.md); a takeover UPDATE labels an old Lease too. */
    public static final String LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String MANAGED_BY = "gateway-service";
    public static final String LABEL_PURPOSE = "kubernaut.ai/lease-purpose";
    public static final String PURPOSE_LOCK = "lock";

    private final NamespacedKubernetesClient client;
    private final String namespace;

    public Fabric8LeaseApi(KubernetesClient client, String namespace) {
        this.client = client.adapt(NamespacedKubernetesClient.class);
        this.namespace = namespace;
    }

    /** The Lease operations of a client whose requests give up after {@code timeout}, never retried by fabric8. */
    private <T> T within(Duration timeout, Function<NonNamespaceOperation<Lease, LeaseList, Resource<Lease>>, T> op) {
        long ms = Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        RequestConfig rc = new RequestConfigBuilder(client.getConfiguration().getRequestConfig())
                .withRequestTimeout((int) ms).withRequestRetryBackoffLimit(0).build();
        return client.withRequestConfig(rc).call(c -> op.apply(c.leases().inNamespace(namespace)));
    }

    @Override
    public Optional<LeaseRecord> get(String name, Duration timeout) {
        try {
            return Optional.ofNullable(within(timeout, leases -> leases.withName(name).get())).map(this::toRecord);
        } catch (KubernetesClientException e) {
            throw apiError("get", name, e);
        }
    }

    @Override
    public LeaseRecord create(LeaseRecord lease, Duration timeout) throws LeaseConflictException {
        try {
            return toRecord(within(timeout, leases -> leases.resource(toLease(lease, false)).create()));
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) { // the CRUD mock says reason Invalid, a real server AlreadyExists: use the code
                throw new LeaseConflictException("lease " + lease.name() + " exists", e);
            }
            throw apiError("create", lease.name(), e);
        }
    }

    @Override
    public LeaseRecord update(LeaseRecord lease, Duration timeout) throws LeaseConflictException {
        if (lease.resourceVersion() == null) {
            throw new IllegalArgumentException("an update must be guarded by a resourceVersion");
        }
        try {
            // update() sends the object's resourceVersion: a PUT the server rejects with 409 if it changed
            return toRecord(within(timeout, leases -> leases.resource(toLease(lease, true)).update()));
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409 || e.getCode() == 404) {
                throw new LeaseConflictException("lease " + lease.name() + " changed since version "
                        + lease.resourceVersion(), e);
            }
            throw apiError("update", lease.name(), e);
        }
    }

    @Override
    public boolean delete(String name, String resourceVersion, Duration timeout) throws LeaseConflictException {
        try {
            return within(timeout, leases -> {
                var resource = leases.withName(name);
                var deleted = resourceVersion == null ? resource.delete()
                        : resource.lockResourceVersion(resourceVersion).delete();
                return !deleted.isEmpty();
            });
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
                .withResourceVersion(withVersion ? r.resourceVersion() : null)
                .addToLabels(LABEL_MANAGED_BY, MANAGED_BY).addToLabels(LABEL_PURPOSE, PURPOSE_LOCK).endMetadata()
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
