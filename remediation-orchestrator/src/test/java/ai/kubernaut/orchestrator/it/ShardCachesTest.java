package ai.kubernaut.orchestrator.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.orchestrator.cluster.TestApiServerResource;
import ai.kubernaut.orchestrator.cluster.TestCatalog;
import ai.kubernaut.orchestrator.kube.InformerRestarts;
import ai.kubernaut.orchestrator.kube.SupervisedInformer;
import ai.kubernaut.orchestrator.model.RemediationRequest;
import ai.kubernaut.orchestrator.model.WorkflowExecution;
import ai.kubernaut.orchestrator.model.WorkflowExecutionStatus;
import ai.kubernaut.orchestrator.request.Phases;
import ai.kubernaut.orchestrator.sharding.ShardCaches;
import ai.kubernaut.orchestrator.sharding.Shards;
import ai.kubernaut.orchestrator.target.Target;
import ai.kubernaut.orchestrator.testing.ClusterOps;
import ai.kubernaut.orchestrator.testing.Fixtures;
import ai.kubernaut.orchestrator.workflow.WorkflowExecutionView;
import ai.kubernaut.orchestrator.workflow.WorkflowExecutions;
import ai.kubernaut.testserver.RequestRecord;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 19: what the orchestrator's shard caches hold and list. No terminal RR and no payload; lists in pages; an
 * ownership change lists only the shards gained (LISTs counted per shard selector in the request log) and drops
 * the shards lost; the groups stay few.
 */
@QuarkusTest
@QuarkusTestResource(value = TestApiServerResource.class, restrictToAnnotatedClass = false)
class ShardCachesTest {

    static final Duration WAIT = Duration.ofSeconds(30);
    static final Pattern SHARDS = Pattern.compile("kubernaut\\.ai/shard in \\(([^)]*)\\)");

    final List<String> requestEvents = new CopyOnWriteArrayList<>();
    final List<AutoCloseable> closing = new ArrayList<>();
    KubernetesClient admin;

    ShardCaches caches(String namespace, WorkflowExecutionView view) {
        admin = TestApiServerResource.server().adminClient();
        closing.add(admin);
        TestCatalog.install(admin, namespace);
        KubernetesClient client = TestApiServerResource.orchestratorClient(namespace);
        closing.add(client);
        InformerRestarts restarts = InformerRestarts.standard("test-caches-" + namespace);
        closing.add(() -> restarts.timer().shutdownNow());
        ShardCaches caches = new ShardCaches(client, namespace, 0, restarts, view, new ResourceEventHandler<>() {
            @Override
            public void onAdd(RemediationRequest rr) {
                requestEvents.add("add " + rr.getMetadata().getName() + " " + Phases.phaseOf(rr).getValue());
            }

            @Override
            public void onUpdate(RemediationRequest old, RemediationRequest rr) {
                requestEvents.add("update " + rr.getMetadata().getName() + " "
                        + Phases.phaseOf(old).getValue() + "->" + Phases.phaseOf(rr).getValue());
            }

            @Override
            public void onDelete(RemediationRequest rr, boolean unknownFinalState) {
                requestEvents.add("delete " + rr.getMetadata().getName());
            }
        }, new ResourceEventHandler<>() {
            @Override
            public void onAdd(WorkflowExecution wfe) {
            }

            @Override
            public void onUpdate(WorkflowExecution old, WorkflowExecution wfe) {
            }

            @Override
            public void onDelete(WorkflowExecution wfe, boolean unknownFinalState) {
            }
        });
        closing.add(0, caches);
        return caches;
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
        closing.clear();
    }

    /** {@code count} targets in distinct shards, named {@code prefix-n}. */
    static List<Target> targetsInDistinctShards(String prefix, int count) {
        List<Target> targets = new ArrayList<>();
        SortedSet<String> shards = new TreeSet<>();
        for (int n = 0; targets.size() < count; n++) {
            Target target = new Target("shop", "Deployment", prefix + "-" + n);
            if (shards.add(target.shard())) {
                targets.add(target);
            }
        }
        return targets;
    }

    /** An active RR on {@code target}, labelled with its shard as the Gateway creates it, carrying a payload. */
    static RemediationRequest request(String name, Target target) {
        RemediationRequest rr = Fixtures.request(name, Fixtures.fingerprint(target.key()), TestCatalog.RESTART,
                "critical", target.namespace(), target.kind(), target.name());
        java.util.Map<String, String> labels = new java.util.HashMap<>(rr.getMetadata().getLabels());
        labels.put(Shards.LABEL, target.shard());
        rr.getMetadata().setLabels(labels);
        rr.getSpec().setOriginalPayload("{\"status\":\"firing\",\"labels\":{\"alertname\":\"KubePodCrashLooping\"}}");
        rr.getSpec().setSignalLabels(java.util.Map.of("alertname", "KubePodCrashLooping"));
        return rr;
    }

    static WorkflowExecution execution(RemediationRequest rr, Target target, long sequence) {
        return WorkflowExecutions.build(rr, target, new ai.kubernaut.orchestrator.catalog.WorkflowSelection(
                "restart-deployment", null, null, null, null, java.util.Map.of(), java.util.Optional.empty()),
                sequence);
    }

    /** The shard sets of the LISTs of {@code resource} in {@code namespace} since {@code mark}, one per LIST. */
    static List<SortedSet<String>> listedShardSets(long mark, String namespace, String resource) {
        List<SortedSet<String>> sets = new ArrayList<>();
        for (RequestRecord r : TestApiServerResource.server().requestsSince(mark, r -> r.byService()
                && namespace.equals(r.namespace()) && r.resource().equals(resource) && r.verb().equals("list"))) {
            Matcher m = SHARDS.matcher(URLDecoder.decode(r.query(), StandardCharsets.UTF_8));
            if (m.find()) {
                sets.add(new TreeSet<>(Arrays.asList(m.group(1).split(","))));
            }
        }
        return sets;
    }

    static SortedSet<String> shardsOf(Target... targets) {
        SortedSet<String> shards = new TreeSet<>();
        for (Target t : targets) {
            shards.add(t.shard());
        }
        return shards;
    }

    @Test
    void anOwnershipChangeListsOnlyTheShardsGainedAndDropsTheLost() throws Exception {
        String ns = "ro-caches-move";
        WorkflowExecutionView view = new WorkflowExecutionView(ns);
        ShardCaches caches = caches(ns, view);
        ClusterOps cluster = new ClusterOps(admin, ns);
        List<Target> t = targetsInDistinctShards("move", 3);
        for (int i = 0; i < 3; i++) {
            RemediationRequest rr = cluster.create(request("rr-move-" + i, t.get(i)));
            admin.resources(WorkflowExecution.class).inNamespace(ns).resource(execution(rr, t.get(i), 1)).create();
        }

        long first = TestApiServerResource.server().mark();
        caches.switchTo(shardsOf(t.get(0), t.get(1)), WAIT);
        assertEquals(shardsOf(t.get(0), t.get(1)), caches.shards());
        assertNotNull(caches.request("rr-move-0"));
        assertNotNull(caches.request("rr-move-1"));
        assertNull(caches.request("rr-move-2"));
        assertEquals(1, view.onTarget(t.get(1)).size());
        assertEquals(List.of(shardsOf(t.get(0), t.get(1))), listedShardSets(first, ns, "remediationrequests"));
        assertEquals(List.of(shardsOf(t.get(0), t.get(1))), listedShardSets(first, ns, "workflowexecutions"));

        // shard 0 moves to another replica, shard 2 comes here: one LIST each of shard 2 alone, nothing of shard 1
        long second = TestApiServerResource.server().mark();
        caches.switchTo(shardsOf(t.get(1), t.get(2)), WAIT);
        assertEquals(List.of(shardsOf(t.get(2))), listedShardSets(second, ns, "remediationrequests"));
        assertEquals(List.of(shardsOf(t.get(2))), listedShardSets(second, ns, "workflowexecutions"));
        assertEquals(shardsOf(t.get(1), t.get(2)), caches.shards());
        assertNull(caches.request("rr-move-0"), "the lost shard's RR is dropped");
        assertTrue(view.onTarget(t.get(0)).isEmpty(), "and its WFE");
        assertNotNull(caches.request("rr-move-1"));
        assertNotNull(caches.request("rr-move-2"));
        assertEquals(1, view.onTarget(t.get(2)).size());
        assertEquals(2, caches.requests().size());
        assertEquals(2, caches.groupCount());

        // the lost shard's events still reach the first group's watch (its selector cannot change): declined
        admin.resources(RemediationRequest.class).inNamespace(ns).withName("rr-move-0").edit(rr -> {
            rr.getMetadata().getLabels().put("touched", "yes");
            return rr;
        });
        admin.resources(RemediationRequest.class).inNamespace(ns).withName("rr-move-1").edit(rr -> {
            rr.getMetadata().getLabels().put("touched", "yes");
            return rr;
        });
        await().atMost(WAIT).until(() -> requestEvents.contains("update rr-move-1 Pending->Pending"));
        assertNull(caches.request("rr-move-0"));
        assertEquals(2, caches.requests().size());

        // every shard lost by a group: the group is closed
        caches.switchTo(shardsOf(t.get(2)), WAIT);
        assertEquals(1, caches.groupCount());
        assertEquals(List.of("rr-move-2"), caches.requests().stream().map(rr -> rr.getMetadata().getName()).toList());
    }

    @Test
    void groupsStayFewAllOwnedShardsAreListedAgainByOneGroupWhenTheyWouldNot() throws Exception {
        String ns = "ro-caches-groups";
        ShardCaches caches = caches(ns, new WorkflowExecutionView(ns));
        List<Target> t = targetsInDistinctShards("groups", 6);
        SortedSet<String> owned = new TreeSet<>();
        for (int i = 0; i < 4; i++) {
            owned.add(t.get(i).shard());
            caches.switchTo(new TreeSet<>(owned), WAIT);
            assertEquals(i + 1, caches.groupCount());
        }
        long mark = TestApiServerResource.server().mark();
        owned.add(t.get(4).shard());
        caches.switchTo(new TreeSet<>(owned), WAIT);
        assertEquals(1, caches.groupCount());
        assertEquals(List.of(owned), listedShardSets(mark, ns, "remediationrequests"));
        assertEquals(owned, caches.shards());
    }

    @Test
    void theRequestCacheHoldsNoTerminalRrAndNoPayloadAndListsInPages() throws Exception {
        String ns = "ro-caches-terminal";
        ShardCaches caches = caches(ns, new WorkflowExecutionView(ns));
        ClusterOps cluster = new ClusterOps(admin, ns);
        Target target = targetsInDistinctShards("terminal", 1).get(0);
        for (int i = 0; i < 520; i++) {
            cluster.create(request("rr-active-" + i, target));
        }
        RemediationRequest labelled = request("rr-done-labelled", target);
        labelled.getMetadata().getLabels().put(Phases.TERMINAL_LABEL, Phases.TERMINAL_LABEL_VALUE);
        cluster.create(labelled);
        setPhase(ns, "rr-done-labelled", "Completed");
        cluster.create(request("rr-done-unlabelled", target));
        setPhase(ns, "rr-done-unlabelled", "Failed");

        long mark = TestApiServerResource.server().mark();
        caches.switchTo(shardsOf(target), WAIT);

        List<RequestRecord> lists = TestApiServerResource.server().requestsSince(mark, r -> r.byService()
                && ns.equals(r.namespace()) && r.resource().equals("remediationrequests") && r.verb().equals("list"));
        assertEquals(2, lists.size(), "522 RRs selected, 521 of them listed, in pages of "
                + SupervisedInformer.LIST_PAGE + ": " + lists);
        assertTrue(lists.stream().allMatch(r -> r.query().contains("limit=" + SupervisedInformer.LIST_PAGE)));
        assertTrue(URLDecoder.decode(lists.get(0).query(), StandardCharsets.UTF_8)
                .contains(Phases.TERMINAL_LABEL + " notin (" + Phases.TERMINAL_LABEL_VALUE + ")"));
        assertEquals(520, caches.requests().size(), "no terminal RR, labelled or not");
        RemediationRequest cached = caches.request("rr-active-7");
        assertNull(cached.getSpec().getOriginalPayload());
        assertNull(cached.getSpec().getSignalLabels());

        // an RR that ends leaves the cache, handlers hear it as an update to its terminal phase (the wake-up of the
        // RRs blocked behind it); the terminal label written after it takes it out of the watch
        setPhase(ns, "rr-active-7", "Completed");
        await().atMost(WAIT).until(() -> requestEvents.contains("update rr-active-7 Pending->Completed"));
        assertNull(caches.request("rr-active-7"));
        admin.resources(RemediationRequest.class).inNamespace(ns).withName("rr-active-7").edit(rr -> {
            rr.getMetadata().getLabels().put(Phases.TERMINAL_LABEL, Phases.TERMINAL_LABEL_VALUE);
            return rr;
        });
        admin.resources(RemediationRequest.class).inNamespace(ns).withName("rr-active-8").edit(rr -> {
            rr.getMetadata().getLabels().put("touched", "yes");
            return rr;
        });
        await().atMost(WAIT).until(() -> requestEvents.contains("update rr-active-8 Pending->Pending"));
        assertNull(caches.request("rr-active-7"));
        assertEquals(519, caches.requests().size());
    }

    /** A WFE history: the cache keeps what routing reads of it, the highest sequence among them. */
    @Test
    void theExecutionCacheKeepsOfATargetsHistoryWhatRoutingReads() throws Exception {
        String ns = "ro-caches-history";
        WorkflowExecutionView view = new WorkflowExecutionView(ns);
        ShardCaches caches = caches(ns, view);
        ClusterOps cluster = new ClusterOps(admin, ns);
        Target target = targetsInDistinctShards("history", 1).get(0);
        RemediationRequest rr = cluster.create(request("rr-history", target));
        for (long seq = 1; seq <= 30; seq++) {
            admin.resources(WorkflowExecution.class).inNamespace(ns).resource(execution(rr, target, seq)).create();
            cluster.setPhase(WorkflowExecutions.name(target, seq), WorkflowExecutionStatus.Phase.COMPLETED);
        }
        // history: its RR is gone (a WFE of an RR still active is kept for it to adopt, ExecutionStoreTest)
        admin.resources(RemediationRequest.class).inNamespace(ns).withName("rr-history").delete();
        caches.switchTo(shardsOf(target), WAIT);
        List<WorkflowExecution> kept = view.onTarget(target);
        assertEquals(List.of(WorkflowExecutions.name(target, 30)), kept.stream().map(w -> w.getMetadata().getName())
                .toList(), "the highest sequence, also the latest completion of its workflow");
        assertEquals(1, caches.executions());
    }

    void setPhase(String ns, String name, String phase) {
        admin.resources(RemediationRequest.class).inNamespace(ns).withName(name).subresource("status")
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"status\":{\"overallPhase\":\"" + phase + "\"}}");
    }
}
