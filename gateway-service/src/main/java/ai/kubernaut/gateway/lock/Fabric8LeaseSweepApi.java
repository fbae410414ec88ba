package ai.kubernaut.gateway.lock;

import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.utils.URLUtils;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** {@link LeaseSweepApi} over fabric8, uncached, in one namespace. */
public final class Fabric8LeaseSweepApi implements LeaseSweepApi {

    private final KubernetesClient client;
    private final String namespace;

    public Fabric8LeaseSweepApi(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    @Override
    public Page list(int limit, String continueToken, Duration timeout) {
        var list = client.leases().inNamespace(namespace)
                .list(new ListOptionsBuilder().withLimit((long) limit).withContinue(continueToken)
                        .withTimeoutSeconds(Math.max(1, timeout.toSeconds())).build());
        String token = list.getMetadata() == null ? null : list.getMetadata().getContinue();
        return new Page(list.getItems().stream().map(Fabric8LeaseSweepApi::listed).toList(),
                token == null || token.isEmpty() ? null : token);
    }

    private static Listed listed(Lease lease) {
        var spec = lease.getSpec();
        ZonedDateTime renewed = spec == null ? null
                : spec.getRenewTime() != null ? spec.getRenewTime() : spec.getAcquireTime();
        Instant at = renewed != null ? renewed.toInstant() : parse(lease.getMetadata().getCreationTimestamp());
        return new Listed(lease.getMetadata().getName(), lease.getMetadata().getUid(),
                lease.getMetadata().getResourceVersion(), spec == null ? null : spec.getHolderIdentity(), at,
                spec == null ? null : spec.getLeaseDurationSeconds());
    }

    private static Instant parse(String timestamp) {
        try {
            return timestamp == null ? null : Instant.parse(timestamp);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * DELETE with {@code preconditions: {uid, resourceVersion}} in the body (fabric8's own delete sends only the
     * resourceVersion): a Lease renewed, taken over or recreated since it was listed is refused with 409.
     */
    @Override
    public Deletion delete(String name, String uid, String resourceVersion, Duration timeout) {
        String url = URLUtils.join(client.getMasterUrl().toString(), "apis", "coordination.k8s.io", "v1",
                "namespaces", namespace, "leases", name);
        String body = "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"preconditions\":{\"uid\":\"" + uid
                + "\",\"resourceVersion\":\"" + resourceVersion + "\"}}";
        HttpRequest request = client.getHttpClient().newHttpRequestBuilder().uri(url)
                .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS).method("DELETE", "application/json", body).build();
        HttpResponse<String> response;
        try {
            response = client.getHttpClient().sendAsync(request, String.class)
                    .get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KubernetesClientException("interrupted while deleting lease " + name, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new KubernetesClientException("no answer deleting lease " + name, e);
        }
        return switch (response.code()) {
            case 200, 202 -> Deletion.DELETED;
            case 404 -> Deletion.GONE;
            case 409 -> Deletion.CHANGED;
            default -> throw new KubernetesClientException("deleting lease " + name + ": HTTP " + response.code() + " "
                    + response.body(), response.code(), null);
        };
    }
}
