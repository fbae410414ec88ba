package ai.kubernaut.orchestrator.sharding;

import ai.kubernaut.orchestrator.kube.InformerRestarts;
import ai.kubernaut.orchestrator.kube.SupervisedInformer;
import ai.kubernaut.orchestrator.model.RemediationRequest;
import ai.kubernaut.orchestrator.model.WorkflowExecution;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.net.HttpURLConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * Files RRs and WFEs that carry no {@code kubernaut.ai/shard} label (or one whose value is no shard id) under
 * their shard, so that the owner's label-selected informers see them: RRs created by something other than the
 * Gateway (which labels its own), and WFEs created before shards existed. Every replica watches the unlabelled objects (none in the steady
 * state); the owner of an object's shard writes the label with one merge patch of metadata.labels, which
 * changes nothing else and is the same value whoever writes it, so a hand-over moment with two writers is
 * harmless and needs no resourceVersion.
 */
public final class ShardLabeller implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ShardLabeller.class);
    private static final Duration RETRY_DELAY = Duration.ofSeconds(1);

    private final KubernetesClient client;
    private final String namespace;
    private final Predicate<String> ownsShard;
    private final long resyncMillis;
    private final ScheduledExecutorService retries;
    private final InformerRestarts restarts;
    private SupervisedInformer<RemediationRequest> requests;
    private SupervisedInformer<WorkflowExecution> executions;

    /**
     * @param ownsShard    whether this replica owns a shard now
     * @param resyncMillis how often unlabelled objects are looked at again (a failed patch, a shard nobody
     *                     owned a moment ago); 0 disables
     */
    public ShardLabeller(KubernetesClient client, String namespace, Predicate<String> ownsShard, long resyncMillis,
            InformerRestarts restarts) {
        this.restarts = restarts;
        this.client = client;
        this.namespace = namespace;
        this.ownsShard = ownsShard;
        this.resyncMillis = resyncMillis;
        this.retries = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ro-shard-labeller");
            t.setDaemon(true);
            return t;
        });
    }

    public ShardLabeller start() {
        requests = watchUnlabelled(RemediationRequest.class, rr -> Optional.of(Shards.ofSpec(rr)));
        executions = watchUnlabelled(WorkflowExecution.class, Shards::ofExecution);
        return this;
    }

    public boolean hasSynced() {
        return requests != null && requests.hasSynced() && executions != null && executions.hasSynced();
    }

    /** What the labeller's informers wait for (first list, or a restart), for readiness data. */
    public List<String> waitingFor() {
        List<String> waiting = new ArrayList<>();
        if (requests != null) {
            requests.waitingFor().ifPresent(waiting::add);
        }
        if (executions != null) {
            executions.waitingFor().ifPresent(waiting::add);
        }
        return waiting;
    }

    /** After ownership changed: label what this replica owns now. */
    public void ownershipChanged() {
        if (requests != null) {
            requests.store().list().forEach(rr -> label(RemediationRequest.class, rr, Shards.ofSpec(rr)));
        }
        if (executions != null) {
            executions.store().list().forEach(wfe -> Shards.ofExecution(wfe)
                    .ifPresent(shard -> label(WorkflowExecution.class, wfe, shard)));
        }
    }

    private <T extends HasMetadata> SupervisedInformer<T> watchUnlabelled(Class<T> type,
            Function<T, Optional<String>> shardOf) {
        ResourceEventHandler<T> fileUnderShard = new ResourceEventHandler<>() {
            @Override
            public void onAdd(T object) {
                shardOf.apply(object).ifPresent(shard -> label(type, object, shard));
            }

            @Override
            public void onUpdate(T old, T object) {
                shardOf.apply(object).ifPresent(shard -> label(type, object, shard));
            }

            @Override
            public void onDelete(T object, boolean unknownFinalState) {
            }
        };
        // absent, or a value that is no shard id (which no replica's selector would ever match)
        return SupervisedInformer.start("unlabelled " + type.getSimpleName() + "s", client.resources(type)
                .inNamespace(namespace).withLabelNotIn(Shards.LABEL, Shards.all()), resyncMillis,
                informer -> informer.addEventHandler(fileUnderShard), restarts);
    }

    private <T extends HasMetadata> void label(Class<T> type, T object, String shard) {
        if (!ownsShard.test(shard)) {
            return;
        }
        String name = object.getMetadata().getName();
        try {
            client.resources(type).inNamespace(namespace).withName(name).patch(PatchContext.of(PatchType.JSON_MERGE),
                    "{\"metadata\":{\"labels\":{\"" + Shards.LABEL + "\":\"" + shard + "\"}}}");
            LOG.debugf("filed under shard %s: %s %s", shard, object.getKind(), name);
        } catch (KubernetesClientException e) {
            if (e.getCode() != HttpURLConnection.HTTP_NOT_FOUND && !retries.isShutdown()) {
                // until it lands (or the object goes, or its shard moves away): no owner watches it meanwhile
                LOG.warnf("could not label %s %s with shard %s (HTTP %d), trying again in %s: %s", object.getKind(),
                        name, shard, e.getCode(), RETRY_DELAY, e.getMessage());
                retries.schedule(() -> labelIfStillUnlabelled(type, object, shard), RETRY_DELAY.toMillis(),
                        TimeUnit.MILLISECONDS);
            }
        }
    }

    private <T extends HasMetadata> void labelIfStillUnlabelled(Class<T> type, T object, String shard) {
        SupervisedInformer<?> informer = type == RemediationRequest.class ? requests : executions;
        if (informer != null && informer.store().getByKey(
                object.getMetadata().getNamespace() + "/" + object.getMetadata().getName()) != null) {
            label(type, object, shard);
        }
    }

    @Override
    public void close() {
        retries.shutdownNow();
        if (requests != null) {
            requests.close();
        }
        if (executions != null) {
            executions.close();
        }
    }
}
