package ai.kubernaut.e2e.demo;

import ai.kubernaut.testserver.RequestRecord;
import ai.kubernaut.e2e.cluster.Cluster;
import ai.kubernaut.e2e.executor.TestWorkflowExecutor;
import ai.kubernaut.e2e.load.Alert;
import ai.kubernaut.e2e.load.LoadResult;
import ai.kubernaut.e2e.load.Outcome;
import ai.kubernaut.e2e.load.SignalSender;
import ai.kubernaut.e2e.load.Storm;
import ai.kubernaut.e2e.metrics.Metrics;
import ai.kubernaut.e2e.observe.ActiveOverlaps;
import ai.kubernaut.e2e.observe.KubernautObjects;
import ai.kubernaut.e2e.observe.WatchLog;
import ai.kubernaut.e2e.replica.Replica;
import ai.kubernaut.e2e.replica.ServiceKind;
import ai.kubernaut.e2e.system.KubernautSystem;
import ai.kubernaut.e2e.system.Workloads;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * The main job: the whole system on the embedded cluster, with nothing to set up beyond a JDK. Starts the
 * cluster, 3 Gateways, 3 RemediationOrchestrators and the test workflow executor, fires a realistic alert
 * storm (several applications, bursts of duplicates, pods whose alerts fold onto their Deployment), shows
 * progress, checks that no duplicate RR or WFE ever existed, prints a report, and stops everything.
 * Exit code 0 when no duplicate was found, 1 when one was, 2 when the demo could not run.
 *
 * <pre>./mvnw -B -q -Pdemo -DskipTests verify</pre>
 */
public final class Demo {

    private static final PrintStream OUT = System.out;
    private static final ObjectMapper JSON = new ObjectMapper();

    private Demo() {
    }

    public static void main(String[] args) {
        int exit;
        try {
            exit = run();
        } catch (RuntimeException e) {
            OUT.println();
            OUT.println("DEMO FAILED: " + e.getMessage());
            e.printStackTrace(OUT);
            exit = 2;
        }
        OUT.flush();
        System.exit(exit);
    }

    private static void step(long t0, String message) {
        OUT.printf("[%5.1fs] %s%n", (System.nanoTime() - t0) / 1e9, message);
        OUT.flush();
    }

    static int run() {
        long t0 = System.nanoTime();
        OUT.println("Kubernaut demo: Gateway x3 + RemediationOrchestrator x3 on an embedded Kubernetes API server");
        OUT.println("(process logs in " + ai.kubernaut.e2e.cluster.RepoPaths.logs() + ")");
        for (ServiceKind kind : ServiceKind.values()) {
            if (!kind.isBuilt()) {
                throw new IllegalStateException(kind.jar() + " is missing: run ./mvnw -B -q -Pdemo -DskipTests verify "
                        + "from the repository root (it builds the services first)");
            }
        }
        step(t0, "starting the embedded API server (own process, RBAC from deploy/base enforced per service)...");
        try (Cluster cluster = Cluster.fromSystemProperties()) {
            step(t0, "cluster up: " + cluster.description());
            step(t0, "starting 3 Gateway and 3 RemediationOrchestrator replicas (separate JVMs) and the workflow executor...");
            try (KubernautSystem system = KubernautSystem.in(cluster).namespacePrefix("kubernaut-demo").gateways(3)
                    .orchestrators(3)
                    .executor(Duration.ofMillis(400)).start();
                 WatchLog rrWatch = WatchLog.ofRemediationRequests(cluster.admin(), system.namespace());
                 WatchLog wfeWatch = WatchLog.ofWorkflowExecutions(cluster.admin(), system.namespace());
                 SignalSender sender = new SignalSender(Duration.ofSeconds(30))) {
                for (Replica r : system.replicas()) {
                    step(t0, "  " + r.kind().serviceName() + " " + r.podName() + " ready (pid " + r.pid() + ", " + r.url() + ")");
                }
                String apps = cluster.createNamespace("shop");
                List<Alert> storm = stormAgainst(cluster, apps, cluster.control().isPresent());
                long mark = cluster.control().map(c -> c.mark()).orElse(0L);
                step(t0, "firing " + storm.size() + " alerts about " + storm.stream().map(Alert::subject).distinct().count()
                        + " resources (12 applications, 2 of them also alerted from 2 more clusters) from 40 concurrent senders, in 3 bursts...");

                AtomicInteger answered = new AtomicInteger();
                Map<Integer, AtomicInteger> codes = new TreeMap<>();
                ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "demo-progress");
                    t.setDaemon(true);
                    return t;
                });
                int total = storm.size();
                progress.scheduleAtFixedRate(() -> printProgress(t0, system, answered.get(), total, codes),
                        1, 2, TimeUnit.SECONDS);
                List<LoadResult> bursts = new ArrayList<>();
                try {
                    int burst = (storm.size() + 2) / 3;
                    for (int b = 0; b < 3; b++) {
                        List<Alert> slice = storm.subList(b * burst, Math.min(storm.size(), (b + 1) * burst));
                        bursts.add(Storm.run(40, slice.size(), i -> {
                            Outcome o = sender.sendAlert(system.gateways().get(i % 3), slice.get(i));
                            synchronized (codes) {
                                codes.computeIfAbsent(o.code(), c -> new AtomicInteger()).incrementAndGet();
                            }
                            answered.incrementAndGet();
                            return o;
                        }));
                        step(t0, "burst " + (b + 1) + " done: " + bursts.get(b).countsByCode());
                        awaitSettled(system, rrWatch, Duration.ofSeconds(40));
                    }
                } finally {
                    progress.shutdownNow();
                }
                printProgress(t0, system, answered.get(), total, codes);
                step(t0, "all RemediationRequests reached a terminal phase; checking the watch history...");
                return report(system, cluster, bursts, rrWatch, wfeWatch, mark, t0);
            }
        } finally {
            step(t0, "stopped everything the demo started");
        }
    }

    /**
     * 12 applications: 8 Deployments alerted by name, 2 whose Pods alert (folded onto the Deployment by owner
     * resolution on the embedded cluster), a StatefulSet and a node. Each burst repeats every alert several
     * times, in random order, as Alertmanager does when a group re-fires.
     */
    private static List<Alert> stormAgainst(Cluster cluster, String apps, boolean embedded) {
        List<Alert> distinct = new ArrayList<>();
        String[] signals = {"KubePodCrashLooping", "KubeDeploymentReplicasMismatch", "ContainerMemoryNearLimit"};
        String[] deployments = {"checkout", "cart", "payments", "catalog", "search", "frontend", "emails", "recommendations"};
        for (int i = 0; i < deployments.length; i++) {
            distinct.add(Alert.aboutDeployment(signals[i % signals.length], apps, deployments[i]));
            distinct.add(Alert.aboutDeployment(signals[(i + 1) % signals.length], apps, deployments[i]).withSeverity("warning"));
        }
        for (String app : List.of("inventory", "shipping")) {
            List<String> pods = embedded ? Workloads.deployment(cluster.admin(), apps, app, 3)
                    : List.of(app + "-7d9f8b6c5-aaaaa", app + "-7d9f8b6c5-bbbbb", app + "-7d9f8b6c5-ccccc");
            for (String pod : pods) {
                distinct.add(Alert.aboutPod("KubePodCrashLooping", apps, pod).withSeverity("critical"));
            }
        }
        // the same two applications watched by the Prometheus of two clusters: different fingerprints, one target
        // each, so the orchestrator runs their remediations one after the other (Blocked: ResourceBusy)
        for (String otherCluster : List.of("prod-eu", "prod-us")) {
            distinct.add(Alert.aboutDeployment("KubePodCrashLooping", apps, "checkout").fromCluster(otherCluster));
            distinct.add(Alert.aboutDeployment("ContainerMemoryNearLimit", apps, "payments").fromCluster(otherCluster));
        }
        distinct.add(new Alert("KubeStatefulSetReplicasMismatch", "warning", apps, "statefulset", "postgres", Map.of()));
        distinct.add(new Alert("NodeFilesystemSpaceFillingUp", "critical", null, "node", "worker-2", Map.of()));
        List<Alert> storm = new ArrayList<>();
        Random random = new Random(2052);
        for (int burst = 0; burst < 3; burst++) {
            List<Alert> one = new ArrayList<>();
            for (Alert alert : distinct) {
                int repeats = 5 + random.nextInt(20);
                for (int r = 0; r < repeats; r++) {
                    one.add(alert);
                }
            }
            Collections.shuffle(one, random);
            storm.addAll(one);
        }
        return storm;
    }

    /** Waits until every RR is terminal, so the next burst finds the targets free again. */
    private static void awaitSettled(KubernautSystem system, WatchLog rrWatch, Duration timeout) {
        org.awaitility.Awaitility.await("RRs settle").atMost(timeout).pollInterval(Duration.ofMillis(250))
                .until(() -> KubernautObjects.listRrs(system.cluster().admin(), system.namespace()).stream()
                        .noneMatch(KubernautObjects::rrActive));
    }

    private static void printProgress(long t0, KubernautSystem system, int answered, int total,
                                      Map<Integer, AtomicInteger> codes) {
        try {
            List<GenericKubernetesResource> rrs = KubernautObjects.listRrs(system.cluster().admin(), system.namespace());
            List<GenericKubernetesResource> wfes = KubernautObjects.listWfes(system.cluster().admin(), system.namespace());
            // lock Leases only: the orchestrators' member Leases (ro-member-<pod>) are always there
            long leases = system.cluster().admin().leases().inNamespace(system.namespace()).list().getItems().stream()
                    .filter(l -> !l.getMetadata().getName().startsWith("ro-member-")).count();
            String byCode;
            synchronized (codes) {
                byCode = codes.entrySet().stream().map(e -> e.getKey() + ":" + e.getValue()).collect(Collectors.joining(" "));
            }
            step(t0, String.format("signals %4d/%d [%s]  RRs %3d (active %2d, blocked %2d)  WFEs %3d (running %d)  leases %d",
                    answered, total, byCode, rrs.size(), rrs.stream().filter(KubernautObjects::rrActive).count(),
                    rrs.stream().filter(rr -> "Blocked".equals(KubernautObjects.rrPhase(rr))).count(), wfes.size(),
                    wfes.stream().filter(KubernautObjects::wfeActive).count(), leases));
        } catch (RuntimeException e) {
            step(t0, "(progress unavailable: " + e.getMessage() + ")");
        }
    }

    private static int report(KubernautSystem system, Cluster cluster, List<LoadResult> bursts, WatchLog rrWatch,
                              WatchLog wfeWatch, long mark, long t0) {
        List<Outcome> all = bursts.stream().flatMap(b -> b.outcomes().stream()).toList();
        LoadResult combined = new LoadResult(all, bursts.stream().mapToLong(LoadResult::wallNanos).sum());
        List<GenericKubernetesResource> rrs = KubernautObjects.listRrs(cluster.admin(), system.namespace());
        List<GenericKubernetesResource> wfes = KubernautObjects.listWfes(cluster.admin(), system.namespace());
        ActiveOverlaps.Report rrOverlaps = ActiveOverlaps.rrsPerFingerprint(rrWatch);
        ActiveOverlaps.Report wfeOverlaps = ActiveOverlaps.wfesPerTarget(wfeWatch);
        Map<String, Long> wfesPerRr = wfes.stream()
                .collect(Collectors.groupingBy(KubernautObjects::wfeRemediationRequest, Collectors.counting()));
        long rrsWithSeveralWfes = wfesPerRr.values().stream().filter(n -> n > 1).count();
        long duplicates = rrOverlaps.overlaps().size() + wfeOverlaps.overlaps().size() + rrsWithSeveralWfes;
        long occurrences = rrs.stream().mapToLong(KubernautObjects::occurrenceCount).sum();

        Metrics gw = Metrics.merge(system.gateways().replicas().stream().map(Replica::metrics).toList());
        Metrics ro = Metrics.merge(system.orchestrators().replicas().stream().map(Replica::metrics).toList());
        Map<String, Long> phases = rrs.stream().collect(Collectors.groupingBy(
                rr -> KubernautObjects.rrPhase(rr).isEmpty() ? "Pending" : KubernautObjects.rrPhase(rr),
                TreeMap::new, Collectors.counting()));

        OUT.println();
        OUT.println("================================ demo report ================================");
        OUT.printf("signals sent              %d (%d distinct fingerprints)%n", all.size(),
                all.stream().filter(Outcome::answered).map(o -> safeFingerprint(o)).distinct().count());
        OUT.printf("answers by code           %s   (201 = new RR, 202 = duplicate counted on the active RR)%n",
                combined.countsByCode());
        OUT.printf("gateway latency           %s%n", combined.latency().describeNanosAsMillis());
        OUT.printf("RemediationRequests       %d  %s; occurrences counted %d of %d accepted signals%n",
                rrs.size(), phases, occurrences, combined.count(201) + combined.count(202));
        OUT.printf("WorkflowExecutions        %d  (%d completed by the executor)%n", wfes.size(),
                system.executor().map(TestWorkflowExecutor::completedCount).orElse(0));
        OUT.printf("duplicates found          %d  (active RRs per fingerprint max %d, active WFEs per target max %d, "
                        + "RRs with >1 WFE %d; replayed %d RR and %d WFE watch events)%n", duplicates,
                rrOverlaps.maxActivePerKey(), wfeOverlaps.maxActivePerKey(), rrsWithSeveralWfes,
                rrWatch.size(), wfeWatch.size());
        OUT.printf("gateway locks             attempts %.0f, contention %.0f, takeovers %.0f, retry timeouts %.0f, "
                        + "acquisition p95 %s%n", gw.sum("gateway_lock_acquisition_attempts_total"),
                gw.sum("gateway_lock_contention_total"), gw.sum("gateway_lock_takeovers_total"),
                gw.sum("gateway_lock_retry_timeout_total"), seconds(gw.quantile("gateway_lock_acquisition_duration_seconds", 0.95)));
        OUT.printf("orchestrator locks        attempts %.0f, contention %.0f, WFEs created %.0f, blocked %s, "
                        + "wake-up after WFE completion p50 %s p99 %s%n", ro.sum("orchestrator_lock_acquisition_attempts_total"),
                ro.sum("orchestrator_lock_contention_total"), ro.sum("orchestrator_workflowexecutions_created_total"),
                ro.sumBy("orchestrator_blocked_total", "reason"),
                seconds(ro.quantile("orchestrator_blocked_wakeup_latency_seconds", 0.5)),
                seconds(ro.quantile("orchestrator_blocked_wakeup_latency_seconds", 0.99)));
        cluster.control().ifPresent(control -> {
            List<RequestRecord> records = control.since(mark);
            Map<String, Long> leaseCalls = records.stream().filter(RequestRecord::isLease)
                    .collect(Collectors.groupingBy(r -> r.caller() + " " + r.verb(), TreeMap::new, Collectors.counting()));
            long gwStatusWrites = records.stream().filter(r -> r.caller().equals("gateway-service") && r.isStatusWrite()
                    && r.succeeded()).count();
            OUT.printf("Lease API calls           %s%n", leaseCalls);
            OUT.printf("gateway status writes     %d for %d duplicates (%.2f per duplicate: occurrences are group-committed)%n",
                    gwStatusWrites, combined.count(202), combined.count(202) == 0 ? 0.0 : (double) gwStatusWrites / combined.count(202));
            OUT.printf("API requests              %d in total during the storm%n", records.size());
        });
        OUT.printf("replica memory (RSS)      %s%n", system.replicas().stream()
                .map(r -> r.podName() + " " + r.rssKib().map(k -> k / 1024 + " MiB").orElse("?"))
                .collect(Collectors.joining(", ")));
        OUT.printf("wall time                 %.1f s%n", (System.nanoTime() - t0) / 1e9);
        if (duplicates > 0) {
            OUT.println("RESULT: FAILED, duplicates were created:");
            rrOverlaps.overlaps().stream().limit(10).forEach(o -> OUT.println("  RR  " + o));
            wfeOverlaps.overlaps().stream().limit(10).forEach(o -> OUT.println("  WFE " + o));
            wfes.stream().filter(w -> wfesPerRr.get(KubernautObjects.wfeRemediationRequest(w)) > 1)
                    .collect(Collectors.groupingBy(KubernautObjects::wfeRemediationRequest, TreeMap::new,
                            Collectors.mapping(w -> w.getMetadata().getName(), Collectors.toList())))
                    .entrySet().stream().limit(10)
                    .forEach(e -> OUT.println("  RR " + e.getKey() + " got " + e.getValue().size() + " WFEs: "
                            + e.getValue()));
            return 1;
        }
        long accepted = combined.count(201) + combined.count(202);
        if (occurrences != accepted) {
            // every 201 and 202 is one occurrence on exactly one RR: a difference is a lost or doubled count
            OUT.printf("RESULT: FAILED, %d occurrences counted for %d accepted signals%n", occurrences, accepted);
            return 1;
        }
        OUT.println("RESULT: OK, no duplicate RemediationRequest or WorkflowExecution at any instant, every accepted"
                + " signal counted once");
        OUT.println("=============================================================================");
        return 0;
    }

    private static String safeFingerprint(Outcome o) {
        try {
            JsonNode node = JSON.readTree(o.body());
            return node.path("fingerprint").asText(o.body());
        } catch (IOException e) {
            return o.body();
        }
    }

    private static String seconds(java.util.Optional<Double> value) {
        return value.map(v -> String.format("%.1f ms", v * 1000)).orElse("n/a");
    }
}
