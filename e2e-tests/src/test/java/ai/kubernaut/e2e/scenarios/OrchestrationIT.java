package ai.kubernaut.e2e.scenarios;

import ai.kubernaut.e2e.cluster.Cluster;
import ai.kubernaut.e2e.executor.TestWorkflowExecutor;
import ai.kubernaut.e2e.load.Alert;
import ai.kubernaut.e2e.load.LoadResult;
import ai.kubernaut.e2e.load.SignalSender;
import ai.kubernaut.e2e.load.Storm;
import ai.kubernaut.e2e.observe.ActiveOverlaps;
import ai.kubernaut.e2e.observe.KubernautObjects;
import ai.kubernaut.e2e.observe.WatchLog;
import ai.kubernaut.e2e.system.KubernautSystem;
import ai.kubernaut.e2e.system.RemediationRequests;
import ai.kubernaut.e2e.system.Workloads;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scenarios 4 and 5: both services at 3 replicas each plus the test workflow executor, in one namespace.
 */
@ExtendWith(SuiteCluster.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Order(2)
class OrchestrationIT {

    private static KubernautSystem system;
    private static SignalSender sender;
    private static WatchLog rrWatch;
    private static WatchLog wfeWatch;
    private static String appNamespace;

    @BeforeAll
    static void start(Cluster cluster) {
        // (replicas get GATEWAY_RESOLUTION_TIMEOUT=10s, see Replica: this scenario checks pods fold onto their owner)
        system = KubernautSystem.in(cluster).namespacePrefix("flow").gateways(3).orchestrators(3)
                .executor(Duration.ofMillis(150)).start();
        appNamespace = cluster.createNamespace("apps");
        rrWatch = WatchLog.ofRemediationRequests(cluster.admin(), system.namespace());
        wfeWatch = WatchLog.ofWorkflowExecutions(cluster.admin(), system.namespace());
        sender = new SignalSender();
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {sender, rrWatch, wfeWatch, system}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // keep closing the rest
            }
        }
    }

    private static TestWorkflowExecutor executor() {
        return system.executor().orElseThrow();
    }

    private static void awaitAllTerminal(Set<String> rrNames, Duration timeout) {
        Awaitility.await("RRs terminal").atMost(timeout).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            List<GenericKubernetesResource> notDone = KubernautObjects.listRrs(system.cluster().admin(), system.namespace())
                    .stream().filter(rr -> rrNames.contains(rr.getMetadata().getName()))
                    .filter(KubernautObjects::rrActive).toList();
            assertTrue(notDone.isEmpty(), notDone.size() + " RRs not terminal yet, e.g. " + notDone.stream().limit(3)
                    .map(rr -> rr.getMetadata().getName() + "=" + KubernautObjects.rrPhase(rr) + "/"
                            + KubernautObjects.blockReason(rr)).toList());
        });
    }

    private static void awaitNoLeases(String prefix) {
        Awaitility.await("no " + prefix + " Lease left").atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertEquals(List.of(), system.cluster().admin().leases().inNamespace(system.namespace()).list().getItems()
                        .stream().map(l -> l.getMetadata().getName()).filter(n -> n.startsWith(prefix)).toList()));
    }

    /** Scenario 4: 3 RO replicas, 10 RRs on one target created at once. */
    @Test
    @Order(1)
    void orchestratorRaceOnOneTarget() throws Exception {
        int rrCount = ScenarioSize.pick(10, 10);
        String target = "race-target";
        // WFEs that run for a while, as real workflows do: the other RRs find the target busy (Blocked:
        // ResourceBusy) rather than only the lock contended, and are woken up one after the other
        executor().runTime(Duration.ofSeconds(1));
        CountDownLatch gate = new CountDownLatch(1);
        ExecutorService creators = Executors.newFixedThreadPool(rrCount);
        List<Future<String>> created = new ArrayList<>();
        try {
            for (int i = 0; i < rrCount; i++) {
                int n = i;
                created.add(creators.submit(() -> {
                    gate.await();
                    return RemediationRequests.create(system.cluster().admin(), system.namespace(),
                            RemediationRequests.onDeployment(appNamespace, target, "KubePodCrashLooping", "critical", n));
                }));
            }
            gate.countDown();
            Set<String> names = new java.util.HashSet<>();
            for (Future<String> f : created) {
                names.add(f.get());
            }
            awaitAllTerminal(names, Duration.ofSeconds(120));

            List<GenericKubernetesResource> wfes = KubernautObjects.listWfes(system.cluster().admin(), system.namespace())
                    .stream().filter(w -> names.contains(KubernautObjects.wfeRemediationRequest(w))).toList();
            assertEquals(rrCount, wfes.size(), "one WFE per RR, each run in turn");
            assertEquals(1, wfes.stream().map(KubernautObjects::wfeTarget).distinct().count(), "all on the one target");
            ActiveOverlaps.Report report = ActiveOverlaps.wfesPerTarget(wfeWatch);
            assertEquals(List.of(), report.overlaps(), "at any instant at most one active WFE for the target");
            assertEquals(1, report.maxActivePerKey());
            assertTrue(KubernautObjects.listRrs(system.cluster().admin(), system.namespace()).stream()
                            .filter(rr -> names.contains(rr.getMetadata().getName()))
                            .allMatch(rr -> KubernautObjects.rrPhase(rr).equals("Completed")),
                    "all " + rrCount + " RRs completed as the executor completed each WFE");
            awaitNoLeases("ro-lock-");
        } finally {
            creators.shutdownNow();
            executor().runTime(Duration.ofMillis(150));
        }
    }

    /** Scenario 5: alerts through the Gateways for many targets, RRs, WFEs, both services at 3 replicas. */
    @Test
    @Order(2)
    void endToEndThroughBothServices() {
        int targets = ScenarioSize.pick(20, 50);
        int signalsPerTarget = ScenarioSize.pick(6, 10);
        // owner chains by hand where no controller would start real pods for them (embedded, bare control plane)
        boolean byHand = !system.cluster().runsControllers();
        List<Alert> alerts = new ArrayList<>();
        String[] names = {"KubePodCrashLooping", "KubeDeploymentReplicasMismatch", "ContainerMemoryNearLimit", "KubePodNotReady"};
        for (int t = 0; t < targets; t++) {
            String deployment = "app-" + t;
            // a fifth of the targets also get alerts about their pods: owner resolution folds them onto the Deployment
            List<String> pods = byHand && t % 5 == 0
                    ? Workloads.deployment(system.cluster().admin(), appNamespace, deployment, 2) : List.of();
            for (int s = 0; s < signalsPerTarget; s++) {
                String alertName = names[(t + s) % names.length];
                alerts.add(!pods.isEmpty() && s % 2 == 1
                        ? Alert.aboutPod(alertName, appNamespace, pods.get(s % pods.size())).withSeverity("critical")
                        : Alert.aboutDeployment(alertName, appNamespace, deployment));
            }
        }
        int distinctTargets = targets;
        if (byHand) {
            // pods of a CronJob's Job and of a StatefulSet: owner resolution walks Pod -> Job -> CronJob and stops at
            // the StatefulSet, so each folds onto one target
            String jobPod = Workloads.cronJob(system.cluster().admin(), appNamespace, "nightly-report");
            String stsPod = Workloads.statefulSet(system.cluster().admin(), appNamespace, "postgres");
            for (int s = 0; s < signalsPerTarget; s++) {
                alerts.add(Alert.aboutPod("KubeJobFailed", appNamespace, jobPod));
                alerts.add(Alert.aboutPod("KubePodNotReady", appNamespace, stsPod));
            }
            distinctTargets += 2;
        }
        Collections.shuffle(alerts, new Random(5));
        LoadResult result = Storm.run(20, alerts.size(), i -> sender.sendAlert(system.gateways().get(i % 3), alerts.get(i)));
        assertEquals(alerts.size(), result.countWhere(o -> o.code() == 201 || o.code() == 202),
                "every alert accepted: " + result.countsByCode() + "\n" + result.unexpected(Set.of(201, 202)));

        Set<String> rrNames = result.outcomes().stream().map(Answers::rrName).collect(Collectors.toSet());
        awaitAllTerminal(rrNames, Duration.ofSeconds(180));

        ActiveOverlaps.Report rrReport = ActiveOverlaps.rrsPerFingerprint(rrWatch);
        assertEquals(List.of(), rrReport.overlaps(), "never two active RRs for one fingerprint");
        ActiveOverlaps.Report wfeReport = ActiveOverlaps.wfesPerTarget(wfeWatch);
        assertEquals(List.of(), wfeReport.overlaps(), "never two active WFEs for one target");

        Map<String, Long> wfesPerRr = KubernautObjects.listWfes(system.cluster().admin(), system.namespace()).stream()
                .collect(Collectors.groupingBy(KubernautObjects::wfeRemediationRequest, Collectors.counting()));
        List<String> withoutOneWfe = rrNames.stream().filter(n -> wfesPerRr.getOrDefault(n, 0L) != 1L).toList();
        assertEquals(List.of(), withoutOneWfe, "each RR of the run got exactly one WFE");
        assertEquals(distinctTargets, result.outcomes().stream().map(Answers::fingerprint).distinct().count(),
                "pod alerts resolved to their top-level owner: one fingerprint per target");
        awaitNoLeases("gw-lock-");
        awaitNoLeases("ro-lock-");
        System.out.printf("scenario 5: %d alerts, %d RRs, %d WFEs, %s, executor completed %d%n", alerts.size(),
                rrNames.size(), wfesPerRr.values().stream().mapToLong(Long::longValue).sum(), result.countsByCode(),
                executor().completedCount());
    }
}
