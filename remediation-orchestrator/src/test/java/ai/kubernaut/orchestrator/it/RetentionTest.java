package ai.kubernaut.orchestrator.it;

import static ai.kubernaut.orchestrator.model.RemediationRequestStatus.OverallPhase.COMPLETED;
import static ai.kubernaut.orchestrator.model.RemediationRequestStatus.OverallPhase.EXECUTING;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.orchestrator.cluster.TestApiServerResource;
import ai.kubernaut.orchestrator.controller.ControllerSettings;
import ai.kubernaut.orchestrator.lock.LeaseLockManager;
import ai.kubernaut.orchestrator.lock.LockObserver;
import ai.kubernaut.orchestrator.lock.LockSettings;
import ai.kubernaut.orchestrator.lock.Fabric8LeaseApi;
import ai.kubernaut.orchestrator.model.RemediationRequest;
import ai.kubernaut.orchestrator.model.WorkflowExecution;
import ai.kubernaut.orchestrator.model.WorkflowExecutionStatus;
import ai.kubernaut.orchestrator.reconcile.CreationHook;
import ai.kubernaut.orchestrator.retention.KubeRetentionApi;
import ai.kubernaut.orchestrator.retention.LeaseSweep;
import ai.kubernaut.orchestrator.retention.RetentionApi;
import ai.kubernaut.orchestrator.retention.RetentionObserver;
import ai.kubernaut.orchestrator.retention.RetentionSettings;
import ai.kubernaut.orchestrator.retention.RetentionSweep;
import ai.kubernaut.orchestrator.retention.TargetLocks;
import ai.kubernaut.orchestrator.sharding.Shards;
import ai.kubernaut.orchestrator.target.Target;
import ai.kubernaut.orchestrator.testing.ClusterOps;
import ai.kubernaut.orchestrator.testing.Fixtures;
import ai.kubernaut.orchestrator.testing.History;
import ai.kubernaut.orchestrator.testing.PauseBeforeCreate;
import ai.kubernaut.orchestrator.workflow.WorkflowExecutions;
import ai.kubernaut.testserver.RequestRecord;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The retention sweep against the strict test API server with the orchestrator's deploy RBAC: paged LISTs by the
 * terminal label and the shards, DELETEs with uid and resourceVersion preconditions that the server enforces, and
 * the fence of ADR-052-003 intact while a creator is paused and the target's history is swept under it.
 */
@QuarkusTest
@QuarkusTestResource(value = TestApiServerResource.class, restrictToAnnotatedClass = false)
class RetentionTest extends ReplicasTestBase {

    static final Duration LEASE = Duration.ofSeconds(1);

    @Override
    ControllerSettings settings(String namespace, String pod) {
        return super.settings(namespace, pod).withLeaseDuration(LEASE);
    }

    RetentionSweep sweep(String namespace, KubernetesClient as) {
        LeaseLockManager locks = new LeaseLockManager(new LockSettings("ro-lock-", "ro-sweeper", LEASE),
                new Fabric8LeaseApi(as, namespace), Clock.systemUTC(), LockObserver.NONE);
        return new RetentionSweep(new KubeRetentionApi(as, namespace), () -> new TreeSet<>(List.of(Shards.all())),
                TargetLocks.of(locks), RetentionSettings.defaults(), Clock.systemUTC(), d -> Thread.sleep(d.toMillis()),
                RetentionObserver.NONE);
    }

    static Instant ago(Duration d) {
        return Instant.now().minus(d);
    }

    Set<String> names(List<? extends io.fabric8.kubernetes.api.model.HasMetadata> objects) {
        return objects.stream().map(o -> o.getMetadata().getName()).collect(Collectors.toSet());
    }

    @Test
    void sweepDeletesNonHeadsWithPreconditionsTheServerEnforces() throws Exception {
        String ns = "ro-retention-sweep";
        ClusterOps cluster = inNamespace(ns);
        Target target = new Target("shop", "Deployment", "swept");
        String fp = Fixtures.fingerprint("swept");
        String x1 = History.successor(fp, null);
        String x2 = History.successor(fp, x1);
        String x3 = History.successor(fp, x2);
        History.finished(client, ns, x1, fp, null, target, 1, ago(Duration.ofDays(3)));
        History.finished(client, ns, x2, fp, x1, target, 2, ago(Duration.ofDays(2)));
        History.finished(client, ns, x3, fp, x2, target, 3, ago(Duration.ofDays(1).plusHours(1)));
        // a terminal RR from before the label: found among the unlabelled ones and labelled
        RemediationRequest unlabelled = cluster.create(History.request("rr-before-labels", Fixtures.fingerprint("old"),
                null, new Target("shop", "Deployment", "old")));
        unlabelled.setStatus(new ai.kubernaut.orchestrator.model.RemediationRequestStatus());
        unlabelled.getStatus().setOverallPhase(COMPLETED);
        client.resources(RemediationRequest.class).inNamespace(ns).resource(unlabelled).updateStatus();
        long mark = TestApiServerResource.server().mark();

        try (KubernetesClient orchestrator = TestApiServerResource.orchestratorClient(ns)) {
            RetentionSweep.Result result = sweep(ns, orchestrator).sweep();
            assertEquals(1, result.labelled());
            assertEquals(4, result.deleted(), "two RRs and their WFEs");
        }

        assertEquals(Set.of(x3, "rr-before-labels"), names(cluster.requests()));
        assertEquals(Set.of(WorkflowExecutions.name(target, 3)), names(cluster.executions()));
        assertTrue(ai.kubernaut.orchestrator.request.Phases.isLabelledTerminal(cluster.request("rr-before-labels")));
        List<RequestRecord> served = TestApiServerResource.server().requestsSince(mark, RequestRecord::byService);
        List<RequestRecord> deletes = served.stream().filter(r -> r.method().equals("DELETE")).toList();
        assertEquals(4, deletes.size());
        assertTrue(deletes.stream().allMatch(r -> r.code() == 200 && r.body().contains("\"uid\":\"")
                && r.body().contains("\"resourceVersion\":\"")), "every DELETE names uid and resourceVersion");
        List<RequestRecord> lists = served.stream().filter(r -> r.verb().equals("list")).toList();
        assertTrue(lists.stream().allMatch(r -> r.query().contains("limit=500")), "paged LISTs: " + lists);
        assertTrue(lists.stream().anyMatch(r -> r.query().contains("kubernaut.ai%2Fterminal%3Dtrue")
                || r.query().contains("kubernaut.ai/terminal=true")), "candidates by the terminal label: " + lists);

        // the server enforces the preconditions: a moved resourceVersion or another uid is refused
        try (KubernetesClient orchestrator = TestApiServerResource.orchestratorClient(ns)) {
            RetentionApi api = new KubeRetentionApi(orchestrator, ns);
            RemediationRequest head = cluster.request(x3);
            assertEquals(RetentionApi.Deletion.CHANGED, api.deleteRequest(x3, head.getMetadata().getUid(), "1"));
            assertEquals(RetentionApi.Deletion.CHANGED, api.deleteRequest(x3, "another-uid",
                    head.getMetadata().getResourceVersion()));
            assertEquals(RetentionApi.Deletion.GONE, api.deleteRequest(x1, "any", "1"));
            assertEquals(Set.of(x3, "rr-before-labels"), names(cluster.requests()));
        }
    }

    @Test
    void leasesLeftBehindAreDeletedLiveOnesStay() throws Exception {
        String ns = "ro-retention-leases";
        inNamespace(ns);
        var now = java.time.ZonedDateTime.now(ZoneOffset.UTC);
        client.leases().inNamespace(ns).resource(new LeaseBuilder().withNewMetadata().withName("ro-member-ro-killed")
                .endMetadata().withNewSpec().withHolderIdentity("ro-killed").withLeaseDurationSeconds(15)
                .withRenewTime(now.minusMinutes(5)).endSpec().build()).create();
        client.leases().inNamespace(ns).resource(new LeaseBuilder().withNewMetadata().withName("ro-member-ro-alive")
                .endMetadata().withNewSpec().withHolderIdentity("ro-alive").withLeaseDurationSeconds(15)
                .withRenewTime(now).endSpec().build()).create();
        client.leases().inNamespace(ns).resource(new LeaseBuilder().withNewMetadata().withName("ro-lock-00aa00aa00aa00aa")
                .endMetadata().withNewSpec().withHolderIdentity("ro-killed/1").withLeaseDurationSeconds(30)
                .withRenewTime(now.minusHours(1)).endSpec().build()).create();
        try (KubernetesClient orchestrator = TestApiServerResource.orchestratorClient(ns)) {
            LeaseSweep sweep = new LeaseSweep(new KubeRetentionApi(orchestrator, ns), shard -> true,
                    RetentionSettings.defaults(), Duration.ofSeconds(30), Duration.ofSeconds(15), Clock.systemUTC(),
                    d -> Thread.sleep(d.toMillis()), RetentionObserver.NONE);
            assertEquals(2, sweep.sweep());
        }
        assertEquals(Set.of("ro-member-ro-alive"), names(client.leases().inNamespace(ns).list().getItems()));
    }

    /**
     * ADR-052-003, "Retention": a creator decides W(T, 3) and pauses under its Lease; meanwhile another replica takes
     * the expired Lease, creates W(T, 3), that one finishes, a newer RR runs W(T, 4), and the sweep deletes the
     * target's old history (non-heads past retention). The woken creator's create of W(T, 3) still meets its name:
     * 409, and it ends without a second active WFE.
     */
    @Test
    void aPausedCreatorWakingAfterTheHistoryWasSweptIsStillFenced() throws Exception {
        String ns = "ro-retention-fence";
        ClusterOps cluster = inNamespace(ns);
        Target target = Fixtures.targetOwnedBy("ro-b", List.of("ro-a", "ro-b"), "shop", "swept-fence");
        String fp = Fixtures.fingerprint("swept-fence");
        String x1 = History.successor(fp, null);
        String x2 = History.successor(fp, x1);
        History.finished(client, ns, x1, fp, null, target, 1, ago(Duration.ofDays(3)));
        History.finished(client, ns, x2, fp, x1, target, 2, ago(Duration.ofDays(2)));
        String y = History.successor(fp, x2);
        PauseBeforeCreate pause = new PauseBeforeCreate(y);
        replicas.start(settings(ns, "ro-a"), pause);
        cluster.create(History.request(y, fp, x2, target));
        await().atMost(WAIT).until(pause::isPaused);
        assertEquals(WorkflowExecutions.name(target, 3), pause.decided());

        // ro-b owns the target once it joins, takes the expired Lease and runs W3 for the same RR
        replicas.start(settings(ns, "ro-b"), CreationHook.NONE);
        await().atMost(WAIT).until(() -> cluster.phase(y) == EXECUTING);
        cluster.setPhase(pause.decided(), WorkflowExecutionStatus.Phase.COMPLETED);
        await().atMost(WAIT).until(() -> cluster.phase(y) == COMPLETED);
        String z = History.successor(fp, y);
        cluster.create(History.request(z, fp, y, target));
        await().atMost(WAIT).until(() -> cluster.phase(z) == EXECUTING);
        assertEquals(WorkflowExecutions.name(target, 4), cluster.request(z).getStatus().getWorkflowExecutionRef());
        await().atMost(WAIT).until(() -> ai.kubernaut.orchestrator.request.Phases.isLabelledTerminal(cluster.request(y)));

        // the sweep: the two old RRs and their WFEs go; Y (ended a moment ago) and Z (active) stay
        try (KubernetesClient orchestrator = TestApiServerResource.orchestratorClient(ns)) {
            assertEquals(4, sweep(ns, orchestrator).sweep().deleted());
        }
        assertEquals(Set.of(y, z), names(cluster.requests()));
        assertEquals(Set.of(WorkflowExecutions.name(target, 3), WorkflowExecutions.name(target, 4)),
                names(cluster.executionsOn(target)));
        double fencedBefore = counter("orchestrator.workflowexecutions.fenced");

        pause.resume();

        await().atMost(WAIT).until(() -> counter("orchestrator.workflowexecutions.fenced") >= fencedBefore + 1);
        await().atMost(WAIT).until(() -> cluster.orchestratorLeases().isEmpty());
        List<WorkflowExecution> onTarget = cluster.executionsOn(target);
        assertEquals(2, onTarget.size(), "the woken creator's W3 met the existing W3: 409");
        assertEquals(List.of(WorkflowExecutions.name(target, 4)), cluster.activeExecutionsOn(target).stream()
                .map(w -> w.getMetadata().getName()).toList(), "one active WFE on the target");
        assertEquals(COMPLETED, cluster.phase(y));
        assertEquals(EXECUTING, cluster.phase(z));
    }
}
