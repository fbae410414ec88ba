package ai.kubernaut.orchestrator.retention;

import ai.kubernaut.orchestrator.kube.ApiFaults;
import ai.kubernaut.orchestrator.model.RemediationRequest;
import ai.kubernaut.orchestrator.model.WorkflowExecution;
import ai.kubernaut.orchestrator.reconcile.RemediationRequestApi;
import ai.kubernaut.orchestrator.request.Phases;
import ai.kubernaut.orchestrator.sharding.Shards;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.ListOptions;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.utils.URLUtils;
import java.net.HttpURLConnection;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/** {@link RetentionApi} on a fabric8 client, uncached (straight to the API server), in one namespace. */
public final class KubeRetentionApi implements RetentionApi {

    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(15);

    private final KubernetesClient client;
    private final String namespace;
    private final RemediationRequestApi requests;

    public KubeRetentionApi(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
        this.requests = new RemediationRequestApi(client, namespace);
    }

    @Override
    public Page<Stored.Request> requests(Collection<String> shards, boolean labelledTerminal, int limit,
            String continueToken) {
        var inShards = client.resources(RemediationRequest.class).inNamespace(namespace)
                .withLabelIn(Shards.LABEL, shards.toArray(String[]::new));
        // != also matches RRs without the label: the active ones and those that ended before the label existed
        var selected = labelledTerminal ? inShards.withLabel(Phases.TERMINAL_LABEL, Phases.TERMINAL_LABEL_VALUE)
                : inShards.withoutLabel(Phases.TERMINAL_LABEL, Phases.TERMINAL_LABEL_VALUE);
        return page(selected.list(options(limit, continueToken)), Stored::of);
    }

    @Override
    public Page<Stored.Execution> executions(Collection<String> shards, int limit, String continueToken) {
        return page(client.resources(WorkflowExecution.class).inNamespace(namespace)
                .withLabelIn(Shards.LABEL, shards.toArray(String[]::new)).list(options(limit, continueToken)),
                Stored::of);
    }

    @Override
    public Page<Stored.LeaseCopy> leases(int limit, String continueToken) {
        return page(client.leases().inNamespace(namespace).list(options(limit, continueToken)), Stored::of);
    }

    @Override
    public Deletion deleteRequest(String name, String uid, String resourceVersion) {
        return delete(RemediationRequest.class, name, uid, resourceVersion);
    }

    @Override
    public Deletion deleteExecution(String name, String uid, String resourceVersion) {
        return delete(WorkflowExecution.class, name, uid, resourceVersion);
    }

    @Override
    public Deletion deleteLease(String name, String uid, String resourceVersion) {
        return delete(Lease.class, name, uid, resourceVersion);
    }

    @Override
    public boolean labelTerminal(String name) {
        return requests.labelTerminal(name);
    }

    @Override
    public boolean requestExists(String name) {
        return requests.get(name) != null;
    }

    @Override
    public boolean executionExists(String name) {
        return ApiFaults.getUnlessNotFound(client.resources(WorkflowExecution.class).inNamespace(namespace)
                .withName(name), name) != null;
    }

    private static ListOptions options(int limit, String continueToken) {
        return new ListOptionsBuilder().withLimit((long) limit).withContinue(continueToken).build();
    }

    private static <T extends HasMetadata, S> Page<S> page(KubernetesResourceList<T> list, Function<T, S> slim) {
        List<S> items = list.getItems().stream().map(slim).toList();
        String token = list.getMetadata() == null ? null : list.getMetadata().getContinue();
        return new Page<>(items, token == null || token.isEmpty() ? null : token);
    }

    /**
     * DELETE with {@code preconditions: {uid, resourceVersion}} (fabric8's own delete sends the resourceVersion
     * only): the API server refuses it with 409 when the object was replaced or changed since it was listed.
     */
    private <T extends HasMetadata> Deletion delete(Class<T> type, String name, String uid, String resourceVersion) {
        String group = HasMetadata.getGroup(type);
        String path = URLUtils.join(client.getMasterUrl().toString(), group.isEmpty() ? "api" : "apis",
                group.isEmpty() ? HasMetadata.getVersion(type) : group + "/" + HasMetadata.getVersion(type),
                "namespaces", namespace, HasMetadata.getPlural(type), name);
        String body = "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"preconditions\":{\"uid\":"
                + quoted(uid) + ",\"resourceVersion\":" + quoted(resourceVersion) + "}}";
        HttpRequest request = client.getHttpClient().newHttpRequestBuilder().uri(path)
                .timeout(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .method("DELETE", "application/json", body).build();
        HttpResponse<String> response;
        try {
            response = client.getHttpClient().sendAsync(request, String.class)
                    .get(CALL_TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KubernetesClientException("interrupted while deleting " + type.getSimpleName() + " " + name, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new KubernetesClientException("no answer deleting " + type.getSimpleName() + " " + name, e);
        }
        int code = response.code();
        if (code == HttpURLConnection.HTTP_OK || code == HttpURLConnection.HTTP_ACCEPTED) {
            return Deletion.DELETED;
        }
        if (code == HttpURLConnection.HTTP_CONFLICT) {
            return Deletion.CHANGED;
        }
        String answer = response.body() == null ? "" : response.body();
        if (code == HttpURLConnection.HTTP_NOT_FOUND && answer.contains("\"name\":\"" + name + "\"")) {
            return Deletion.GONE; // a 404 naming the object (a type not served is no deletion: thrown below)
        }
        throw new KubernetesClientException("deleting " + type.getSimpleName() + " " + name + ": HTTP " + code
                + " " + answer, code, null);
    }

    private static String quoted(String value) {
        return value == null ? "null" : "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
