package ai.kubernaut.orchestrator.it;

import static ai.kubernaut.orchestrator.model.RemediationRequestStatus.OverallPhase.BLOCKED;
import static ai.kubernaut.orchestrator.model.RemediationRequestStatus.OverallPhase.COMPLETED;
import static ai.kubernaut.orchestrator.model.RemediationRequestStatus.OverallPhase.EXECUTING;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.orchestrator.cluster.TestApiServerResource;
import ai.kubernaut.orchestrator.cluster.TestCatalog;
import ai.kubernaut.orchestrator.model.RemediationRequest;
import ai.kubernaut.orchestrator.model.WorkflowExecution;
import ai.kubernaut.orchestrator.model.WorkflowExecutionStatus;
import ai.kubernaut.orchestrator.reconcile.CreationHook;
import ai.kubernaut.orchestrator.sharding.ShardRing;
import ai.kubernaut.orchestrator.sharding.Shards;
import ai.kubernaut.orchestrator.target.Target;
import ai.kubernaut.orchestrator.testing.ClusterOps;
import ai.kubernaut.orchestrator.testing.Fixtures;
import ai.kubernaut.orchestrator.testing.Replicas;
import ai.kubernaut.orchestrator.workflow.WorkflowExecutions;
import ai.kubernaut.testserver.Caller;
import ai.kubernaut.testserver.RequestRecord;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Issue 18: an RR or WFE carrying a shard label that is a valid shard but not the one its spec gives (copied
 * YAML). It is in the label-selected caches of the label's shard owner only: that replica relabels it, once, and
 * the owner of its spec's shard, which sees the target's WFEs, runs it. And a WFE copy that no event refreshes
 * (one the replica's watch does not cover) is read again instead of blocking an RR until its phase times out.
 * Two replicas per test, each with a token naming its pod, so the request log says who wrote what.
 */
@QuarkusTest
@QuarkusTestResource(value = TestApiServerResource.class, restrictToAnnotatedClass = false)
class MisfiledObjectsTest extends ReplicasTestBase {

    static final List<String> PODS = List.of("ro-misfiled-0", "ro-misfiled-1");

    /** Two replicas in {@code namespace}, ready and each seeing the other. */
    ClusterOps twoReplicas(String namespace) {
        ClusterOps cluster = inNamespace(namespace);
        Iterator<String> pods = PODS.iterator();
        replicas = new Replicas(() -> TestApiServerResource.server().client(
                Caller.serviceAccountToken(namespace, TestApiServerResource.SERVICE, pods.next())), metrics);
        PODS.forEach(pod -> replicas.start(settings(namespace, pod), CreationHook.NONE));
        await().atMost(WAIT).until(() -> replicas.allReady() && replicas.controllers().stream()
                .allMatch(c -> String.valueOf(c.healthData().get("members")).split(",").length == PODS.size()));
        return cluster;
    }

    /** A shard {@code pod} owns among {@link #PODS}. */
    static String shardOwnedBy(String pod) {
        for (String shard : Shards.all()) {
            if (ShardRing.owner(shard, PODS).orElseThrow().equals(pod)) {
                return shard;
            }
        }
        throw new IllegalStateException("no shard owned by " + pod);
    }

    static RemediationRequest rr(String name, Target target, String shardLabel) {
        RemediationRequest rr = Fixtures.request(name, Fixtures.fingerprint(name), TestCatalog.RESTART, "critical",
                target.namespace(), target.kind(), target.name());
        Map<String, String> labels = new HashMap<>(rr.getMetadata().getLabels());
        labels.put(Shards.LABEL, shardLabel);
        rr.getMetadata().setLabels(labels);
        return rr;
    }

    /**
     * Creates WFE {@code name} on {@code target} (its spec), of an RR that does not exist, labelled with the target
     * hash of {@code labelledAs} and with {@code shard}, as a copied manifest would have it.
     */
    void createExecution(String namespace, String name, Target target, Target labelledAs, String shard) {
        WorkflowExecution wfe = Fixtures.execution(name, labelledAs, target.key(), "restart-deployment",
                "rr-elsewhere", "uid-elsewhere", null, null);
        Map<String, String> labels = new HashMap<>(wfe.getMetadata().getLabels());
        labels.put(Shards.LABEL, shard);
        wfe.getMetadata().setLabels(labels);
        client.resources(WorkflowExecution.class).inNamespace(namespace).resource(wfe).create();
    }

    /** Label patches (metadata, not status) the orchestrator sent for {@code name} of {@code resource}. */
    static Predicate<RequestRecord> labelPatchOf(String namespace, String resource, String name) {
        return r -> r.byService() && namespace.equals(r.namespace()) && r.resource().equals(resource)
                && r.name().equals(name) && r.subresource().isEmpty() && r.verb().equals("patch");
    }

    @Test
    void anRrFiledUnderAnotherShardIsRelabelledByThatShardsOwnerAndRunByItsOwn() {
        String ns = "ro-misfiled-rr";
        ClusterOps cluster = twoReplicas(ns);
        Target target = Fixtures.targetOwnedBy(PODS.get(1), PODS, "shop", "relabel");
        String wrong = shardOwnedBy(PODS.get(0));
        // the target is busy: its first RR runs on the replica that owns it, its WFE in that replica's caches only
        cluster.create(rr("rr-first", target, target.shard()));
        await().atMost(WAIT).until(() -> cluster.phase("rr-first") == EXECUTING);
        String first = cluster.request("rr-first").getStatus().getWorkflowExecutionRef();
        long mark = TestApiServerResource.server().mark();
        double fenced = counter("orchestrator.workflowexecutions.fenced");

        // a second RR made from a copy of another target's manifest: a valid shard label, the wrong one
        cluster.create(rr("rr-copied", target, wrong));

        await().atMost(WAIT).until(() -> target.shard().equals(
                cluster.request("rr-copied").getMetadata().getLabels().get(Shards.LABEL))
                && cluster.phase("rr-copied") == BLOCKED);
        assertEquals(first, cluster.request("rr-copied").getStatus().getRoutingStatus().getBlockingWorkflowExecution(),
                "blocked on the WFE it could not see where it was filed");
        List<RequestRecord> patches = TestApiServerResource.server().requestsSince(mark,
                labelPatchOf(ns, "remediationrequests", "rr-copied"));
        assertEquals(1, patches.size(), "relabelled once: " + patches);
        assertEquals(PODS.get(0), patches.get(0).pod(), "by the owner of the shard its label named");
        assertEquals(fenced, counter("orchestrator.workflowexecutions.fenced"),
                "never routed where its target's WFEs are out of sight (a create there meets a 409)");

        // the first WFE ends: the event reaches the replica that now watches the copied RR, which runs next
        cluster.setPhase(first, WorkflowExecutionStatus.Phase.COMPLETED);
        await().atMost(WAIT).until(() -> cluster.phase("rr-first") == COMPLETED
                && cluster.phase("rr-copied") == EXECUTING);
        assertEquals(2, cluster.executionsOn(target).size());
    }

    @Test
    void aWorkflowExecutionCopiedFromAnotherTargetIsRefiledAndKeepsItsOwnTargetBusy() {
        String ns = "ro-misfiled-wfe";
        ClusterOps cluster = twoReplicas(ns);
        Target target = Fixtures.targetOwnedBy(PODS.get(1), PODS, "shop", "copied-to");
        Target source = Fixtures.targetOwnedBy(PODS.get(0), PODS, "shop", "copied-from");
        // a running WFE of `source`, copied with all its labels, its name and spec.targetResource edited
        long mark = TestApiServerResource.server().mark();
        createExecution(ns, "wfe-hand-made", target, source, source.shard());

        await().atMost(WAIT).until(() -> Map.of(Shards.LABEL, target.shard(), WorkflowExecutions.LABEL_TARGET_HASH,
                target.hash()).entrySet().stream().allMatch(e -> e.getValue().equals(
                        cluster.execution("wfe-hand-made").getMetadata().getLabels().get(e.getKey()))));
        List<RequestRecord> patches = TestApiServerResource.server().requestsSince(mark,
                labelPatchOf(ns, "workflowexecutions", "wfe-hand-made"));
        assertEquals(1, patches.size(), "shard and target hash in one patch: " + patches);
        assertEquals(PODS.get(0), patches.get(0).pod());
        // (a WFE without status has not started: active; the executor starts it now)
        cluster.setPhase("wfe-hand-made", WorkflowExecutionStatus.Phase.RUNNING);

        // an RR on the target now finds it busy instead of starting a second WFE next to it
        cluster.create(rr("rr-next", target, target.shard()));
        await().atMost(WAIT).until(() -> cluster.phase("rr-next") == BLOCKED);
        assertEquals("wfe-hand-made",
                cluster.request("rr-next").getStatus().getRoutingStatus().getBlockingWorkflowExecution());
        assertEquals(1, cluster.activeExecutionsOn(target).size());

        cluster.setPhase("wfe-hand-made", WorkflowExecutionStatus.Phase.COMPLETED);
        await().atMost(WAIT).until(() -> cluster.phase("rr-next") == EXECUTING);
        assertEquals(1, cluster.activeExecutionsOn(target).size());
    }

    /**
     * The WFE a replica would create first on its target exists, filed under a shard of the other replica, and
     * its relabelling is refused: the owner meets it as a 409, reads it by name and blocks on that copy. No event
     * will ever update the copy; it is read again once stale, and the RR runs when the WFE has finished.
     */
    @Test
    void aBlockingWorkflowExecutionNoEventRefreshesIsReadAgain() {
        String ns = "ro-unwatched-wfe";
        ClusterOps cluster = twoReplicas(ns);
        Target target = Fixtures.targetOwnedBy(PODS.get(1), PODS, "shop", "unwatched");
        String wrong = shardOwnedBy(PODS.get(0));
        String name = WorkflowExecutions.name(target, 1);
        String path = "/apis/kubernaut.ai/v1alpha1/namespaces/" + ns + "/workflowexecutions/" + name;
        AtomicInteger refused = new AtomicInteger();
        TestApiServerResource.server().hook((request, caller) -> request.getMethod().equals("PATCH")
                && !caller.isAdmin() && request.getPath().startsWith(path) && !request.getPath().contains("/status")
                        ? refuse(refused) : null);
        createExecution(ns, name, target, target, wrong);
        cluster.setPhase(name, WorkflowExecutionStatus.Phase.RUNNING);
        await().atMost(WAIT).until(() -> refused.get() > 0);

        cluster.create(rr("rr-waiting", target, target.shard()));
        await().atMost(WAIT).until(() -> cluster.phase("rr-waiting") == BLOCKED);
        assertEquals(name, cluster.request("rr-waiting").getStatus().getRoutingStatus().getBlockingWorkflowExecution());
        long mark = TestApiServerResource.server().mark();

        cluster.setPhase(name, WorkflowExecutionStatus.Phase.COMPLETED);
        await().atMost(WAIT).until(() -> cluster.phase("rr-waiting") == EXECUTING);
        assertEquals(WorkflowExecutions.name(target, 2),
                cluster.request("rr-waiting").getStatus().getWorkflowExecutionRef());
        assertEquals(wrong, cluster.execution(name).getMetadata().getLabels().get(Shards.LABEL),
                "still filed where the RR's replica does not watch: only a read could tell it finished");
        assertTrue(TestApiServerResource.server().requestsSince(mark, r -> r.byService() && ns.equals(r.namespace())
                && r.resource().equals("workflowexecutions") && r.verb().equals("get") && r.name().equals(name)
                && PODS.get(1).equals(r.pod())).size() >= 1, "the stale copy was read again");
    }

    private static io.fabric8.mockwebserver.http.MockResponse refuse(AtomicInteger refused) {
        refused.incrementAndGet();
        return new io.fabric8.mockwebserver.http.MockResponse().setResponseCode(503)
                .setHeader("Content-Type", "application/json")
                .setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                        + "\"reason\":\"ServiceUnavailable\",\"code\":503}");
    }
}
