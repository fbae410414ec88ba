package ai.kubernaut.orchestrator.sharding;

import ai.kubernaut.orchestrator.kube.InformerRestarts;
import ai.kubernaut.orchestrator.kube.SupervisedInformer;
import ai.kubernaut.orchestrator.model.RemediationRequest;
import ai.kubernaut.orchestrator.model.WorkflowExecution;
import ai.kubernaut.orchestrator.workflow.WorkflowExecutions;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * Files RRs and WFEs under the shard their spec gives ({@link Shards#labelsOfSpec}), so that the owner of that
 * shard, whose caches hold the target's WFEs, is the one that sees them:
 * <ul>
 * <li>objects without a {@code kubernaut.ai/shard} label, or with a value that is no shard id: RRs created by
 * something other than the Gateway (which labels its own), WFEs created before shards existed. Every replica
 * watches them (none in the steady state); the owner of the spec's shard writes the label;</li>
 * <li>objects with a valid shard label that is not their spec's (a copied manifest): such an object is in the
 * label-selected caches of the label's shard owner only, which cannot see the target's WFEs (an RR would stay
 * Blocked on a stale copy) or hides a WFE from its target's RRs. That owner's caches hand each such object to
 * {@link #refile} and it corrects the labels. The spec is immutable, so this happens once per object; the
 * object then leaves that replica's watch and enters the spec owner's.</li>
 * </ul>
 * A WFE of ours also gets its {@code kubernaut.ai/target-hash} label from its spec. Each correction is one merge
 * patch of metadata.labels, which changes nothing else and is the same value whoever writes it, so a hand-over
 * moment with two writers is harmless and needs no resourceVersion. A failed patch is tried again while the
 * object is still misfiled in the cache that saw it; after one that landed, the object's events still in flight
 * with the old labels are not patched again (for a few seconds).
 */
public final class ShardLabeller implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ShardLabeller.class);
    private static final Duration RETRY_DELAY = Duration.ofSeconds(1);
    /**
     * After a patch landed, events of the object that were on their way before it (its copies with the old labels)
     * are not patched again for this long: the patch's own event follows within it.
     */
    private static final Duration ECHO_WINDOW = Duration.ofSeconds(10);

    private final KubernetesClient client;
    private final String namespace;
    private final Predicate<String> ownsShard;
    private final long resyncMillis;
    private final ScheduledExecutorService retries;
    private final InformerRestarts restarts;
    /** uid -> System.nanoTime() of our last patch that landed, see {@link #ECHO_WINDOW}. */
    private final ConcurrentMap<String, Long> patchedAt = new ConcurrentHashMap<>();
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
        requests = watchUnlabelled(RemediationRequest.class);
        executions = watchUnlabelled(WorkflowExecution.class);
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

    /** After ownership changed: label the unlabelled objects this replica owns now. */
    public void ownershipChanged() {
        if (requests != null) {
            requests.store().list().forEach(rr -> refile(RemediationRequest.class, rr, this::unlabelledRequest));
        }
        if (executions != null) {
            executions.store().list().forEach(wfe -> refile(WorkflowExecution.class, wfe, this::unlabelledExecution));
        }
    }

    /**
     * An object one of this replica's shard caches delivered: when its labels are not those its spec gives, and
     * this replica owns the shard its label names, correct them.
     *
     * @param current the object of a name as that cache has it now (null when gone from it): a failed patch is
     *                tried again while it is there and still misfiled
     * @return whether the object is misfiled (whoever corrects it)
     */
    public <T extends HasMetadata> boolean refile(Class<T> type, T object, Function<String, T> current) {
        if (!Shards.isMisfiled(object)) {
            return false;
        }
        Optional<String> by = Shards.correctedBy(object);
        if (by.isPresent() && ownsShard.test(by.get()) && !patchedLately(object)) {
            patch(type, object, current);
        }
        return true;
    }

    private <T extends HasMetadata> SupervisedInformer<T> watchUnlabelled(Class<T> type) {
        Function<String, T> current = name -> {
            SupervisedInformer<?> informer = type == RemediationRequest.class ? requests : executions;
            return informer == null ? null : type.cast(informer.store().getByKey(namespace + "/" + name));
        };
        ResourceEventHandler<T> fileUnderShard = new ResourceEventHandler<>() {
            @Override
            public void onAdd(T object) {
                refile(type, object, current);
            }

            @Override
            public void onUpdate(T old, T object) {
                refile(type, object, current);
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

    private RemediationRequest unlabelledRequest(String name) {
        return requests == null ? null : requests.store().getByKey(namespace + "/" + name);
    }

    private WorkflowExecution unlabelledExecution(String name) {
        return executions == null ? null : executions.store().getByKey(namespace + "/" + name);
    }

    private <T extends HasMetadata> void patch(Class<T> type, T object, Function<String, T> current) {
        String name = object.getMetadata().getName();
        Map<String, String> labels = Shards.labelsOfSpec(object);
        try {
            client.resources(type).inNamespace(namespace).withName(name).patch(PatchContext.of(PatchType.JSON_MERGE),
                    labelsPatch(labels));
            remember(object);
            LOG.infof("filed under the labels its spec gives: %s %s %s (were %s)", object.getKind(), name, labels,
                    shardLabelsOf(object));
        } catch (KubernetesClientException e) {
            if (e.getCode() != HttpURLConnection.HTTP_NOT_FOUND && !retries.isShutdown()) {
                // until it lands (or the object goes, or its shard moves away): its spec's owner does not see it
                LOG.warnf("could not label %s %s with %s (HTTP %d), trying again in %s: %s", object.getKind(), name,
                        labels, e.getCode(), RETRY_DELAY, e.getMessage());
                retries.schedule(() -> {
                    T now = current.apply(name);
                    if (now != null) {
                        refile(type, now, current);
                    }
                }, RETRY_DELAY.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }

    private boolean patchedLately(HasMetadata object) {
        Long at = object.getMetadata().getUid() == null ? null : patchedAt.get(object.getMetadata().getUid());
        return at != null && System.nanoTime() - at < ECHO_WINDOW.toNanos();
    }

    private void remember(HasMetadata object) {
        long now = System.nanoTime();
        patchedAt.values().removeIf(at -> now - at >= ECHO_WINDOW.toNanos());
        if (object.getMetadata().getUid() != null) {
            patchedAt.put(object.getMetadata().getUid(), now);
        }
    }

    /** {@code {"metadata":{"labels":{...}}}}: sets these labels and leaves every other one alone. */
    private static String labelsPatch(Map<String, String> labels) {
        ObjectNode patch = JsonNodeFactory.instance.objectNode();
        ObjectNode set = patch.putObject("metadata").putObject("labels");
        new java.util.TreeMap<>(labels).forEach(set::put);
        return patch.toString();
    }

    private static Map<String, String> shardLabelsOf(HasMetadata object) {
        Map<String, String> labels = object.getMetadata().getLabels() == null ? Map.of()
                : object.getMetadata().getLabels();
        Map<String, String> shown = new java.util.TreeMap<>();
        for (String key : List.of(Shards.LABEL, WorkflowExecutions.LABEL_TARGET_HASH)) {
            if (labels.containsKey(key)) {
                shown.put(key, labels.get(key));
            }
        }
        return shown;
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
