package ai.kubernaut.e2e.scenarios;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.e2e.cluster.EmbeddedCluster;
import ai.kubernaut.e2e.cluster.RepoPaths;
import ai.kubernaut.e2e.load.Alert;
import ai.kubernaut.e2e.load.Delivery;
import ai.kubernaut.e2e.load.Outcome;
import ai.kubernaut.e2e.load.SignalSender;
import ai.kubernaut.e2e.observe.ActiveOverlaps;
import ai.kubernaut.e2e.observe.KubernautObjects;
import ai.kubernaut.e2e.observe.SupersedesChains;
import ai.kubernaut.e2e.observe.WatchLog;
import ai.kubernaut.e2e.replica.Replica;
import ai.kubernaut.e2e.replica.ServiceKind;
import ai.kubernaut.e2e.system.KubernautSystem;
import ai.kubernaut.e2e.system.LockNames;
import ai.kubernaut.testserver.ApiServerControl;
import ai.kubernaut.testserver.RequestRecord;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * Issue "install, restart and roll out without losing a request": the replicas of both services start before the CRDs
 * are applied, all turn ready once they are, none exits, signals flow; then the API server restarts under load, twice:
 * no replica exits, all are ready again, every accepted occurrence is counted, every RR completes with one WFE.
 *
 * <p>Runs on its own embedded cluster in every mode (as {@link ApiServerFreezeIT}), started with
 * {@code --serve-crds-later}: a real API server cannot be restarted or have its CRDs withheld from here, and doing so to
 * the suite's shared one would disturb the other scenarios.
 *
 * <p>What is checked, and how:
 * <ol>
 * <li><b>Before the CRDs:</b> every replica answers its probes 503, and its readiness data's {@code waitingFor} names
 * the RemediationRequest type as not served (HTTP 404); for {@link #WAITING_HOLDS} no replica is ready and every process
 * is alive (Awaitility {@code during}).</li>
 * <li><b>CRDs served</b> with {@link #INITIALIZING_ANSWERS} 429s per type: every replica ready within
 * {@link #READY_BOUND}, none exited; the request log shows the 404s and 429s it met. Alerts about new workloads are
 * then all answered 201 and their RRs complete, each with one WFE (the test workflow executor).</li>
 * <li><b>Restarts under load:</b> a steady load of Alertmanager-like deliveries over several fingerprints ({@link
 * Delivery}: 5xx and no answer retried with backoff, on any Gateway); the API server restarts (every watch dropped,
 * custom types 404 for {@link #NOT_SERVED_ON_RESTART}, then {@link #INITIALIZING_ANSWERS} 429s each) {@link #RESTARTS}
 * times; on the last one the types come back one at a time, WorkflowExecutions {@link
 * #WFES_NOT_SERVED_ON_LAST_RESTART} after the restart (a real server establishes each CRD on its own), so that the
 * orchestrator writes RRs while a WFE read still answers the type's 404. After each, every replica is "ready again" within {@link #READY_BOUND}: readiness 200, no {@code waitingFor},
 * <em>and</em> the request log shows it listed or watched each custom type it follows successfully since the restart
 * (without that, a replica that had not yet noticed the restart would count as recovered at once). Load goes on
 * until more deliveries are accepted after each recovery. Every answer is 201/202, or 503/504 with
 * {@code Retry-After}; every delivery is accepted in the end.</li>
 * <li><b>Nothing lost or doubled:</b> each accepted answer (201/202) carries its occurrence's position on the RR it
 * names: per RR those positions are distinct and none exceeds the stored {@code occurrenceCount}. Per fingerprint, the
 * counts stored on all its RRs add up to at least the accepted deliveries, and at most the accepted deliveries plus
 * the attempts answered 5xx or not at all: such an attempt may or may not have been counted (a 504 past the deadline
 * may still be stored; a 503 usually was not), and is retried like Alertmanager does, so it is neither required nor
 * forbidden to count. A fingerprint without such attempts must count exactly its accepted deliveries.</li>
 * <li><b>Never two active RRs for one fingerprint, never two active WFEs for one target:</b> replayed from watch logs
 * that survive the restarts ({@link WatchLog.WhenClosed#RELIST}: after a break they list again and follow on). Between a
 * break and that list (the gaps, printed) transitions are not seen; so the RRs' final state is checked as well:
 * every fingerprint's RRs form one supersedes chain ({@link SupersedesChains}: one first RR, no fork, each successor
 * created after its predecessor turned terminal, to the second).</li>
 * <li><b>Every RR completes:</b> every RR Completed with exactly one WFE, none Failed (in particular none with outcome
 * {@code WorkflowExecutionMissing}, what a 404 of a type not served used to cause); no replica exited (process alive,
 * no exit code) at any check and at the end.</li>
 * </ol>
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ResourceLock(Lanes.SIDE) // never beside another scenario (Lanes), at the end of the main lane
@Order(8)
class InstallAndRestartIT {

    /** 429 "storage is (re)initializing" answers per custom type when the CRDs are served and after each restart. */
    static final int INITIALIZING_ANSWERS = 3;
    static final Duration NOT_SERVED_ON_RESTART = Duration.ofSeconds(2);
    static final int RESTARTS = 2;
    /** On the last restart the WorkflowExecution type is served this long after the restart, the RRs' after 2 s. */
    static final Duration WFES_NOT_SERVED_ON_LAST_RESTART = Duration.ofSeconds(5);
    /** How long every replica must stay alive and not ready while the CRDs are not served. */
    static final Duration WAITING_HOLDS = Duration.ofSeconds(5);
    /** JVMs up and answering their probes (several start at once on two shared cores). */
    static final Duration START_BOUND = Duration.ofSeconds(120);
    /** Every replica ready once the CRDs are served, and ready again after a restart. */
    static final Duration READY_BOUND = Duration.ofSeconds(60);
    /** A delivery is given up (and the test fails) if not accepted within this. */
    static final Duration GIVE_UP = Duration.ofSeconds(90);
    /** The steady load: a new delivery every tick while fewer than {@code clients} are in flight. */
    static final Duration TICK = Duration.ofMillis(20);
    static final String NOT_SERVED_404 = "HTTP 404 (type not served)";

    private static EmbeddedCluster cluster;
    private static ApiServerControl control;
    private static KubernautSystem system;
    private static SignalSender sender;
    private static WatchLog rrWatch;
    private static WatchLog wfeWatch;
    private static String appNamespace;
    /** Every delivery of both tests, for the accounting at the end. */
    private static final List<Delivery> deliveries = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() {
        cluster = EmbeddedCluster.builder().serveCrdsLater()
                .log(RepoPaths.logs().resolve("install-and-restart-api-server.log")).start();
        control = cluster.control().orElseThrow();
        system = KubernautSystem.in(cluster).namespacePrefix("install")
                .gateways(ScenarioSize.pick(2, 3)).orchestrators(ScenarioSize.pick(2, 3))
                .executor(Duration.ofMillis(300)).launch();
        appNamespace = cluster.createNamespace("install-apps");
        sender = new SignalSender(Duration.ofSeconds(30));
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {sender, rrWatch, wfeWatch, system, cluster}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // keep closing the rest
            }
        }
    }

    @Test
    @Order(1)
    void replicasStartedBeforeTheCrdsWaitThenTurnReadyOnceServedAndSignalsFlow() {
        List<Replica> replicas = system.replicas();

        // 1. every replica up, answering 503, saying it waits for the type that is not served
        Map<String, String> waiting = new TreeMap<>();
        Awaitility.await("every replica up and waiting for the unserved RemediationRequest type").atMost(START_BOUND)
                .pollInterval(Duration.ofMillis(500))
                .failFast("a replica exited", InstallAndRestartIT::assertNoneExited)
                .untilAsserted(() -> {
                    for (Replica replica : replicas) {
                        Replica.Readiness readiness = replica.readiness();
                        assertEquals(503, readiness.code(), replica.podName() + " readiness: " + readiness.body());
                        String says = String.join("; ", readiness.waitingFor());
                        assertTrue(says.contains("RemediationRequest") && says.contains(NOT_SERVED_404),
                                replica.podName() + " waitingFor names the RemediationRequest type as not served: " + says);
                        waiting.put(replica.podName(), says);
                    }
                });
        waiting.forEach((pod, says) -> System.out.printf("install: %s waitingFor: %s%n", pod, says));
        AtomicReference<String> sawReady = new AtomicReference<>();
        Awaitility.await("no replica ready, every one alive, while the CRDs are not served").during(WAITING_HOLDS)
                .atMost(WAITING_HOLDS.plusSeconds(2)).pollInterval(Duration.ofMillis(250))
                .failFast("a replica exited", InstallAndRestartIT::assertNoneExited)
                .until(() -> {
                    for (Replica replica : replicas) {
                        if (replica.isReady()) {
                            sawReady.compareAndSet(null, replica.podName());
                        }
                    }
                    return sawReady.get() == null;
                });
        assertNull(sawReady.get(), "a replica turned ready while its types were not served");

        // 2. the CRDs are applied: served, their first lists and watches 429 while the watch caches initialize
        long servedAt = System.nanoTime();
        List<String> served = cluster.serveCrds(INITIALIZING_ANSWERS);
        assertEquals(Set.of("remediationrequests", "workflowexecutions"), Set.copyOf(served), "the CRDs' types served");
        Map<String, Long> readyAfterMillis = new ConcurrentHashMap<>();
        Awaitility.await("every replica ready once the CRDs are served").atMost(READY_BOUND)
                .pollInterval(Duration.ofMillis(100))
                .failFast("a replica exited", InstallAndRestartIT::assertNoneExited)
                .until(() -> {
                    for (Replica replica : replicas) {
                        if (!readyAfterMillis.containsKey(replica.podName()) && replica.isReady()) {
                            readyAfterMillis.put(replica.podName(), (System.nanoTime() - servedAt) / 1_000_000);
                        }
                    }
                    return readyAfterMillis.size() == replicas.size();
                });
        assertEquals(List.of(), exitedReplicas(), "no replica exited");
        System.out.printf("install: ready after the CRDs were served (ms): %s; all within %d ms%n",
                new TreeMap<>(readyAfterMillis), readyAfterMillis.values().stream().mapToLong(Long::longValue).max().orElse(0));
        Map<String, Map<String, Long>> faults = faultsByPod(control.since(0));
        System.out.printf("install: life-cycle answers per replica since the start: %s%n", faults);
        for (Replica replica : replicas) {
            assertTrue(faults.getOrDefault(replica.podName(), Map.of()).getOrDefault("not-served", 0L) > 0,
                    replica.podName() + " met the 404 of a type not served: " + faults);
        }
        assertTrue(faults.values().stream().mapToLong(f -> f.getOrDefault("initializing", 0L)).sum() > 0,
                "the replicas met 429 'storage is (re)initializing' after the CRDs were served: " + faults);

        // 3. signals flow: the executor starts now (its informer needs the types served), then new alerts
        system.awaitReady(READY_BOUND);
        rrWatch = WatchLog.ofRemediationRequests(cluster.admin(), system.namespace(), WatchLog.WhenClosed.RELIST);
        wfeWatch = WatchLog.ofWorkflowExecutions(cluster.admin(), system.namespace(), WatchLog.WhenClosed.RELIST);
        Set<String> rrNames = new HashSet<>();
        for (int i = 0; i < ScenarioSize.pick(6, 12); i++) {
            Alert alert = Alert.aboutDeployment("KubePodCrashLooping", appNamespace, "installed-app-" + i);
            Outcome outcome = sender.sendAlert(system.gateways().nextLive(), alert);
            deliveries.add(new Delivery(alert, List.of(outcome)));
            assertEquals(201, outcome.code(), "a new alert after the install: " + outcome.body());
            rrNames.add(Answers.rrName(outcome));
        }
        Awaitility.await("the first RRs completed").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> assertEquals(List.of(), rrs().stream()
                        .filter(rr -> rrNames.contains(rr.getMetadata().getName()))
                        .filter(rr -> !"Completed".equals(KubernautObjects.rrPhase(rr)))
                        .map(rr -> rr.getMetadata().getName() + "=" + KubernautObjects.rrPhase(rr)).toList(),
                        "RRs not Completed yet"));
        Map<String, Long> wfesPerRr = wfesPerRr();
        assertEquals(List.of(), rrNames.stream().filter(n -> wfesPerRr.getOrDefault(n, 0L) != 1L).toList(),
                "each of the first RRs got exactly one WFE");
        System.out.printf("install: %d alerts answered 201, %d RRs Completed with one WFE each%n", rrNames.size(),
                rrNames.size());
    }

    @Test
    @Order(2)
    void apiServerRestartsUnderLoadNoReplicaExitsNothingLostEveryRrCompletes() throws Exception {
        system.awaitReady(READY_BOUND);
        int fingerprints = ScenarioSize.pick(12, 30);
        int clients = ScenarioSize.pick(6, 16);
        List<Alert> alerts = IntStream.range(0, fingerprints)
                .mapToObj(i -> Alert.aboutDeployment("KubePodCrashLooping", appNamespace, "restart-app-" + i)).toList();
        AtomicInteger next = new AtomicInteger();
        AtomicLong accepted = new AtomicLong();
        Semaphore inFlight = new Semaphore(clients);
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
        ExecutorService senders = Executors.newFixedThreadPool(clients);
        List<String> recoveries = new ArrayList<>();
        boolean loadEnded;
        try {
            ticker.scheduleAtFixedRate(() -> {
                if (inFlight.tryAcquire()) {
                    Alert alert = alerts.get(next.getAndIncrement() % fingerprints);
                    senders.execute(() -> {
                        try {
                            Delivery d = Delivery.send(sender, system.gateways()::nextLive, alert, GIVE_UP);
                            deliveries.add(d);
                            if (d.accepted()) {
                                accepted.incrementAndGet();
                            }
                        } finally {
                            inFlight.release();
                        }
                    });
                }
            }, 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
            awaitAccepted(accepted, 2L * fingerprints, "before the first restart");
            for (int restart = 1; restart <= RESTARTS; restart++) {
                long mark = control.mark();
                long restartedAt = System.nanoTime();
                int dropped = control.restart(NOT_SERVED_ON_RESTART, INITIALIZING_ANSWERS);
                if (restart == RESTARTS) {
                    // the CRDs come back one at a time (each is established on its own): RRs are written again while
                    // a WFE GET still answers the type's 404, which must not fail an Executing RR
                    control.stopServing("workflowexecutions", WFES_NOT_SERVED_ON_LAST_RESTART);
                }
                String recovery = awaitRecovered(mark, restartedAt);
                recoveries.add(recovery);
                System.out.printf("restart %d: %d watches dropped; %s%n", restart, dropped, recovery);
                awaitAccepted(accepted, accepted.get() + fingerprints, "after restart " + restart);
            }
        } finally {
            ticker.shutdownNow();
            senders.shutdown();
            loadEnded = senders.awaitTermination(GIVE_UP.plusSeconds(60).toSeconds(), TimeUnit.SECONDS);
            senders.shutdownNow();
        }
        assertTrue(loadEnded, "every delivery ended");
        assertEquals(List.of(), exitedReplicas(), "no replica exited");

        // every delivery accepted in the end (Alertmanager-like retries), none refused
        List<Delivery> all = List.copyOf(deliveries);
        Map<Integer, Long> attemptsByCode = all.stream().flatMap(d -> d.attempts().stream())
                .collect(Collectors.groupingBy(Outcome::code, TreeMap::new, Collectors.counting()));
        System.out.printf("load: %d deliveries over %d fingerprints, %d attempts by code %s, %d deliveries retried%n",
                all.size(), fingerprints, attemptsByCode.values().stream().mapToLong(Long::longValue).sum(),
                attemptsByCode, all.stream().filter(d -> d.attempts().size() > 1).count());
        System.out.printf("load: 5xx examples: %s%n", all.stream().flatMap(d -> d.attempts().stream())
                .filter(o -> o.code() >= 500 || o.code() < 0).map(o -> o.code() + " " + abbreviate(o.body()))
                .distinct().limit(4).toList());
        assertEquals(List.of(), all.stream().flatMap(d -> d.attempts().stream())
                .filter(o -> !Set.of(201, 202, 503, 504).contains(o.code())).limit(5)
                .map(o -> o.code() + " from " + o.target() + ": " + abbreviate(o.body())).toList(),
                "only 201/202, or 503/504 while the API server restarts");
        assertEquals(List.of(), all.stream().flatMap(d -> d.attempts().stream())
                .filter(o -> o.code() >= 500 && o.retryAfter() == null).limit(5)
                .map(o -> o.code() + " " + abbreviate(o.body())).toList(), "every 5xx carries Retry-After");
        assertEquals(List.of(), all.stream().filter(d -> !d.accepted()).limit(5)
                .map(d -> d.alert().subject() + ": " + d.attempts().size() + " attempts, last " + d.last().code() + " "
                        + abbreviate(d.last().body())).toList(), "every delivery accepted in the end");

        // every RR terminal, then: Completed, one WFE each, none Failed (WorkflowExecutionMissing in particular)
        Awaitility.await("every RR terminal").atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertEquals(List.of(), rrs().stream().filter(KubernautObjects::rrActive).limit(5)
                        .map(rr -> rr.getMetadata().getName() + "=" + KubernautObjects.rrPhase(rr) + "/"
                                + KubernautObjects.blockReason(rr)).toList(), "RRs still active"));
        List<GenericKubernetesResource> rrs = rrs();
        assertEquals(List.of(), rrs.stream()
                .filter(rr -> KubernautObjects.RR_OUTCOME_WFE_MISSING.equals(KubernautObjects.completionOutcome(rr)))
                .map(rr -> rr.getMetadata().getName()).toList(), "no RR failed with WorkflowExecutionMissing");
        assertEquals(List.of(), rrs.stream().filter(rr -> !"Completed".equals(KubernautObjects.rrPhase(rr)))
                .map(rr -> rr.getMetadata().getName() + "=" + KubernautObjects.rrPhase(rr) + " ("
                        + KubernautObjects.completionOutcome(rr) + ")").toList(), "every RR Completed");
        Map<String, Long> wfesPerRr = wfesPerRr();
        assertEquals(List.of(), rrs.stream().map(rr -> rr.getMetadata().getName())
                .filter(n -> wfesPerRr.getOrDefault(n, 0L) != 1L).map(n -> n + " has " + wfesPerRr.getOrDefault(n, 0L))
                .toList(), "each RR got exactly one WFE");

        // nothing accepted lost, nothing counted twice
        List<String> countProblems = new ArrayList<>();
        long[] totals = occurrenceAccounting(all, rrs, countProblems);
        System.out.printf("occurrences: %d accepted, %d counted on %d RRs, %d attempts unacknowledged (5xx or no "
                        + "answer: may or may not count); %d fingerprints counted exactly their accepted deliveries, "
                        + "%d counted more (within their unacknowledged attempts)%n", totals[0], totals[1], rrs.size(),
                totals[2], totals[3], totals[4]);
        assertEquals(List.of(), countProblems, "every accepted occurrence counted exactly once");

        // never two active RRs per fingerprint nor two active WFEs per target
        ActiveOverlaps.Report rrReport = ActiveOverlaps.rrsPerFingerprint(rrWatch);
        ActiveOverlaps.Report wfeReport = ActiveOverlaps.wfesPerTarget(wfeWatch);
        System.out.printf("observers: RR log %d events, gaps %s; WFE log %d events, gaps %s%n", rrWatch.size(),
                describe(rrWatch.gaps()), wfeWatch.size(), describe(wfeWatch.gaps()));
        assertEquals(List.of(), rrReport.overlaps().stream().limit(5).toList(),
                "never two active RRs for one fingerprint (watch replay)");
        assertEquals(List.of(), wfeReport.overlaps().stream().limit(5).toList(),
                "never two active WFEs for one target (watch replay)");
        assertEquals(List.of(), SupersedesChains.problems(rrs), "one supersedes chain per fingerprint (final state)");

        // still every replica ready, none exited
        Awaitility.await("every replica still ready").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (Replica replica : system.replicas()) {
                Replica.Readiness readiness = replica.readiness();
                assertTrue(readiness.ready() && readiness.waitingFor().isEmpty(), replica.podName() + ": " + readiness.body());
            }
        });
        assertEquals(List.of(), exitedReplicas(), "no replica exited");
        System.out.printf("install and restart: %d RRs, %d WFEs, recoveries: %s%n", rrs.size(),
                wfesPerRr.values().stream().mapToLong(Long::longValue).sum(), recoveries);
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private static List<GenericKubernetesResource> rrs() {
        return KubernautObjects.listRrs(cluster.admin(), system.namespace());
    }

    private static Map<String, Long> wfesPerRr() {
        return KubernautObjects.listWfes(cluster.admin(), system.namespace()).stream()
                .collect(Collectors.groupingBy(KubernautObjects::wfeRemediationRequest, Collectors.counting()));
    }

    /** Replicas whose process has ended, with their exit code and the end of their log. */
    private static List<String> exitedReplicas() {
        return system.replicas().stream().filter(r -> !r.isAlive())
                .map(r -> r.podName() + " exited with " + r.exitCode().map(String::valueOf).orElse("?") + ", log "
                        + r.log() + ":\n" + r.logTail(40))
                .toList();
    }

    private static void assertNoneExited() {
        assertEquals(List.of(), exitedReplicas(), "no replica exited");
    }

    private static void awaitAccepted(AtomicLong accepted, long atLeast, String when) {
        Awaitility.await(atLeast + " deliveries accepted " + when).atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(100))
                .failFast("a replica exited", InstallAndRestartIT::assertNoneExited)
                .until(() -> accepted.get() >= atLeast);
    }

    /** The custom types each replica follows with an informer: what it must have listed or watched again. */
    private static Set<String> followedTypes(Replica replica) {
        return replica.kind() == ServiceKind.GATEWAY ? Set.of("remediationrequests")
                : Set.of("remediationrequests", "workflowexecutions");
    }

    /**
     * Waits until every replica is ready again after a restart: readiness 200 with no {@code waitingFor}, and a
     * successful list or watch of each custom type it follows since {@code mark} (request log). Returns a line with the
     * time it took and what was seen on the way.
     */
    private static String awaitRecovered(long mark, long restartedAt) {
        Map<String, Set<String>> resumed = new HashMap<>();
        Map<String, Map<String, Long>> faultsSeen = new TreeMap<>();
        Set<String> seenNotReady = new java.util.TreeSet<>();
        Set<String> seenWaiting = new java.util.TreeSet<>();
        Map<String, Long> firstRecovered = new TreeMap<>();
        AtomicLong cursor = new AtomicLong(mark);
        Awaitility.await("every replica ready again after the restart").atMost(READY_BOUND)
                .pollInterval(Duration.ofMillis(100))
                .failFast("a replica exited", InstallAndRestartIT::assertNoneExited)
                .until(() -> {
                    List<RequestRecord> records = control.since(cursor.get());
                    for (RequestRecord r : records) {
                        cursor.set(Math.max(cursor.get(), r.seq() + 1));
                        if (r.pod().isEmpty()) {
                            continue;
                        }
                        if (!r.fault().isEmpty()) {
                            faultsSeen.computeIfAbsent(r.pod(), k -> new TreeMap<>())
                                    .merge(r.fault() + " " + r.verb() + " " + r.resource(), 1L, Long::sum);
                        }
                        if (r.succeeded() && (r.verb().equals("list") || r.verb().equals("watch"))) {
                            resumed.computeIfAbsent(r.pod(), k -> new HashSet<>()).add(r.resource());
                        }
                    }
                    boolean all = true;
                    for (Replica replica : system.replicas()) {
                        Replica.Readiness readiness = replica.readiness();
                        if (!readiness.ready()) {
                            seenNotReady.add(replica.podName());
                        }
                        if (!readiness.waitingFor().isEmpty()) {
                            seenWaiting.add(replica.podName());
                        }
                        boolean recovered = readiness.ready() && readiness.waitingFor().isEmpty()
                                && resumed.getOrDefault(replica.podName(), Set.of()).containsAll(followedTypes(replica));
                        if (recovered) {
                            firstRecovered.putIfAbsent(replica.podName(), (System.nanoTime() - restartedAt) / 1_000_000);
                        }
                        all &= recovered;
                    }
                    return all;
                });
        return String.format("all ready again after %d ms (each first at %s ms; not ready meanwhile: %s; waitingFor "
                        + "seen: %s; life-cycle answers: %s)", (System.nanoTime() - restartedAt) / 1_000_000,
                firstRecovered, seenNotReady, seenWaiting, faultsSeen);
    }

    /** Per replica (pod), how many answers each life-cycle fault made ({@code not-served}, {@code initializing}). */
    private static Map<String, Map<String, Long>> faultsByPod(List<RequestRecord> records) {
        Map<String, Map<String, Long>> byPod = new TreeMap<>();
        for (RequestRecord r : records) {
            if (!r.pod().isEmpty() && !r.fault().isEmpty()) {
                byPod.computeIfAbsent(r.pod(), k -> new TreeMap<>()).merge(r.fault(), 1L, Long::sum);
            }
        }
        return byPod;
    }

    /**
     * The accounting described in the class doc. Returns {accepted, counted, unacknowledged, fingerprints exact,
     * fingerprints counting more}; adds every violation to {@code problems}.
     */
    private static long[] occurrenceAccounting(List<Delivery> all, List<GenericKubernetesResource> rrs,
                                               List<String> problems) {
        Map<String, GenericKubernetesResource> byName = rrs.stream()
                .collect(Collectors.toMap(rr -> rr.getMetadata().getName(), rr -> rr));
        Map<String, Long> acceptedByFp = new TreeMap<>();
        Map<String, Long> unacknowledgedByFp = new TreeMap<>();
        Map<String, List<Long>> positionsByRr = new TreeMap<>();
        for (Delivery d : all) {
            String fingerprint = LockNames.fingerprint(d.alert());
            unacknowledgedByFp.merge(fingerprint, (long) d.unacknowledgedAttempts(), Long::sum);
            if (d.accepted()) {
                acceptedByFp.merge(fingerprint, 1L, Long::sum);
                Outcome o = d.last();
                if (!fingerprint.equals(Answers.fingerprint(o))) {
                    problems.add(d.alert().subject() + " answered with fingerprint " + Answers.fingerprint(o));
                }
                positionsByRr.computeIfAbsent(Answers.rrName(o), k -> new ArrayList<>())
                        .add(Answers.json(o).path("occurrenceCount").asLong());
            }
        }
        positionsByRr.forEach((name, positions) -> {
            GenericKubernetesResource rr = byName.get(name);
            long stored = rr == null ? -1 : KubernautObjects.occurrenceCount(rr);
            long distinct = positions.stream().distinct().count();
            long highest = positions.stream().mapToLong(Long::longValue).max().orElse(0);
            if (rr == null || distinct != positions.size() || highest > stored) {
                problems.add(name + ": " + positions.size() + " accepted answers (positions distinct: "
                        + (distinct == positions.size()) + ", highest " + highest + "), stored count " + stored);
            }
        });
        Map<String, Long> countedByFp = new TreeMap<>();
        rrs.forEach(rr -> countedByFp.merge(KubernautObjects.fingerprint(rr), KubernautObjects.occurrenceCount(rr), Long::sum));
        long exact = 0;
        long more = 0;
        for (Map.Entry<String, Long> e : acceptedByFp.entrySet()) {
            long counted = countedByFp.getOrDefault(e.getKey(), 0L);
            long unacknowledged = unacknowledgedByFp.getOrDefault(e.getKey(), 0L);
            if (counted < e.getValue() || counted > e.getValue() + unacknowledged) {
                problems.add(e.getKey().substring(0, 12) + ": " + e.getValue() + " accepted, " + unacknowledged
                        + " unacknowledged attempts, counted " + counted + " on its RRs");
            } else if (counted == e.getValue()) {
                exact++;
            } else {
                more++;
            }
        }
        Set<String> unknown = new HashSet<>(countedByFp.keySet());
        unknown.removeAll(acceptedByFp.keySet());
        unknown.forEach(fp -> problems.add(fp.substring(0, 12) + ": RRs counting " + countedByFp.get(fp)
                + " occurrences of a fingerprint no delivery was accepted for"));
        return new long[] {acceptedByFp.values().stream().mapToLong(Long::longValue).sum(),
                countedByFp.values().stream().mapToLong(Long::longValue).sum(),
                unacknowledgedByFp.values().stream().mapToLong(Long::longValue).sum(), exact, more};
    }

    private static String describe(List<WatchLog.Gap> gaps) {
        return gaps.stream().map(g -> g.length().toMillis() + " ms (" + g.attempts() + " failed lists/watches)")
                .toList().toString();
    }

    private static String abbreviate(String s) {
        return s == null ? "" : s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }

}
