package ai.kubernaut.e2e.scenarios;

import ai.kubernaut.e2e.cluster.Cluster;
import ai.kubernaut.testserver.ApiServerControl;
import ai.kubernaut.e2e.load.Alert;
import ai.kubernaut.e2e.load.AlertmanagerLikeSender;
import ai.kubernaut.e2e.load.AlertmanagerLikeSender.Attempt;
import ai.kubernaut.e2e.load.AlertmanagerLikeSender.Delivery;
import ai.kubernaut.e2e.load.AlertmanagerLikeSender.Failure;
import ai.kubernaut.e2e.load.AlertmanagerLikeSender.Status;
import ai.kubernaut.e2e.load.ServiceEndpoints;
import ai.kubernaut.e2e.load.SteadyAlertLoad;
import ai.kubernaut.e2e.observe.ActiveOverlaps;
import ai.kubernaut.e2e.observe.KubernautObjects;
import ai.kubernaut.e2e.observe.OwnerStopWaits;
import ai.kubernaut.e2e.observe.WatchLog;
import ai.kubernaut.e2e.replica.Durations;
import ai.kubernaut.e2e.replica.Endpoints;
import ai.kubernaut.e2e.replica.PodTermination;
import ai.kubernaut.e2e.replica.Replica;
import ai.kubernaut.e2e.replica.RollingUpdate;
import ai.kubernaut.e2e.replica.ServiceKind;
import ai.kubernaut.e2e.system.KubernautSystem;
import ai.kubernaut.e2e.system.ShardOwners;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue "install, restart and roll out without losing a request": under a steady Alertmanager-like load, every
 * replica of both services is replaced in turn as a Deployment rollout does it (maxSurge 1, maxUnavailable 0: a new
 * replica started and ready first, then the old one terminated as the kubelet does it: no preStop hook, SIGTERM,
 * SIGKILL after the grace period), first the three Gateways one after the other, then the three orchestrators one
 * after the other (not interleaved). The sender ({@link AlertmanagerLikeSender}: retries on no answer, refused or cut
 * connections, 5xx and 429, honours Retry-After, 60 s per alert) keeps sending new requests to a terminating
 * Gateway for 2 s after its SIGTERM (endpoint propagation); every replica here gets the harness's shutdown delay
 * ({@code -De2e.shutdownDelay}, default 3 s, longer than those 2 s; other scenarios' replicas get none).
 *
 * <p>Checked, all at once so that one run reports every failure: no alert lost; no request cut after its connection
 * was accepted; no connection refused by a stopping Gateway inside its 2 s (nor by any other); every replica exited
 * within its grace period without SIGKILL; never two active RRs for one fingerprint nor two active WFEs for one
 * target, every RR Completed with exactly one WFE; every accepted occurrence counted in its RR; no Lease still held by
 * a replica when it exited (nor at the end); and the <em>longest wait of a target whose owner stopped</em> under 2 s.
 *
 * <p>That wait (replayed by {@link OwnerStopWaits} from the RR and WFE watches): a stopping orchestrator's targets
 * are those of the shards it owned, by its own member view (its readiness data) just before its SIGTERM. Their
 * owner has stopped from that SIGTERM until the hand-over is done: every remaining orchestrator ready (its caches
 * those of the shards it owns now) without the stopped one among its members. An RR on such a target waits for its
 * orchestrator while the next step is the orchestrator's (new, Pending or Analyzing: to be routed; Executing with its
 * WFE ended: to be completed) until the orchestrator's next progress for it (a phase change or its WFE created).
 * Every such wait under way at the SIGTERM or begun before the hand-over counts, from the later of its start and the
 * SIGTERM; the longest is printed and must stay under 2 s. On the embedded server the orchestrators' RR and WFE
 * lists are answered 2.5 s late during each hand-over (as slow as kube-apiserver 1.20's under this load), so a
 * hand-over that lists the shards only after the stopping replica left fails here too, not only on a real server.
 *
 * <p>Run alone: {@code ./mvnw -B verify -pl e2e-tests -am -Dtest=NoUnitTests -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=RollingUpdateIT}; knobs {@code -De2e.shutdownDelay=3s}, {@code -De2e.terminationGracePeriod=30s},
 * {@code -De2e.endpointDelay=2s}.
 */
@ExtendWith(SuiteCluster.class)
@Order(4)
class RollingUpdateIT {

    static final Duration LONGEST_OWNER_WAIT = Duration.ofSeconds(2);
    static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
    /** How late the orchestrators' lists are answered on the embedded server while they are replaced. */
    static final Duration SLOW_LIST = Duration.ofMillis(2500);

    private static KubernautSystem system;
    private static WatchLog rrWatch;
    private static WatchLog wfeWatch;
    private static SteadyAlertLoad load;
    private static String appNamespace;

    @BeforeAll
    static void start(Cluster cluster) {
        String delay = Durations.format(Replica.shutdownDelay());
        system = KubernautSystem.in(cluster).namespacePrefix("rollout").gateways(3).orchestrators(3)
                // after SIGTERM: not ready at once, still serving for this long (the endpoints catch up), then drain
                .env(ServiceKind.GATEWAY, "QUARKUS_SHUTDOWN_DELAY", delay)
                .env(ServiceKind.ORCHESTRATOR, "QUARKUS_SHUTDOWN_DELAY", delay)
                .executor(Duration.ofMillis(500)).start();
        appNamespace = cluster.createNamespace("rollout-apps");
        rrWatch = WatchLog.ofRemediationRequests(cluster.admin(), system.namespace());
        wfeWatch = WatchLog.ofWorkflowExecutions(cluster.admin(), system.namespace());
    }

    @AfterAll
    static void stop() {
        if (system != null) {
            system.faults().ifPresent(ApiServerControl::clearFaults); // the suite's server: no fault left
        }
        for (AutoCloseable c : new AutoCloseable[] {load, rrWatch, wfeWatch, system}) {
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
    void everyReplicaOfBothServicesIsReplacedUnderAlertmanagerLikeLoad() throws Exception {
        int fingerprints = ScenarioSize.pick(12, 30);
        Duration groupInterval = Duration.ofMillis(ScenarioSize.pick(600, 300));
        PodTermination.Settings termination = PodTermination.Settings.fromSystemProperties();
        List<Alert> alerts = new ArrayList<>();
        for (int i = 0; i < fingerprints; i++) {
            alerts.add(Alert.aboutDeployment("KubePodCrashLooping", appNamespace, "rolled-app-" + i));
        }
        List<Replica> oldGateways = system.gateways().replicas();
        List<Replica> oldOrchestrators = system.orchestrators().replicas();
        ServiceEndpoints endpoints = new ServiceEndpoints(oldGateways);
        AlertmanagerLikeSender sender = new AlertmanagerLikeSender(endpoints, AlertmanagerLikeSender.Settings.alertmanager());
        System.out.printf("rolling update: %d fingerprints every %d ms, shutdown delay %s, grace %s, endpoints follow "
                        + "SIGTERM after %s%n", fingerprints, groupInterval.toMillis(),
                Durations.format(Replica.shutdownDelay()), Durations.format(termination.gracePeriod()),
                Durations.format(termination.endpointDelay()));

        system.cluster().control().ifPresent(c -> System.out.printf("rolling update: during each orchestrator hand-over"
                + " the orchestrators' RR and WFE lists answer %s late%n", Durations.format(SLOW_LIST)));
        load = SteadyAlertLoad.start(sender, alerts, groupInterval);
        Awaitility.await("the load runs: every fingerprint delivered twice").atMost(Duration.ofSeconds(60))
                .until(() -> sender.deliveries().stream().filter(d -> d.status() == Status.DELIVERED).count()
                        >= 2L * fingerprints);

        RolloutObserver observer = new RolloutObserver();
        List<RollingUpdate.Step> steps = new ArrayList<>(RollingUpdate.replaceEach(oldGateways,
                old -> system.addReplica(ServiceKind.GATEWAY, READY_TIMEOUT), endpoints, termination, observer));
        steps.addAll(RollingUpdate.replaceEach(oldOrchestrators,
                old -> system.addReplica(ServiceKind.ORCHESTRATOR, READY_TIMEOUT), Endpoints.NONE, termination, observer));

        // the rollout is over: the load ends (every delivery under way ends within its 60 s), everything completes
        boolean loadEnded = load.stop(sender.settings().giveUpAfter().plusSeconds(30));
        List<String> stillActive = awaitEveryRrTerminal(Duration.ofSeconds(180));
        long end = System.nanoTime();

        Report report = new Report(sender.deliveries(), sender.attempts(), steps, observer.stops, end);
        report.print();
        List<GenericKubernetesResource> rrs = rrs();
        Map<String, Long> wfesPerRr = KubernautObjects.listWfes(system.cluster().admin(), system.namespace()).stream()
                .collect(Collectors.groupingBy(KubernautObjects::wfeRemediationRequest, Collectors.counting()));
        Set<String> stopped = steps.stream().map(s -> s.replaced().podName()).collect(Collectors.toCollection(TreeSet::new));
        assertAll(
                () -> assertTrue(loadEnded, "the load's deliveries ended within the sender's give-up time + 30 s"),
                () -> assertEquals(List.of(), load.errors(), "the harness's own deliveries failed"),
                () -> assertEquals(List.of(), stillActive, "RRs still active 180 s after the load ended"),
                report.noAlertLost(),
                report.noRequestCut(),
                report.noConnectionRefused(),
                report.everyReplicaExitedWithinItsGracePeriod(),
                report.longestOwnerWaitUnder(LONGEST_OWNER_WAIT),
                () -> assertEquals(List.of(), ActiveOverlaps.rrsPerFingerprint(rrWatch).overlaps(),
                        "never two active RRs for one fingerprint"),
                () -> assertEquals(List.of(), ActiveOverlaps.wfesPerTarget(wfeWatch).overlaps(),
                        "never two active WFEs for one target"),
                () -> assertEquals(List.of(), rrs.stream().filter(rr -> !"Completed".equals(KubernautObjects.rrPhase(rr))
                                || wfesPerRr.getOrDefault(rr.getMetadata().getName(), 0L) != 1L)
                        .map(rr -> rr.getMetadata().getName() + " " + KubernautObjects.rrPhase(rr) + " with "
                                + wfesPerRr.getOrDefault(rr.getMetadata().getName(), 0L) + " WFEs").limit(10).toList(),
                        "every RR Completed with exactly one WFE (of " + rrs.size() + ")"),
                () -> assertEquals(List.of(), unCountedOccurrences(sender.deliveries(), rrs),
                        "every accepted occurrence is counted in its RR"),
                () -> assertEquals(Map.of(), observer.leasesHeldAtExit, "Leases still held by a replica when it exited "
                        + "(not released on shutdown; others wait for them to expire)"),
                () -> assertEquals(List.of(), leasesHeldBy(stopped), "Leases held by the stopped replicas " + stopped
                        + " at the end"),
                () -> assertEquals(List.of(), system.replicas().stream().filter(Replica::isAlive)
                        .filter(r -> !r.isReady()).map(Replica::podName).toList(), "every running replica ready"));
    }

    /**
     * Around each termination: the Leases the replica still held when it exited; for an orchestrator also the shards
     * it owned just before SIGTERM (by its own member view) and when its targets had been handed over.
     */
    private static final class RolloutObserver implements RollingUpdate.Hooks {
        final Map<String, List<String>> leasesHeldAtExit = new TreeMap<>();
        final List<OwnerStopWaits.Stop> stops = new ArrayList<>();
        private Set<String> shards = Set.of();

        @Override
        public void beforeTermination(Replica old) {
            if (old.kind() == ServiceKind.ORCHESTRATOR) {
                slowOrchestratorLists();
                List<String> members = Arrays.asList(old.readinessData().getOrDefault("members", "").split(","));
                shards = ShardOwners.ownedBy(old.podName(), members);
                assertTrue(!shards.isEmpty(), old.podName() + " owns shards before its SIGTERM, members " + members);
            }
        }

        @Override
        public void afterTermination(RollingUpdate.Step step) {
            String pod = step.replaced().podName();
            List<String> held = leasesHeldBy(Set.of(pod));
            if (!held.isEmpty()) {
                leasesHeldAtExit.put(pod, held);
            }
            if (step.replaced().kind() == ServiceKind.ORCHESTRATOR) {
                stops.add(new OwnerStopWaits.Stop(pod, step.termination().sigtermNanos(), awaitHandOver(step.replaced()),
                        shards));
                system.faults().ifPresent(ApiServerControl::clearFaults);
            }
        }
    }

    /**
     * On the embedded server, from an orchestrator's SIGTERM until its targets are handed over: the orchestrators'
     * RR and WFE lists answer as slowly as kube-apiserver 1.20 answered them under this load (an RR LIST of the shards
     * gained: 2.1 s, read from etcd). A hand-over that lists only after the stopping replica left makes its targets
     * wait that long (it did, 2-3.3 s, against the real server); one listed ahead does not.
     */
    private static void slowOrchestratorLists() {
        system.faults().ifPresent(c -> {
            for (String resource : List.of("remediationrequests", "workflowexecutions")) {
                c.delayAnswers(ServiceKind.ORCHESTRATOR.serviceName(), "", "list", resource, "", SLOW_LIST,
                        Integer.MAX_VALUE);
            }
        });
    }

    /** Waits up to {@code timeout} for every RR to reach a terminal phase; returns those that did not (a few). */
    private static List<String> awaitEveryRrTerminal(Duration timeout) {
        Function<List<GenericKubernetesResource>, List<String>> active = list -> list.stream()
                .filter(KubernautObjects::rrActive).map(rr -> rr.getMetadata().getName() + "=" + KubernautObjects.rrPhase(rr))
                .limit(10).toList();
        try {
            Awaitility.await("every RR terminal").atMost(timeout).pollInterval(Duration.ofMillis(500))
                    .until(() -> active.apply(rrs()).isEmpty());
        } catch (ConditionTimeoutException e) {
            // reported with the other checks
        }
        return active.apply(rrs());
    }

    /**
     * Waits until every running orchestrator is ready (its caches those of the shards it owns now) and none counts
     * {@code stopped} among its members; returns when that was seen.
     */
    private static long awaitHandOver(Replica stopped) {
        List<Replica> running = system.orchestrators().replicas().stream().filter(Replica::isAlive).toList();
        Awaitility.await("the targets of " + stopped.podName() + " handed over to " + running)
                .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                .until(() -> running.stream().allMatch(r -> {
                    Map<String, String> data = r.readinessData();
                    return r.isReady() && !Arrays.asList(data.getOrDefault("members", "").split(","))
                            .contains(stopped.podName());
                }));
        return System.nanoTime();
    }

    private static List<GenericKubernetesResource> rrs() {
        return KubernautObjects.listRrs(system.cluster().admin(), system.namespace());
    }

    /** Leases (target locks of both services, orchestrator member Leases) whose holder is one of {@code pods}. */
    private static List<String> leasesHeldBy(Set<String> pods) {
        return system.cluster().admin().leases().inNamespace(system.namespace()).list().getItems().stream()
                .filter(l -> l.getSpec() != null && l.getSpec().getHolderIdentity() != null)
                .filter(l -> pods.contains(holderPod(l)))
                .map(l -> l.getMetadata().getName() + " held by " + l.getSpec().getHolderIdentity()).toList();
    }

    private static String holderPod(Lease lease) {
        String holder = lease.getSpec().getHolderIdentity();
        return holder.contains("/") ? holder.substring(0, holder.indexOf('/')) : holder;
    }

    /**
     * Every 201/202 carries the RR and its own position in the RR's count: per RR the positions are distinct and
     * none is above the stored count (tries without an answer may have counted too, so the count may be higher).
     */
    private static List<String> unCountedOccurrences(List<Delivery> deliveries, List<GenericKubernetesResource> rrs) {
        Map<String, GenericKubernetesResource> byName = rrs.stream()
                .collect(Collectors.toMap(rr -> rr.getMetadata().getName(), rr -> rr));
        Map<String, List<Long>> positions = new TreeMap<>();
        for (Delivery d : deliveries) {
            if (d.status() == Status.DELIVERED) {
                positions.computeIfAbsent(Answers.rrName(d.last()), k -> new ArrayList<>())
                        .add(Answers.json(d.last()).path("occurrenceCount").asLong());
            }
        }
        List<String> wrong = new ArrayList<>();
        positions.forEach((name, answered) -> {
            GenericKubernetesResource rr = byName.get(name);
            long stored = rr == null ? -1 : KubernautObjects.occurrenceCount(rr);
            long distinct = answered.stream().distinct().count();
            long highest = answered.stream().mapToLong(Long::longValue).max().orElse(0);
            if (rr == null || distinct != answered.size() || highest > stored) {
                wrong.add(name + ": " + answered.size() + " accepted answers, positions " + answered + ", stored count "
                        + stored);
            }
        });
        return wrong;
    }

    /** What the run recorded, the summary printed, and the checks with messages that say what went wrong. */
    private static final class Report {
        private final List<Delivery> deliveries;
        private final List<Attempt> attempts;
        private final List<RollingUpdate.Step> steps;
        private final List<OwnerStopWaits.Stop> stops;
        private final Map<String, PodTermination.Record> terminations = new LinkedHashMap<>();
        private final List<OwnerStopWaits.Wait> waits;

        Report(List<Delivery> deliveries, List<Attempt> attempts, List<RollingUpdate.Step> steps,
               List<OwnerStopWaits.Stop> stops, long endNanos) {
            this.deliveries = deliveries;
            this.attempts = attempts;
            this.steps = steps;
            this.stops = stops;
            steps.forEach(s -> terminations.put(s.replaced().podName(), s.termination()));
            this.waits = OwnerStopWaits.waits(rrWatch.events(), wfeWatch.events(), stops, endNanos);
        }

        void print() {
            System.out.printf("rolling update: %d alerts (%s), %d tries (%s), answers %s%n", deliveries.size(),
                    count(deliveries, d -> d.status().name()), attempts.size(), count(attempts, a -> a.failure().name()),
                    count(attempts.stream().filter(a -> a.failure() == Failure.NONE).toList(), a -> Integer.toString(a.code())));
            System.out.printf("rolling update: tries per alert %s, slowest delivery %d ms%n", count(deliveries,
                    d -> Integer.toString(d.tries())), deliveries.stream().mapToLong(d -> d.endNanos() - d.startNanos())
                    .max().orElse(0) / 1_000_000);
            deliveries.stream().max(Comparator.comparingLong(d -> d.endNanos() - d.startNanos()))
                    .ifPresent(d -> System.out.printf("rolling update: slowest %s%n", d.describe()));
            for (RollingUpdate.Step step : steps) {
                System.out.printf("rolling update: %s replaced by %s; %s; tries at it after SIGTERM: %s%n",
                        step.replaced().podName(), step.replacement().podName(), step.termination(),
                        count(after(step.termination()), a -> a.failure() == Failure.NONE ? Integer.toString(a.code())
                                : a.failure().name()));
            }
            for (OwnerStopWaits.Stop stop : stops) {
                List<OwnerStopWaits.Wait> mine = waits.stream().filter(w -> w.stop() == stop).toList();
                System.out.printf("rolling update: %s owned %d shards, handed over %d ms after its SIGTERM; %d waits of "
                                + "its targets, longest %s%n", stop.pod(), stop.shards().size(),
                        (stop.handedOverNanos() - stop.sigtermNanos()) / 1_000_000, mine.size(),
                        mine.isEmpty() ? "-" : mine.get(0));
            }
            System.out.printf("rolling update: longest wait of a target whose owner stopped: %s%n",
                    waits.isEmpty() ? "none measured" : waits.get(0).countedNanos() / 1_000_000 + " ms, " + waits.get(0));
        }

        private List<Attempt> after(PodTermination.Record t) {
            return attempts.stream().filter(a -> a.endpoint().equals(t.pod()) && a.startNanos() >= t.sigtermNanos()).toList();
        }

        /** When the try was sent, relative to its endpoint's SIGTERM. */
        private String when(Attempt a) {
            PodTermination.Record t = terminations.get(a.endpoint());
            long ms = t == null ? 0 : (a.startNanos() - t.sigtermNanos()) / 1_000_000;
            return t == null ? "(not a stopped replica)"
                    : ms < 0 ? "sent " + -ms + " ms before its SIGTERM" : "sent " + ms + " ms after its SIGTERM";
        }

        Executable noAlertLost() {
            List<Delivery> failed = deliveries.stream().filter(d -> d.status() != Status.DELIVERED).toList();
            return () -> assertEquals(List.of(), failed.stream().limit(10).map(Delivery::toString).toList(),
                    failed.size() + " of " + deliveries.size() + " alerts not delivered (" + count(failed,
                            d -> d.status().name()) + ")");
        }

        Executable noRequestCut() {
            List<Attempt> cut = attempts.stream().filter(a -> a.failure() == Failure.CUT).toList();
            return () -> assertEquals(List.of(), cut.stream().limit(10).map(a -> a + ", " + when(a)).toList(),
                    cut.size() + " requests cut after their connection was accepted (" + count(cut,
                            a -> a.endpoint() + (a.requestSent() ? " request sent" : " request not fully sent")) + ")");
        }

        /** Refused while the replica was still in the sender's endpoints: after its SIGTERM, or while it was not stopping. */
        Executable noConnectionRefused() {
            List<Attempt> refused = attempts.stream().filter(a -> a.failure() == Failure.REFUSED).toList();
            Map<String, String> byReplica = new TreeMap<>();
            refused.stream().collect(Collectors.groupingBy(Attempt::endpoint)).forEach((pod, list) -> {
                PodTermination.Record t = terminations.get(pod);
                LongSummary s = LongSummary.of(list.stream().mapToLong(a -> t == null ? 0
                        : (a.startNanos() - t.sigtermNanos()) / 1_000_000).toArray());
                byReplica.put(pod, list.size() + (t == null ? " (not a stopped replica)"
                        : String.format(" from %+d to %+d ms after its SIGTERM (it left the endpoints at %+d ms, exited at %+d ms)",
                        s.min, s.max, (t.endpointRemovedNanos() - t.sigtermNanos()) / 1_000_000,
                        t.exitAfterSigterm().toMillis())));
            });
            return () -> assertEquals(Map.of(), byReplica, refused.size() + " connections refused (the sender only uses replicas"
                    + " in its endpoints, a stopping one during its first seconds after SIGTERM)");
        }

        Executable everyReplicaExitedWithinItsGracePeriod() {
            List<String> late = steps.stream().map(RollingUpdate.Step::termination)
                    .filter(t -> !t.exitedWithinGrace()).map(PodTermination.Record::toString).toList();
            return () -> assertEquals(List.of(), late, "replicas that did not exit within their grace period");
        }

        Executable longestOwnerWaitUnder(Duration limit) {
            List<OwnerStopWaits.Wait> over = waits.stream().filter(w -> w.countedNanos() >= limit.toNanos()).toList();
            return () -> assertAll(
                    () -> assertTrue(!waits.isEmpty(), "no RR waited on a stopping orchestrator's target: the load did "
                            + "not reach the stopped replicas' shards, nothing was measured"),
                    () -> assertEquals(List.of(), over.stream().limit(10).map(Object::toString).toList(), over.size()
                            + " waits of a target whose owner stopped took " + limit.toMillis() + " ms or more"));
        }

        private static <T> Map<String, Long> count(List<T> items, Function<T, String> key) {
            return items.stream().collect(Collectors.groupingBy(key, TreeMap::new, Collectors.counting()));
        }
    }

    private record LongSummary(long min, long max) {
        static LongSummary of(long[] values) {
            return new LongSummary(Arrays.stream(values).min().orElse(0), Arrays.stream(values).max().orElse(0));
        }
    }
}
