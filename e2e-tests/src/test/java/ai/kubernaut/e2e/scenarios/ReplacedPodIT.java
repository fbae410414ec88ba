package ai.kubernaut.e2e.scenarios;

import ai.kubernaut.e2e.cluster.Cluster;
import ai.kubernaut.e2e.executor.TestWorkflowExecutor;
import ai.kubernaut.e2e.load.Alert;
import ai.kubernaut.e2e.load.Outcome;
import ai.kubernaut.e2e.load.Payloads;
import ai.kubernaut.e2e.load.SignalSender;
import ai.kubernaut.e2e.observe.KubernautObjects;
import ai.kubernaut.e2e.replica.Replica;
import ai.kubernaut.e2e.system.KubernautSystem;
import ai.kubernaut.e2e.system.Workloads;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 18: Kubernetes Warning events keep arriving for a pod after its Deployment replaced it. The Gateway used to
 * hash the gone pod as its own target ({@code Pod/x} next to {@code Deployment/y}, cached for a minute), so one
 * workload got two RRs and two remediations. Now a gone pod's owner is derived from its name (its ReplicaSet, read)
 * and every event lands on the Deployment's one RR: one target, one remediation. One Gateway and one orchestrator
 * with the test workflow executor.
 */
@ExtendWith(SuiteCluster.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Order(2)
class ReplacedPodIT {

    private static KubernautSystem system;
    private static SignalSender sender;
    private static String appNamespace;

    @BeforeAll
    static void start(Cluster cluster) {
        system = KubernautSystem.in(cluster).namespacePrefix("pods").gateways(1).orchestrators(1)
                .executor(Duration.ofMillis(150)).start();
        appNamespace = cluster.createNamespace("replaced");
        sender = new SignalSender();
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {sender, system}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // keep closing the rest
            }
        }
    }

    private static KubernetesClient admin() {
        return system.cluster().admin();
    }

    /** No controller acts on workloads here (the embedded cluster, a bare kube-apiserver): chains made by hand. */
    private static boolean byHand() {
        return !system.cluster().runsControllers();
    }

    private static Replica gateway() {
        return system.gateways().get(0);
    }

    private static Outcome event(String reason, String kind, String name) {
        return sender.post(gateway(), Payloads.KUBERNETES_EVENT_PATH,
                Payloads.kubernetesEvent(reason, appNamespace, kind, name), Map.of());
    }

    private static List<GenericKubernetesResource> rrsFor(String fingerprint) {
        return KubernautObjects.listRrs(admin(), system.namespace()).stream()
                .filter(rr -> KubernautObjects.fingerprint(rr).equals(fingerprint)).toList();
    }

    private static List<GenericKubernetesResource> wfesOn(String target) {
        return KubernautObjects.listWfes(admin(), system.namespace()).stream()
                .filter(w -> target.equals(KubernautObjects.wfeTarget(w))).toList();
    }

    /** A pod template that runs nothing anywhere: no node carries this label. */
    private static PodTemplateSpec idleTemplate(String app) {
        return new PodTemplateSpecBuilder().withNewMetadata().addToLabels("app", app).endMetadata().withNewSpec()
                .addToNodeSelector("kubernaut.ai/e2e-no-such-node", "true")
                .addNewContainer().withName("app").withImage("registry.k8s.io/pause:3.9").endContainer().endSpec()
                .build();
    }

    /**
     * Deployment {@code name} with one pod, whose pod is then deleted and replaced by the Deployment's ReplicaSet:
     * returns the gone pod and its replacement. Without controllers (the embedded cluster, a bare control plane)
     * the owner chain is made by hand and the replacement is {@link Workloads#replacePod}; on a cluster with a
     * controller-manager the Deployment's controllers do both.
     */
    private static List<String> podReplacedByItsDeployment(String name) {
        if (byHand()) {
            String gone = Workloads.deployment(admin(), appNamespace, name, 1).get(0);
            return List.of(gone, Workloads.replacePod(admin(), appNamespace, gone));
        }
        admin().apps().deployments().inNamespace(appNamespace).resource(new DeploymentBuilder().withNewMetadata()
                .withName(name).endMetadata().withNewSpec().withReplicas(1).withNewSelector()
                .addToMatchLabels("app", name).endSelector().withTemplate(new PodTemplateSpecBuilder()
                        .withNewMetadata().addToLabels("app", name).endMetadata().withNewSpec().addNewContainer()
                        .withName("app").withImage("registry.k8s.io/pause:3.9").endContainer().endSpec().build())
                .endSpec().build()).create();
        String gone = Awaitility.await("a pod of " + name).atMost(Duration.ofMinutes(2))
                .until(() -> podsOf(name).stream().findFirst().orElse(null), p -> p != null);
        admin().pods().inNamespace(appNamespace).withName(gone).withGracePeriod(0).delete();
        String replacement = Awaitility.await("the replacement of " + gone).atMost(Duration.ofMinutes(2))
                .until(() -> podsOf(name).stream().filter(p -> !p.equals(gone)).findFirst().orElse(null),
                        p -> p != null);
        Awaitility.await(gone + " gone").atMost(Duration.ofMinutes(2))
                .until(() -> admin().pods().inNamespace(appNamespace).withName(gone).get() == null);
        return List.of(gone, replacement);
    }

    private static List<String> podsOf(String app) {
        return admin().pods().inNamespace(appNamespace).withLabel("app", app).list().getItems().stream()
                .map(Pod::getMetadata).map(m -> m.getName()).toList();
    }

    @Test
    @Order(1)
    void warningEventsOfAPodReplacedByItsDeploymentMakeOneTargetAndOneRemediation() {
        TestWorkflowExecutor executor = system.executor().orElseThrow();
        List<String> pods = podReplacedByItsDeployment("web");
        String gone = pods.get(0);
        String replacement = pods.get(1);
        // the remediation is held running while the events arrive: every one of them must count on its one RR
        executor.pause();
        try {
            List<Outcome> outcomes = new ArrayList<>();
            // the first signal names the pod that is gone (a late BackOff of the old container), then both pods
            // keep reporting: the gone pod's events never saw its owner resolved while it existed
            for (int i = 0; i < 6; i++) {
                outcomes.add(event("BackOff", "Pod", i % 2 == 0 ? gone : replacement));
            }
            outcomes.add(event("Unhealthy", "Pod", gone));
            assertEquals(201, outcomes.get(0).code(), outcomes.get(0).body());
            for (Outcome o : outcomes.subList(1, outcomes.size())) {
                assertEquals(202, o.code(), "every later event is a duplicate of the first: " + o.body());
            }
            Set<String> fingerprints = outcomes.stream().map(Answers::fingerprint).collect(Collectors.toSet());
            assertEquals(1, fingerprints.size(), "one fingerprint for the gone pod and its replacement");
            String fingerprint = fingerprints.iterator().next();
            Outcome aboutTheDeployment = sender.sendAlert(gateway(),
                    Alert.aboutDeployment("KubeDeploymentReplicasMismatch", appNamespace, "web"));
            assertEquals(202, aboutTheDeployment.code(), aboutTheDeployment.body());
            assertEquals(fingerprint, Answers.fingerprint(aboutTheDeployment), "the Deployment's own fingerprint");

            List<GenericKubernetesResource> rrs = rrsFor(fingerprint);
            assertEquals(1, rrs.size(), "one RR for the workload");
            Awaitility.await("every occurrence counted").atMost(Duration.ofSeconds(30)).until(() ->
                    KubernautObjects.occurrenceCount(rrsFor(fingerprint).get(0)) == outcomes.size() + 1);
            assertEquals(Set.of(rrs.get(0).getMetadata().getName()),
                    outcomes.stream().map(Answers::rrName).collect(Collectors.toSet()));
            String target = appNamespace + "/Deployment/web";
            Awaitility.await("the remediation of " + target).atMost(Duration.ofSeconds(60))
                    .until(() -> wfesOn(target).size() == 1);
            assertEquals(List.of(), KubernautObjects.listRrs(admin(), system.namespace()).stream()
                    .filter(rr -> !KubernautObjects.fingerprint(rr).equals(fingerprint))
                    .map(rr -> rr.getMetadata().getName()).toList(), "no RR for the pod as its own target");
        } finally {
            executor.resume();
        }
        String target = appNamespace + "/Deployment/web";
        Awaitility.await("the remediation done").atMost(Duration.ofSeconds(60)).until(() -> KubernautObjects
                .listRrs(admin(), system.namespace()).stream().noneMatch(KubernautObjects::rrActive));
        assertEquals(1, wfesOn(target).size(), "one remediation");
        assertEquals(1, KubernautObjects.listWfes(admin(), system.namespace()).size(), "and no other target");
    }

    /**
     * Events about pods that are gone (never seen by the Gateway) of a StatefulSet, a DaemonSet and a CronJob's
     * Job land on their workload's fingerprint: the StatefulSet and DaemonSet confirmed by a read of the owner the
     * name gives (these workloads run no pod anywhere), the CronJob by the schedule time in its Job's name.
     */
    @Test
    @Order(2)
    void eventsOfGonePodsOfOtherWorkloadsLandOnTheirOwners() {
        admin().apps().statefulSets().inNamespace(appNamespace).resource(new StatefulSetBuilder().withNewMetadata()
                .withName("ledger").endMetadata().withNewSpec().withReplicas(0).withServiceName("ledger")
                .withNewSelector().addToMatchLabels("app", "ledger").endSelector()
                .withTemplate(idleTemplate("ledger")).endSpec().build()).create();
        admin().apps().daemonSets().inNamespace(appNamespace).resource(new DaemonSetBuilder().withNewMetadata()
                .withName("node-agent").endMetadata().withNewSpec().withNewSelector()
                .addToMatchLabels("app", "node-agent").endSelector().withTemplate(idleTemplate("node-agent"))
                .endSpec().build()).create();
        long scheduled = Instant.now().getEpochSecond() / 60 - 5;
        TestWorkflowExecutor executor = system.executor().orElseThrow();
        // the RRs stay active while the direct alerts follow, so that these are duplicates of the pods' RRs
        executor.pause();
        try {
            Map<String, String> podsByOwner = Map.of(
                    "statefulset/ledger", "ledger-2",
                    "daemonset/node-agent", "node-agent-x7k2p",
                    "cronjob/nightly", "nightly-" + scheduled + "-q9z4t");
            for (Map.Entry<String, String> e : podsByOwner.entrySet()) {
                Outcome viaPod = event("BackOff", "Pod", e.getValue());
                assertEquals(201, viaPod.code(), e.getKey() + ": " + viaPod.body());
                String[] owner = e.getKey().split("/");
                Outcome direct = sender.sendAlert(gateway(), new Alert("KubePodNotReady", "warning", appNamespace,
                        owner[0], owner[1], Map.of()));
                assertEquals(202, direct.code(), e.getKey() + " is the pod's target: " + direct.body());
                assertEquals(Answers.fingerprint(viaPod), Answers.fingerprint(direct), e.getKey());
            }
        } finally {
            executor.resume();
        }
        Awaitility.await("the remediations done").atMost(Duration.ofSeconds(60)).until(() -> KubernautObjects
                .listRrs(admin(), system.namespace()).stream().noneMatch(KubernautObjects::rrActive));
        assertTrue(KubernautObjects.listWfes(admin(), system.namespace()).stream().map(KubernautObjects::wfeTarget)
                .noneMatch(t -> t.contains("/Pod/")), "no pod became a target of its own");
    }
}
