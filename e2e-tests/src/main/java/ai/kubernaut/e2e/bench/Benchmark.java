package ai.kubernaut.e2e.bench;

import ai.kubernaut.e2e.cluster.Cluster;
import ai.kubernaut.e2e.cluster.EmbeddedCluster;
import ai.kubernaut.e2e.executor.TestWorkflowExecutor;
import ai.kubernaut.e2e.load.Alert;
import ai.kubernaut.e2e.load.LoadResult;
import ai.kubernaut.e2e.load.Outcome;
import ai.kubernaut.e2e.load.Percentiles;
import ai.kubernaut.e2e.load.SignalSender;
import ai.kubernaut.e2e.load.Storm;
import ai.kubernaut.e2e.metrics.Metrics;
import ai.kubernaut.e2e.observe.ApiCallCounter;
import ai.kubernaut.e2e.observe.ApiServerRequests;
import ai.kubernaut.e2e.observe.KubernautObjects;
import ai.kubernaut.e2e.observe.WatchLog;
import ai.kubernaut.e2e.replica.Replica;
import ai.kubernaut.e2e.replica.ServiceKind;
import ai.kubernaut.e2e.system.KubernautSystem;
import ai.kubernaut.e2e.system.RemediationRequests;
import ai.kubernaut.testserver.ApiServerControl;
import ai.kubernaut.testserver.RequestRecord;
import io.fabric8.kubernetes.client.Watcher;
import org.awaitility.Awaitility;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;

/**
 * The benchmark (prints numbers; asserts nothing). One run, one cluster:
 * <ol>
 *   <li>Gateway, locking on, then locking off ({@code GATEWAY_LOCK_ENABLED=false}), 3 replicas each, the
 *       same load: Lease API calls per new signal and per duplicate; latency p50/p95/p99 and throughput of
 *       a mixed load; a storm of identical alerts (wall time, RRs created, status writes per duplicate,
 *       lock timeouts).</li>
 *   <li>RemediationOrchestrator with the test executor: with 1, with 3 and again with 1 replica (the second
 *       1-replica run brackets the 3-replica one: the API server and this JVM warm up over the run), each alone,
 *       the same load of
 *       {@code roTargets x roPerTarget} RRs created at once: RRs completed per second, lock attempts and
 *       contention, WFE LISTs per RR and Lease calls per WFE (request log); with 3 replicas also the time from a
 *       WFE's completion to the next blocked RR's WFE on the same target (p50/p99).</li>
 *   <li>Last (part {@code gateway}), Gateway, locking on, with a history: the namespace first filled with
 *       {@code bench.history} (10,000) terminal RRs shaped like the Gateway's own (payload, labels, annotations,
 *       status), then the same load; compared with the empty-namespace run (throughput, p50, RSS: the watch-backed
 *       view holds every RR). RR LISTs and all API requests per signal of the Gateway (request log).</li>
 *   <li>Then, in the history's namespace, three orchestrators with a compressed retention ({@code bench.retention},
 *       {@code bench.headRetention}): RR and WFE counts before and after the sweeps against the expected heads +
 *       retention window, and the stored JSON size of an RR as the Gateway writes it, finished, and of its WFE.</li>
 *   <li>RSS of every replica.</li>
 * </ol>
 * Lease calls and status writes come from the API server's request log on the embedded cluster, from the
 * services' metrics on a real one.
 *
 * <pre>./mvnw -B -q -Pbench -DskipTests verify</pre>
 */
public final class Benchmark {

    private static final PrintStream OUT = System.out;

    /** Sizes, overridable with -Dbench.*. */
    private static final int NEW_SIGNALS = Integer.getInteger("bench.newSignals", 50);
    private static final int DUPLICATES = Integer.getInteger("bench.duplicates", 200);
    private static final int MIXED_REQUESTS = Integer.getInteger("bench.mixedRequests", 3000);
    private static final int MIXED_FINGERPRINTS = Integer.getInteger("bench.mixedFingerprints", 150);
    private static final int CLIENTS = Integer.getInteger("bench.clients", 50);
    private static final int STORM = Integer.getInteger("bench.storm", 1000);
    private static final int STORM_CLIENTS = Integer.getInteger("bench.stormClients", 100);
    private static final int RO_CHAIN = Integer.getInteger("bench.roChain", 20);
    private static final int RO_TARGETS = Integer.getInteger("bench.roTargets", 20);
    /** Extra RO phases with every API write answered this much later (an etcd write's latency); 0 skips them. */
    private static final Duration RO_WRITE_LATENCY = Duration.ofMillis(Long.getLong("bench.roWriteLatencyMs", 10));
    private static final int RO_PER_TARGET = Integer.getInteger("bench.roPerTarget", 5);
    /**
     * Warm-up targets per replica of the orchestrator phases, 2 RRs each, on targets not used afterwards: 40 (80 RRs
     * with 1 replica, 240 with 3) so that every replica JVM has reconciled about as many RRs as the single one before
     * the measured ones. The replicas run C1 only; a replica that owned none of 3 warm-up targets met the 100 RRs
     * cold, and a third of the single replica's warm-up left the 3 replicas measurably colder (docs/benchmarks.md).
     */
    private static final int RO_WARM = Integer.getInteger("bench.warm", 40);
    /**
     * Which parts run: {@code gateway} (locking on and off, then the history phase), {@code orchestrator}, both
     * (default), or {@code history} (the locking-on run as its baseline, then the history phase).
     */
    private static final String PARTS = System.getProperty("bench.parts", "gateway,orchestrator");
    private static final int HISTORY = Integer.getInteger("bench.history", 100_000);
    /** Orchestrator replicas started with the history (1: one replica owns, lists and caches every shard). */
    private static final int HISTORY_ORCHESTRATORS = Integer.getInteger("bench.historyOrchestrators", 1);
    /** The retention part of the history phase, printed after its table. */
    private static RetentionPhase.Figures retention;
    /** What the history's ages are counted from. */
    private static java.time.Instant historyBase;

    private Benchmark() {
    }

    /** The Gateway figures of one configuration. */
    record GatewayFigures(String label, Percentiles newSignalLatency, double leasePerNew, double leasePerDuplicate,
                          Map<String, Long> newLeaseVerbs,
                          Percentiles mixedLatency, double mixedThroughput, Map<Integer, Long> mixedCodes,
                          double stormWallSeconds, long stormRrs, long storm202, long stormStatusWrites,
                          double lockTimeouts, Map<Integer, Long> stormCodes, Map<String, Long> rssMib, String source,
                          ApiCallCounter.Counts mixedCounts, int mixedSignals, Optional<Percentiles> mixedServerMicros,
                          List<Startup> startup) {
        String perSignal(long n) {
            return n < 0 ? "n/a" : String.format("%.3f", n / (double) mixedSignals);
        }
    }

    /**
     * One replica's start: launch to first ready answer, its peak RSS (VmHWM) then and at the end of its phase,
     * whether it is still running without an OutOfMemoryError, and what its caches hold (readiness data, metrics);
     * the LISTs it sent until ready (request log: pages and re-lists).
     */
    record Startup(String pod, String service, Optional<Duration> readyAfter, long peakMibAtReady, long peakMibAtEnd,
                   boolean healthy, String holds, long lists, long liveHeapMibAtReady, long liveHeapMibAtEnd,
                   Optional<Duration> cpuUntilReady) {
    }

    public static void main(String[] args) {
        int exit = 0;
        try {
            run();
        } catch (RuntimeException e) {
            OUT.println("BENCHMARK FAILED: " + e);
            e.printStackTrace(OUT);
            exit = 2;
        }
        OUT.flush();
        System.exit(exit);
    }

    static void run() {
        long t0 = System.nanoTime();
        OUT.printf("Kubernaut benchmark on %d cores, %d MiB max heap for this JVM, JDK %s%n",
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20,
                System.getProperty("java.version"));
        try (Cluster cluster = Cluster.fromSystemProperties()) {
            OUT.println("cluster: " + cluster.description());
            boolean gateway = PARTS.contains("gateway");
            // "history" alone: the locking-on run as its baseline, then the history phase
            boolean history = HISTORY > 0 && (gateway || PARTS.contains("history"));
            GatewayFigures on = gateway || history ? gateway(cluster, true, 0) : null;
            GatewayFigures off = gateway ? gateway(cluster, false, 0) : null;
            Map<String, String> ro = PARTS.contains("orchestrator") ? orchestrator(cluster) : Map.of();
            if (gateway || !ro.isEmpty()) {
                printTable(on, off, ro);
            }
            // last: the history stays in the cluster and would slow the other phases on the embedded one
            if (history) {
                printHistory(on, gateway(cluster, true, HISTORY));
                RetentionPhase.print(OUT, retention);
            }
            OUT.printf("%nbenchmark wall time %.0f s%n", (System.nanoTime() - t0) / 1e9);
        }
    }

    private static GatewayFigures gateway(Cluster cluster, boolean locking, int history) {
        String label = (locking ? "locking on" : "locking off") + (history > 0 ? ", " + history + " RRs of history" : "");
        OUT.println("gateway, " + label + ": starting 3 replicas...");
        long[] listsFrom = {cluster.control().map(ApiServerControl::mark).orElse(-1L)};
        KubernautSystem.Builder builder = KubernautSystem.in(cluster)
                .namespacePrefix(history > 0 ? "bench-hist" : locking ? "bench-lock" : "bench-nolock")
                .gateways(3).env(ServiceKind.GATEWAY, "GATEWAY_LOCK_ENABLED", Boolean.toString(locking));
        if (history > 0) {
            // the history first, then the replicas start on it: start-up (lists in pages) is what is measured
            builder.orchestrators(HISTORY_ORCHESTRATORS).readyTimeout(Duration.ofMinutes(5)).beforeReplicas(ns -> {
                long t = System.nanoTime();
                historyBase = History.fill(cluster.admin(), ns, history);
                OUT.printf("gateway, %s: %d terminal RRs over %d workloads and their %d WFEs written in %.0f s;"
                        + " starting 3 Gateways and %d orchestrator(s) on it...%n", label, history, History.WORKLOADS,
                        history, (System.nanoTime() - t) / 1e9, HISTORY_ORCHESTRATORS);
                listsFrom[0] = cluster.control().map(ApiServerControl::mark).orElse(-1L);
            });
        }
        try (KubernautSystem system = builder.start();
             SignalSender sender = new SignalSender(Duration.ofSeconds(60))) {
            String apps = "bench-apps";
            ApiCallCounter counter = new ApiCallCounter(system);
            List<Startup> startup = new ArrayList<>();
            for (Replica r : system.replicas()) {
                startup.add(startup(system, r, listsFrom[0]));
            }
            if (history > 0) {
                Awaitility.await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1)).until(() ->
                        system.gateways().replicas().stream().allMatch(r -> r.metrics()
                                .sum("gateway_dedup_view_size") >= history));
                // the orchestrator is measured at its start only: the load below compares the Gateways with the
                // empty-namespace run, which had none
                system.orchestrators().close();
            }
            // warm-up: JIT and connection pools, on fingerprints not used afterwards
            Storm.run(CLIENTS, 600, i -> sender.sendAlert(system.gateways().get(i % 3),
                    Alert.aboutDeployment("Warmup", apps, "warmup-" + (i % 60))));

            ApiCallCounter.Mark beforeNew = counter.mark();
            List<Long> newLatencies = new ArrayList<>();
            for (int i = 0; i < NEW_SIGNALS; i++) {
                Outcome created = sender.sendAlert(system.gateways().get(i % 3), Alert.aboutDeployment("KubePodCrashLooping", apps, "new-" + i));
                require(created, 201);
                newLatencies.add(created.nanos());
            }
            ApiCallCounter.Counts newCounts = counter.since(beforeNew, ServiceKind.GATEWAY);
            ApiCallCounter.Mark beforeDup = counter.mark();
            for (int i = 0; i < DUPLICATES; i++) {
                require(sender.sendAlert(system.gateways().get(i % 3),
                        Alert.aboutDeployment("KubePodCrashLooping", apps, "new-" + (i % NEW_SIGNALS))), 202);
            }
            ApiCallCounter.Counts dupCounts = counter.since(beforeDup, ServiceKind.GATEWAY);

            OUT.println("gateway, " + label + ": mixed load of " + MIXED_REQUESTS + " alerts over " + MIXED_FINGERPRINTS
                    + " fingerprints from " + CLIENTS + " clients...");
            List<Alert> mixed = new ArrayList<>();
            for (int i = 0; i < MIXED_REQUESTS; i++) {
                mixed.add(Alert.aboutDeployment("ContainerMemoryNearLimit", apps, "mixed-" + (i % MIXED_FINGERPRINTS)));
            }
            Collections.shuffle(mixed, new Random(1));
            ApiCallCounter.Mark beforeMixed = counter.mark();
            LoadResult mixedResult = Storm.run(CLIENTS, mixed.size(), i -> sender.sendAlert(system.gateways().get(i % 3), mixed.get(i)));
            ApiCallCounter.Counts mixedCounts = counter.since(beforeMixed, ServiceKind.GATEWAY);
            // the API server's own time per answer (request log): tells a slower Gateway from a slower server
            Optional<Percentiles> mixedServerMicros = counter.requests(beforeMixed, ServiceKind.GATEWAY)
                    .map(records -> Percentiles.of(records.stream().filter(r -> r.code() != 101)
                            .map(RequestRecord::micros).toList()));

            OUT.println("gateway, " + label + ": storm of " + STORM + " identical alerts from " + STORM_CLIENTS + " clients...");
            Metrics beforeStorm = scrape(system.gateways().replicas());
            ApiCallCounter.Mark beforeStormMark = counter.mark();
            Alert stormAlert = Alert.aboutDeployment("KubePodCrashLooping", apps, "storm");
            LoadResult storm = Storm.run(STORM_CLIENTS, STORM, i -> sender.sendAlert(system.gateways().get(i % 3), stormAlert));
            ApiCallCounter.Counts stormCounts = counter.since(beforeStormMark, ServiceKind.GATEWAY);
            Metrics afterStorm = scrape(system.gateways().replicas());
            String fingerprint = storm.outcomes().stream().filter(o -> o.code() == 201 || o.code() == 202).findFirst()
                    .map(Benchmark::fingerprint).orElse("");
            // selected by the fingerprint label: a LIST of the whole namespace would be the history's 100,000
            long stormRrs = fingerprint.isEmpty() ? 0 : KubernautObjects.rrs(cluster.admin())
                    .inNamespace(system.namespace()).withLabel("kubernaut.ai/fingerprint", fingerprint.substring(0, 63))
                    .list().getItems().stream().filter(rr -> KubernautObjects.fingerprint(rr).equals(fingerprint))
                    .count();

            Map<String, Long> rss = new LinkedHashMap<>();
            system.gateways().replicas().forEach(r -> rss.put(r.podName(), r.rssKib().map(k -> k / 1024).orElse(-1L)));
            if (history > 0) {
                // last, after every Gateway figure: the orchestrators' retention sweep on the history
                OUT.println("history: retention with a compressed clock, starting 3 orchestrators...");
                retention = RetentionPhase.run(system, history, historyBase);
            }
            return new GatewayFigures(label, Percentiles.of(newLatencies), (double) newCounts.leaseCalls() / NEW_SIGNALS,
                    (double) dupCounts.leaseCalls() / DUPLICATES, newCounts.leaseCallsByVerb(), mixedResult.latency(),
                    mixedResult.throughput(), mixedResult.countsByCode(), storm.wallNanos() / 1e9, stormRrs, storm.count(202),
                    stormCounts.statusWrites(),
                    afterStorm.sum("gateway_lock_retry_timeout_total") - beforeStorm.sum("gateway_lock_retry_timeout_total"),
                    storm.countsByCode(), rss, newCounts.source(), mixedCounts, mixed.size(), mixedServerMicros,
                    startup.stream().map(st -> st.service().equals("gateway") ? ended(st, system.gateways()
                            .replicas().stream().filter(r -> r.podName().equals(st.pod())).findFirst().orElseThrow())
                            : st).toList());
        }
    }

    /** {@code start} with the peak RSS and health at the end of the phase. */
    private static Startup ended(Startup start, Replica r) {
        return new Startup(start.pod(), start.service(), start.readyAfter(), start.peakMibAtReady(),
                r.peakRssKib().map(k -> k / 1024).orElse(-1L), healthy(r), start.holds(), start.lists(),
                start.liveHeapMibAtReady(), r.liveHeapMib().orElse(-1L), start.cpuUntilReady());
    }

    private static boolean healthy(Replica r) {
        return r.isAlive() && !r.logTail(100_000).contains("OutOfMemoryError");
    }

    private static Startup startup(KubernautSystem system, Replica r, long listsFrom) {
        boolean gateway = r.kind() == ServiceKind.GATEWAY;
        String holds;
        if (gateway) {
            holds = String.format("view: %.0f RRs", r.metrics().sum("gateway_dedup_view_size"));
        } else {
            Map<String, String> data = r.readinessData();
            holds = "cache: " + data.getOrDefault("cachedRemediationRequests", "?") + " RRs, "
                    + data.getOrDefault("cachedWorkflowExecutions", "?") + " WFEs";
        }
        List<RequestRecord> listed = listsFrom < 0 ? List.of() : system.cluster().control().map(c -> c.since(listsFrom)
                .stream().filter(rec -> rec.verb().equals("list") && rec.callerNamespace().equals(system.namespace())
                        && rec.caller().equals(r.kind().serviceName()) && rec.pod().equals(r.podName())
                        && (rec.resource().equals("remediationrequests") || rec.resource().equals("workflowexecutions")))
                .toList()).orElse(List.of());
        long lists = listsFrom < 0 ? -1 : listed.size();
        listed.stream().filter(rec -> !rec.query().contains("limit=")).forEach(rec -> OUT.println("unpaged LIST by "
                + r.podName() + ": " + rec.resource() + "?" + rec.query()));
        // the CPU it used to start (measured once all are ready: a ready replica idles meanwhile)
        Optional<Duration> cpu = ProcessHandle.of(r.pid()).flatMap(p -> p.info().totalCpuDuration());
        long peak = r.peakRssKib().map(k -> k / 1024).orElse(-1L);
        long live = r.liveHeapMib().orElse(-1L);
        return new Startup(r.podName(), gateway ? "gateway" : "orchestrator", r.readyAfter(), peak, peak, healthy(r),
                holds, lists, live, live, cpu);
    }

    /** The orchestrator figures with 1 and with 3 replicas, each alone, and their ratio. */
    private static Map<String, String> orchestrator(Cluster cluster) {
        Map<String, String> one = orchestratorThroughput(cluster, 1, Duration.ZERO);
        Map<String, String> three = orchestratorThroughput(cluster, 3, Duration.ZERO);
        // the API server and this JVM run every phase and keep warming up: a second 1-replica run after the
        // 3-replica one brackets it, so that the ratio does not favour whichever phase runs later
        Map<String, String> oneAgain = orchestratorThroughput(cluster, 1, Duration.ZERO);
        Map<String, String> figures = new LinkedHashMap<>();
        for (String key : three.keySet()) {
            figures.put(key, one.getOrDefault(key, "-") + " | " + three.get(key) + " | " + oneAgain.getOrDefault(key, "-"));
        }
        double before = rate(one);
        double rate = rate(three);
        double after = rate(oneAgain);
        figures.put("RRs/s ratio, 3 replicas / the 1-replica run of that column", String.format("%.2f | | %.2f",
                rate / before, rate / after));
        figures.put("RRs/s ratio, 3 replicas / mean of the two 1-replica runs (target >= 1.0)",
                String.format("| %.2f |", rate / ((before + after) / 2)));
        if (RO_WRITE_LATENCY.toMillis() > 0 && cluster.control().isPresent()) {
            // the embedded API server answers a write in microseconds, etcd in milliseconds: the same comparison
            // with every write answered later, where a replica's workers wait on the API instead of the CPU
            String label = "with every API write answered " + RO_WRITE_LATENCY.toMillis() + " ms later: ";
            double slowBefore = rate(orchestratorThroughput(cluster, 1, RO_WRITE_LATENCY));
            double slowThree = rate(orchestratorThroughput(cluster, 3, RO_WRITE_LATENCY));
            double slowAfter = rate(orchestratorThroughput(cluster, 1, RO_WRITE_LATENCY));
            figures.put(label + RATE, String.format("%.1f | %.1f | %.1f", slowBefore, slowThree, slowAfter));
            figures.put(label + "RRs/s ratio, 3 replicas / mean of the two 1-replica runs",
                    String.format("| %.2f |", slowThree / ((slowBefore + slowAfter) / 2)));
        }
        return figures;
    }

    private static final String RATE = "RRs completed per second";

    private static double rate(Map<String, String> figures) {
        return Double.parseDouble(figures.get(RATE).split(" ")[0]);
    }

    private static Map<String, String> orchestratorThroughput(Cluster cluster, int replicas, Duration writeLatency) {
        OUT.println("orchestrator: starting " + replicas + " replica(s) and the test executor...");
        Map<String, String> figures = new LinkedHashMap<>();
        try (KubernautSystem system = KubernautSystem.in(cluster).namespacePrefix("bench-ro" + replicas)
                .orchestrators(replicas).executor(Duration.ofMillis(100)).start();
             WatchLog rrWatch = WatchLog.ofRemediationRequests(cluster.admin(), system.namespace())) {
            String apps = "bench-apps";
            ApiCallCounter counter = new ApiCallCounter(system);
            // warm-up: JIT, connection pools and member Leases, on targets not used afterwards
            List<String> warmTargets = new ArrayList<>();
            for (int t = 0; t < RO_WARM * replicas; t++) {
                warmTargets.add("warmup-" + t);
            }
            ApiCallCounter.Mark warmMark = counter.mark();
            List<String> warm = createAtOnce(cluster, system.namespace(), apps, warmTargets, 2, 5000);
            awaitCompleted(rrWatch, warm, Duration.ofMinutes(3));
            counter.requests(warmMark, ServiceKind.ORCHESTRATOR).ifPresent(rs -> OUT.println("orchestrator, " + replicas
                    + " replica(s): warm-up of " + warm.size() + " RRs on " + RO_WARM * replicas + " targets, WFEs created per replica: "
                    + wfeCreatesByPod(rs)));

            int total = RO_TARGETS * RO_PER_TARGET;
            OUT.println("orchestrator, " + replicas + " replica(s): " + total + " RRs over " + RO_TARGETS + " targets at once...");
            List<String> targets = new ArrayList<>();
            for (int t = 0; t < RO_TARGETS; t++) {
                targets.add("throughput-" + t);
            }
            if (writeLatency.toMillis() > 0) {
                ApiServerControl control = cluster.control().orElseThrow();
                for (String verb : List.of("create", "update", "patch", "delete")) {
                    control.delayAnswers("", "", verb, "", "", writeLatency, Integer.MAX_VALUE);
                }
            }
            Metrics before = scrape(system.orchestrators().replicas());
            ApiCallCounter.Mark mark = counter.mark();
            // a real server has no request log: its own counters (every client) stand in for it
            Optional<ApiServerRequests.Snapshot> serverBefore = cluster.control().isPresent() ? Optional.empty()
                    : ApiServerRequests.scrape(cluster.admin());
            CpuWindow cpuWindow = CpuWindow.open(cpuWatched(cluster, system));
            long start = System.nanoTime();
            List<String> many = createAtOnce(cluster, system.namespace(), apps, targets, RO_PER_TARGET, 1000);
            long end = awaitCompleted(rrWatch, many, Duration.ofMinutes(5));
            CpuWindow.Usage cpu = cpuWindow.close();
            if (writeLatency.toMillis() > 0) {
                cluster.control().orElseThrow().clearFaults();
                OUT.printf("orchestrator, %d replica(s), writes answered %d ms later: %.1f RRs/s%n", replicas,
                        writeLatency.toMillis(), RO_TARGETS * RO_PER_TARGET / ((end - start) / 1e9));
                return Map.of(RATE, String.format("%.1f", RO_TARGETS * RO_PER_TARGET / ((end - start) / 1e9)));
            }
            double seconds = (end - start) / 1e9;
            Optional<Map<String, Long>> serverCounts = serverBefore.flatMap(b -> ApiServerRequests.scrape(cluster.admin())
                    .map(a -> a.since(b)));
            Metrics after = scrape(system.orchestrators().replicas());
            ApiCallCounter.Counts calls = counter.since(mark, ServiceKind.ORCHESTRATOR);
            long wfes = KubernautObjects.listWfes(cluster.admin(), system.namespace()).stream()
                    .filter(w -> KubernautObjects.wfeTarget(w).contains("/throughput-")).count();
            figures.put(RATE, String.format("%.1f (%d RRs in %.1f s)", total / seconds, total, seconds));
            double attempts = after.sum("orchestrator_lock_acquisition_attempts_total")
                    - before.sum("orchestrator_lock_acquisition_attempts_total");
            double contended = after.sum("orchestrator_lock_contention_total") - before.sum("orchestrator_lock_contention_total");
            figures.put("lock attempts / contended (contention, target <= 5 %)", String.format("%.0f / %.0f (%.1f %%)",
                    attempts, contended, attempts == 0 ? 0 : 100 * contended / attempts));
            figures.put("WFE LISTs per RR (target <= 0.1)", counter.requests(mark, ServiceKind.ORCHESTRATOR)
                    .map(rs -> {
                        long lists = rs.stream().filter(r -> r.resource().equals("workflowexecutions")
                                && r.verb().equals("list")).count();
                        return String.format("%.2f (%d)", (double) lists / total, lists);
                    }).or(() -> serverCounts.map(c -> {
                        long lists = c.getOrDefault("workflowexecutions list", 0L);
                        return String.format("%.2f (%d, API server metrics, every client)", (double) lists / total, lists);
                    })).orElse("n/a (no request log)"));
            figures.put("Lease calls per WFE (target <= 3)", String.format("%.2f (%d calls %s / %d WFEs, %s)",
                    wfes == 0 ? 0 : (double) calls.leaseCalls() / wfes, calls.leaseCalls(), calls.leaseCallsByVerb(),
                    wfes, calls.source()));
            // where the RO's API requests go (status writes, Events, Leases, creates): the CPU of every request is
            // paid by the API server, the replica and every watcher that receives the resulting event
            figures.put("RO API requests per RR (request log), by resource/subresource verb",
                    counter.requests(mark, ServiceKind.ORCHESTRATOR).map(rs -> perRrByKind(rs, total))
                            .orElse("n/a (no request log)"));
            // the harness's own requests (RR creates, the test workflow executor's status writes and reads)
            figures.put("benchmark (admin) API requests per RR (request log), by resource/subresource verb",
                    counter.adminRequests(mark).map(rs -> perRrByKind(rs, total)).orElse("n/a (no request log)"));
            figures.put("every client's API requests per RR (API server's apiserver_request_total; real clusters)",
                    serverCounts.map(c -> perRrByKind(c, total)).orElse("-"));
            figures.put("of which member Lease renewals", counter.requests(mark, ServiceKind.ORCHESTRATOR)
                    .map(rs -> Long.toString(rs.stream().filter(r -> r.isLease() && r.name().startsWith("ro-member-"))
                            .count())).orElse("n/a"));
            // who burnt the two cores while the RRs ran: CPU taken by the harness is CPU the replicas did not get
            int cores = Runtime.getRuntime().availableProcessors();
            Map<String, Optional<Duration>> used = new LinkedHashMap<>(cpu.byLabel());
            figures.put("CPU seconds in the run: benchmark JVM", CpuWindow.cell(used.remove(BENCH_JVM), cpu.wall(), cores));
            Map<String, Optional<Duration>> server = new LinkedHashMap<>(used);
            server.keySet().removeIf(label -> !isApiServer(label));
            used.keySet().removeIf(Benchmark::isApiServer);
            figures.put("CPU seconds in the run: API server", server.isEmpty()
                    ? "n/a (not a local process; -Dbench.apiServerProcesses=kube-apiserver,etcd names local ones)"
                    : server.keySet().equals(Set.of(API_SERVER)) ? CpuWindow.cell(server.get(API_SERVER), cpu.wall(), cores)
                    : CpuWindow.sumAndEach(server, cpu.wall(), cores));
            figures.put("CPU seconds in the run: replicas (sum and each)", CpuWindow.sumAndEach(used, cpu.wall(), cores));

            if (replicas == 3) {
                TestWorkflowExecutor executor = system.executor().orElseThrow();
                OUT.println("orchestrator: " + RO_CHAIN + " RRs on one target at once (each waits for the previous WFE)...");
                Percentiles wake;
                // opened only now (the watch is established when this returns): while the 100 RRs ran, decoding every
                // WFE event a second time in this JVM was CPU taken from the replicas
                try (WatchLog wfeWatch = WatchLog.ofWorkflowExecutions(cluster.admin(), system.namespace())) {
                    List<String> chain = createAtOnce(cluster, system.namespace(), apps, List.of("chain-target"), RO_CHAIN, 0);
                    awaitCompleted(rrWatch, chain, Duration.ofMinutes(3));
                    wake = Percentiles.of(completionToNextWfe(executor, wfeWatch, "chain-target"));
                }
                figures.put("WFE completed -> next WFE on the target (observed), p50", ms(wake.at(50)));
                figures.put("WFE completed -> next WFE on the target (observed), p99", ms(wake.at(99)));
                Metrics ro = scrape(system.orchestrators().replicas());
                figures.put("orchestrator_blocked_wakeup_latency_seconds p99",
                        ro.quantile("orchestrator_blocked_wakeup_latency_seconds", 0.99).map(v -> String.format("%.1f ms", v * 1000)).orElse("n/a"));
            }
            figures.put("RSS per replica", system.orchestrators().replicas().stream()
                    .map(r -> r.rssKib().map(k -> (k / 1024) + " MiB").orElse("n/a")).collect(Collectors.joining(", ")));
        }
        return figures;
    }

    private static final String BENCH_JVM = "benchmark JVM";
    private static final String API_SERVER = "API server";
    /**
     * With a real cluster whose API server runs on this machine: the command names of its processes, e.g.
     * {@code kube-apiserver,etcd}, so that their CPU is in the table too (they share the cores with the rest).
     */
    private static final List<String> API_SERVER_PROCESSES = Arrays.stream(
            System.getProperty("bench.apiServerProcesses", "").split(",")).map(String::trim).filter(n -> !n.isEmpty()).toList();

    private static boolean isApiServer(String label) {
        return label.equals(API_SERVER) || API_SERVER_PROCESSES.stream().anyMatch(label::startsWith);
    }

    /** This JVM, the embedded API server (when the cluster is embedded) and every live orchestrator replica. */
    private static List<CpuWindow.Watched> cpuWatched(Cluster cluster, KubernautSystem system) {
        List<CpuWindow.Watched> watched = new ArrayList<>();
        watched.add(new CpuWindow.Watched(BENCH_JVM, ProcessHandle.current()));
        if (cluster instanceof EmbeddedCluster embedded) {
            ProcessHandle.of(embedded.process().pid()).ifPresent(p -> watched.add(new CpuWindow.Watched(API_SERVER, p)));
        }
        for (String name : API_SERVER_PROCESSES) {
            List<ProcessHandle> found = ProcessHandle.allProcesses()
                    .filter(p -> p.info().command().map(c -> Path.of(c).getFileName().toString().equals(name)).orElse(false))
                    .toList();
            for (ProcessHandle p : found) {
                watched.add(new CpuWindow.Watched(found.size() == 1 ? name : name + "-" + p.pid(), p));
            }
        }
        for (Replica r : system.orchestrators().replicas()) {
            if (r.isAlive()) {
                ProcessHandle.of(r.pid()).ifPresent(p -> watched.add(new CpuWindow.Watched(r.podName(), p)));
            }
        }
        return watched;
    }

    /** Requests per RR, in total and by resource/subresource and verb. */
    private static String perRrByKind(List<RequestRecord> rs, int total) {
        Map<String, Long> byKind = new java.util.TreeMap<>();
        rs.forEach(r -> byKind.merge(r.resource() + (r.subresource().isEmpty() ? "" : "/" + r.subresource())
                + " " + r.verb(), 1L, Long::sum));
        return perRrByKind(byKind, total);
    }

    /** The same from counts by {@code resource[/subresource] verb}. */
    private static String perRrByKind(Map<String, Long> byKind, int total) {
        long all = byKind.values().stream().mapToLong(Long::longValue).sum();
        StringBuilder text = new StringBuilder(String.format("%.2f (%d):", (double) all / total, all));
        byKind.forEach((k, v) -> text.append(String.format(" %s %.2f;", k, (double) v / total)));
        return text.toString();
    }

    /** WFE creates per replica (pod) in a window of the request log: how the work divided. */
    private static Map<String, Long> wfeCreatesByPod(List<RequestRecord> rs) {
        Map<String, Long> byPod = new java.util.TreeMap<>();
        rs.stream().filter(r -> r.resource().equals("workflowexecutions") && r.verb().equals("create") && r.succeeded())
                .forEach(r -> byPod.merge(r.pod(), 1L, Long::sum));
        return byPod;
    }

    /** For each completed WFE on {@code target}, the time until the next WFE on that target appeared. */
    private static List<Long> completionToNextWfe(TestWorkflowExecutor executor, WatchLog wfes, String targetSuffix) {
        List<WatchLog.Event> added = wfes.events().stream().filter(e -> e.action() == Watcher.Action.ADDED)
                .filter(e -> KubernautObjects.wfeTarget(e.object()).endsWith("/" + targetSuffix)).toList();
        List<Long> completions = executor.completions().values().stream()
                .filter(c -> c.target().endsWith("/" + targetSuffix)).map(TestWorkflowExecutor.Completion::atNanos)
                .sorted().toList();
        List<Long> gaps = new ArrayList<>();
        for (Long done : completions) {
            added.stream().map(WatchLog.Event::atNanos).filter(t -> t > done).min(Long::compare)
                    .ifPresent(next -> gaps.add(next - done));
        }
        return gaps;
    }

    private static List<String> createAtOnce(Cluster cluster, String namespace, String apps, List<String> targets,
                                             int perTarget, int saltBase) {
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(32, targets.size() * perTarget));
        CountDownLatch gate = new CountDownLatch(1);
        List<java.util.concurrent.Future<String>> futures = new ArrayList<>();
        int salt = saltBase;
        for (String target : targets) {
            for (int i = 0; i < perTarget; i++) {
                int s = salt++;
                futures.add(pool.submit(() -> {
                    gate.await();
                    return RemediationRequests.create(cluster.admin(), namespace,
                            RemediationRequests.onDeployment(apps, target, "KubePodCrashLooping", "critical", s));
                }));
            }
        }
        gate.countDown();
        try {
            List<String> names = new ArrayList<>();
            for (var f : futures) {
                names.add(f.get());
            }
            return names;
        } catch (Exception e) {
            throw new IllegalStateException("creating RRs failed", e);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Waits until every named RR has reached a terminal phase in the watch and returns when the last of them did
     * ({@link System#nanoTime()} on receipt). A watch, not a LIST every 100 ms: polling the whole namespace cost
     * the API server and this JVM a serialization and a decode of every RR ~10 times a second, CPU the
     * orchestrators under test then did not get (and rounded the end time up to the poll). Each event is looked
     * at once, on arrival ({@link CompletionWait}); this thread sleeps on a latch, waking once a second only to
     * notice a closed watch or the timeout.
     */
    private static long awaitCompleted(WatchLog rrWatch, List<String> names, Duration timeout) {
        CompletionWait wait = new CompletionWait(Set.copyOf(names), rr -> !KubernautObjects.rrActive(rr));
        long deadline = System.nanoTime() + timeout.toNanos();
        try (WatchLog.Subscription ignored = rrWatch.subscribe(wait)) {
            while (!wait.await(Duration.ofSeconds(1))) {
                if (rrWatch.closedBecause() != null) {
                    throw new IllegalStateException("RR watch closed: " + rrWatch.closedBecause());
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("RRs completed: " + wait.endedCount() + " of " + names.size()
                            + " ended within " + timeout);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for RRs", e);
        }
        return wait.lastEndNanos();
    }

    private static Metrics scrape(List<Replica> replicas) {
        return Metrics.merge(replicas.stream().filter(Replica::isAlive).map(Replica::metrics).toList());
    }

    private static void require(Outcome outcome, int code) {
        if (outcome.code() != code) {
            throw new IllegalStateException("expected " + code + " but got " + outcome.code() + ": " + outcome.body());
        }
    }

    private static String fingerprint(Outcome o) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(o.body()).path("fingerprint").asText();
        } catch (java.io.IOException e) {
            return "";
        }
    }

    private static String ms(long nanos) {
        return String.format("%.1f ms", nanos / 1e6);
    }

    private static void printTable(GatewayFigures on, GatewayFigures off, Map<String, String> ro) {
        OUT.println();
        OUT.printf("load average at the end: %.1f (%d cores)%n%n", java.lang.management.ManagementFactory
                .getOperatingSystemMXBean().getSystemLoadAverage(), Runtime.getRuntime().availableProcessors());
        if (on != null && off != null) {
            printGateway(on, off);
        }
        if (!ro.isEmpty()) {
            OUT.println();
            OUT.println("| RemediationOrchestrator | 1 replica | 3 replicas | 1 replica again |");
            OUT.println("| --- | --- | --- | --- |");
            ro.forEach((k, v) -> OUT.println("| " + k + " | " + v + " |"));
        }
    }

    private static void printGateway(GatewayFigures on, GatewayFigures off) {
        OUT.println("| Gateway (3 replicas) | locking on | locking off | on / off |");
        OUT.println("| --- | --- | --- | --- |");
        row("Lease API calls per new signal", f2(on.leasePerNew()) + " " + on.newLeaseVerbs(), f2(off.leasePerNew()), "");
        row("Lease API calls per duplicate", f2(on.leasePerDuplicate()), f2(off.leasePerDuplicate()), "");
        row("new signal, sequential (uncontended): p50 latency", ms(on.newSignalLatency().at(50)),
                ms(off.newSignalLatency().at(50)), ratio(on.newSignalLatency().at(50), off.newSignalLatency().at(50)));
        row("new signal, sequential (uncontended): p95 latency", ms(on.newSignalLatency().at(95)),
                ms(off.newSignalLatency().at(95)), ratio(on.newSignalLatency().at(95), off.newSignalLatency().at(95)));
        row("new signal, sequential (uncontended): p99 latency", ms(on.newSignalLatency().at(99)),
                ms(off.newSignalLatency().at(99)), ratio(on.newSignalLatency().at(99), off.newSignalLatency().at(99)));
        row("mixed load: p50 latency", ms(on.mixedLatency().at(50)), ms(off.mixedLatency().at(50)),
                ratio(on.mixedLatency().at(50), off.mixedLatency().at(50)));
        row("mixed load: p95 latency", ms(on.mixedLatency().at(95)), ms(off.mixedLatency().at(95)),
                ratio(on.mixedLatency().at(95), off.mixedLatency().at(95)));
        row("mixed load: p99 latency", ms(on.mixedLatency().at(99)), ms(off.mixedLatency().at(99)),
                ratio(on.mixedLatency().at(99), off.mixedLatency().at(99)));
        row("mixed load: throughput (answers/s)", String.format("%.0f", on.mixedThroughput()),
                String.format("%.0f", off.mixedThroughput()), String.format("%.2f", on.mixedThroughput() / off.mixedThroughput()));
        row("mixed load: answers by code", on.mixedCodes().toString(), off.mixedCodes().toString(), "");
        row("storm: wall time (" + STORM + " identical alerts, " + STORM_CLIENTS + " clients)",
                String.format("%.2f s", on.stormWallSeconds()), String.format("%.2f s", off.stormWallSeconds()),
                String.format("%.2f", on.stormWallSeconds() / off.stormWallSeconds()));
        row("storm: RRs created (must be 1)", Long.toString(on.stormRrs()), Long.toString(off.stormRrs()), "");
        row("storm: answers by code", on.stormCodes().toString(), off.stormCodes().toString(), "");
        row("storm: status writes per duplicate", perDuplicate(on), perDuplicate(off), "");
        row("storm: lock timeouts", String.format("%.0f", on.lockTimeouts()), String.format("%.0f", off.lockTimeouts()), "");
        row("mixed load: RR LISTs per signal (after start-up)", on.perSignal(on.mixedCounts().rrLists()),
                off.perSignal(off.mixedCounts().rrLists()), "");
        row("mixed load: API requests per signal (all kinds)", on.perSignal(on.mixedCounts().requests()),
                off.perSignal(off.mixedCounts().requests()), "");
        row("RSS per replica (MiB)", on.rssMib().toString(), off.rssMib().toString(), "");
        OUT.println("(Lease calls and status writes from the " + on.source() + ")");
    }

    private static void printHistory(GatewayFigures empty, GatewayFigures history) {
        OUT.println();
        OUT.printf("load average now: %.1f%n", java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                .getSystemLoadAverage());
        OUT.println("| Gateway, locking on (3 replicas) | empty namespace | " + HISTORY + " RRs of history | history / empty |");
        OUT.println("| --- | --- | --- | --- |");
        row("mixed load: throughput (answers/s)", String.format("%.0f", empty.mixedThroughput()),
                String.format("%.0f", history.mixedThroughput()),
                String.format("%.2f", history.mixedThroughput() / empty.mixedThroughput()));
        row("mixed load: p50 latency", ms(empty.mixedLatency().at(50)), ms(history.mixedLatency().at(50)),
                ratio(history.mixedLatency().at(50), empty.mixedLatency().at(50)));
        row("mixed load: p99 latency", ms(empty.mixedLatency().at(99)), ms(history.mixedLatency().at(99)),
                ratio(history.mixedLatency().at(99), empty.mixedLatency().at(99)));
        row("new signal, sequential: p50 latency", ms(empty.newSignalLatency().at(50)),
                ms(history.newSignalLatency().at(50)),
                ratio(history.newSignalLatency().at(50), empty.newSignalLatency().at(50)));
        row("mixed load: answers by code", empty.mixedCodes().toString(), history.mixedCodes().toString(), "");
        row("mixed load: RR LISTs per signal", empty.perSignal(empty.mixedCounts().rrLists()),
                history.perSignal(history.mixedCounts().rrLists()), "");
        row("mixed load: API requests per signal", empty.perSignal(empty.mixedCounts().requests()),
                history.perSignal(history.mixedCounts().requests()), "");
        row("mixed load: API server time per request, p50 / p99 (request log)", serverTime(empty),
                serverTime(history), history.mixedServerMicros().flatMap(h -> empty.mixedServerMicros()
                        .map(e -> ratio(h.at(50), e.at(50)))).orElse(""));
        row("storm: RRs created (must be 1)", Long.toString(empty.stormRrs()), Long.toString(history.stormRrs()), "");
        row("RSS per replica (MiB)", empty.rssMib().toString(), history.rssMib().toString(), "");
        row("Gateway ready after launch (s)", readyTimes(empty), readyTimes(history), "");
        row("Gateway CPU until ready (s)", cpuTimes(empty), cpuTimes(history), "");
        row("Gateway peak RSS, whole phase (MiB)", peaks(empty), peaks(history), "");
        row("Gateway heap after a full GC, at ready / at the end (MiB)", liveHeaps(empty), liveHeaps(history), "");
        OUT.println();
        OUT.println("| start-up on " + HISTORY + " RRs and " + HISTORY + " WFEs of history | ready after launch"
                + " | CPU until ready | peak RSS at ready / end of phase (MiB) | heap after a full GC at ready (MiB)"
                + " | running, no OutOfMemoryError | holds | LISTs of RRs and WFEs until ready |");
        OUT.println("| --- | --- | --- | --- | --- | --- | --- | --- |");
        for (Startup st : history.startup()) {
            OUT.println("| " + st.pod() + " | " + st.readyAfter().map(d -> String.format("%.1f s", d.toMillis() / 1e3))
                    .orElse("not ready") + " | " + st.cpuUntilReady().map(d -> String.format("%.1f s", d.toMillis() / 1e3))
                    .orElse("n/a") + " | " + st.peakMibAtReady() + " / "
                    + (st.service().equals("gateway") ? Long.toString(st.peakMibAtEnd()) : "(stopped after start-up)")
                    + " | " + st.liveHeapMibAtReady() + " | " + (st.healthy() ? "yes" : "NO") + " | " + st.holds() + " | "
                    + (st.lists() < 0 ? "n/a" : Long.toString(st.lists())) + " |");
        }
    }

    private static String readyTimes(GatewayFigures g) {
        return g.startup().stream().filter(st -> st.service().equals("gateway"))
                .map(st -> st.readyAfter().map(d -> String.format("%.1f", d.toMillis() / 1e3)).orElse("-"))
                .collect(Collectors.joining(", "));
    }

    private static String cpuTimes(GatewayFigures g) {
        return g.startup().stream().filter(st -> st.service().equals("gateway"))
                .map(st -> st.cpuUntilReady().map(d -> String.format("%.1f", d.toMillis() / 1e3)).orElse("-"))
                .collect(Collectors.joining(", "));
    }

    private static String liveHeaps(GatewayFigures g) {
        return g.startup().stream().filter(st -> st.service().equals("gateway"))
                .map(st -> st.liveHeapMibAtReady() + " / " + st.liveHeapMibAtEnd()).collect(Collectors.joining(", "));
    }

    private static String peaks(GatewayFigures g) {
        return g.startup().stream().filter(st -> st.service().equals("gateway"))
                .map(st -> Long.toString(st.peakMibAtEnd())).collect(Collectors.joining(", "));
    }

    private static String serverTime(GatewayFigures g) {
        return g.mixedServerMicros().map(p -> p.at(50) + " us / " + p.at(99) + " us").orElse("n/a");
    }

        private static String perDuplicate(GatewayFigures g) {
        return g.storm202() == 0 ? "n/a" : String.format("%.3f (%d writes / %d duplicates)",
                (double) g.stormStatusWrites() / g.storm202(), g.stormStatusWrites(), g.storm202());
    }

    private static void row(String name, String on, String off, String ratio) {
        OUT.println("| " + name + " | " + on + " | " + off + " | " + ratio + " |");
    }

    private static String f2(double v) {
        return String.format("%.2f", v);
    }

    private static String ratio(long a, long b) {
        return b == 0 ? "n/a" : String.format("%.2f", (double) a / b);
    }
}
