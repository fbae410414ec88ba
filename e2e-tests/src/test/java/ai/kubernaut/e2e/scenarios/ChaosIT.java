package ai.kubernaut.e2e.scenarios;

import ai.kubernaut.testserver.ApiServerControl;
import ai.kubernaut.e2e.cluster.Cluster;
import ai.kubernaut.e2e.load.Alert;
import ai.kubernaut.e2e.load.Outcome;
import ai.kubernaut.e2e.load.SignalSender;
import ai.kubernaut.e2e.observe.ActiveOverlaps;
import ai.kubernaut.e2e.observe.KubernautObjects;
import ai.kubernaut.e2e.observe.WatchLog;
import ai.kubernaut.e2e.replica.Replica;
import ai.kubernaut.e2e.replica.ServiceKind;
import ai.kubernaut.e2e.system.KubernautSystem;
import ai.kubernaut.e2e.system.LockNames;
import ai.kubernaut.e2e.system.RemediationRequests;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scenario 6: replicas killed ({@code kill -9}) or frozen ({@code SIGSTOP} past lease expiry, then
 * {@code SIGCONT}) while they hold a Lease, for both services, with short lease durations.
 *
 * <p>Catching a replica inside its critical section: on the embedded cluster, deterministically, by asking the
 * API server to carry out the replica's Lease create but hold back the answer
 * ({@link ApiServerControl#delayAnswers}); on a real cluster (no fault injection), by keeping the replica busy
 * with many new fingerprints or targets and acting the moment a Lease it holds is seen (retried with fresh
 * replicas until one is caught). The assertions are the same.
 */
@ExtendWith(SuiteCluster.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Order(3)
class ChaosIT {

    static final String LEASE = "2s";
    /** Orchestrator member Leases: a dead or frozen replica's targets move after this (plus a check interval). */
    static final Duration MEMBER_LEASE = Duration.ofSeconds(2);
    private static final int CATCH_ATTEMPTS = 5;
    private static KubernautSystem system;
    private static Optional<ApiServerControl> control;
    private static SignalSender sender;
    private static WatchLog wfeWatch;
    private static WatchLog rrWatch;
    private static String appNamespace;

    @BeforeAll
    static void start(Cluster cluster) {
        system = KubernautSystem.in(cluster).namespacePrefix("chaos").gateways(3).orchestrators(3)
                .env(ServiceKind.GATEWAY, "GATEWAY_LOCK_LEASE_DURATION", LEASE)
                .env(ServiceKind.ORCHESTRATOR, "ORCHESTRATOR_LOCK_LEASE_DURATION", LEASE)
                .env(ServiceKind.ORCHESTRATOR, "ORCHESTRATOR_SHARDING_MEMBER_LEASE_DURATION", MEMBER_LEASE.toSeconds() + "s")
                .env(ServiceKind.ORCHESTRATOR, "ORCHESTRATOR_SHARDING_RENEW_INTERVAL", "500ms")
                .executor(Duration.ofMillis(200)).start();
        control = system.faults();
        appNamespace = cluster.createNamespace("chaos-apps");
        wfeWatch = WatchLog.ofWorkflowExecutions(cluster.admin(), system.namespace());
        rrWatch = WatchLog.ofRemediationRequests(cluster.admin(), system.namespace());
        sender = new SignalSender(Duration.ofSeconds(60));
    }

    @AfterEach
    void clearFaults() {
        control.ifPresent(ApiServerControl::clearFaults);
        system.executor().ifPresent(e -> e.resume());
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {sender, wfeWatch, rrWatch, system}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // keep closing the rest
            }
        }
    }

    // ---- catching a replica inside its critical section ----------------------------------------------

    /** Alerts sent to a Gateway victim, and the Leases it held when caught. */
    private record CaughtGateway(Replica victim, List<Alert> alerts, Map<Alert, CompletableFuture<Outcome>> calls,
                                 Set<Alert> heldAlerts) {
    }

    private static List<Lease> leases(String prefix) {
        return system.cluster().admin().leases().inNamespace(system.namespace()).list().getItems().stream()
                .filter(l -> l.getMetadata().getName().startsWith(prefix)).toList();
    }

    private static Set<String> leasesHeldBy(String pod, String prefix) {
        return leases(prefix).stream()
                .filter(l -> l.getSpec() != null && l.getSpec().getHolderIdentity() != null
                        && l.getSpec().getHolderIdentity().startsWith(pod + "/"))
                .map(l -> l.getMetadata().getName()).collect(Collectors.toSet());
    }

    /**
     * Sends new alerts to {@code victim} and returns once it holds a {@code gw-lock-} Lease for one of them,
     * after {@code act} (kill or freeze) was applied. Retries with a fresh replica if the victim released its
     * Leases before {@code act} landed (real clusters only).
     */
    private static CaughtGateway catchGateway(Replica first, String name, java.util.function.Consumer<Replica> act) {
        for (int attempt = 1; attempt <= CATCH_ATTEMPTS; attempt++) {
            Replica victim = attempt == 1 ? first
                    : system.addReplica(ServiceKind.GATEWAY, Duration.ofSeconds(120));
            int count = control.isPresent() ? 1 : 40;
            List<Alert> alerts = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                alerts.add(Alert.aboutDeployment("KubePodCrashLooping", appNamespace, name + "-" + attempt + "-" + i));
            }
            // only this alert's Lease, created by the victim
            control.ifPresent(c -> c.delayAnswers(ServiceKind.GATEWAY.serviceName(), victim.podName(), "create",
                    "leases", LockNames.gatewayLease(LockNames.fingerprint(alerts.get(0))), Duration.ofSeconds(3), 1));
            Map<Alert, CompletableFuture<Outcome>> calls = new LinkedHashMap<>();
            for (Alert alert : alerts) {
                calls.put(alert, CompletableFuture.supplyAsync(() -> sender.sendAlert(victim, alert)));
            }
            Awaitility.await(victim.podName() + " holds a gw-lock Lease").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(2))
                    .until(() -> control.isPresent()
                            ? !control.get().firedFaults().isEmpty()
                            : !leasesHeldBy(victim.podName(), "gw-lock-").isEmpty());
            act.accept(victim);
            Set<String> held = leasesHeldBy(victim.podName(), "gw-lock-");
            Set<Alert> heldAlerts = alerts.stream()
                    .filter(a -> held.contains(LockNames.gatewayLease(LockNames.fingerprint(a)))).collect(Collectors.toSet());
            if (!heldAlerts.isEmpty()) {
                return new CaughtGateway(victim, alerts, calls, heldAlerts);
            }
            assertFalse(control.isPresent(), "on the embedded cluster the victim is held inside its critical section");
            // it released everything before the signal landed: let it finish, try again with a new replica
            resumeIfAlive(victim);
            calls.values().forEach(CompletableFuture::join);
        }
        throw new AssertionError("could not catch a Gateway replica holding a Lease in " + CATCH_ATTEMPTS + " attempts");
    }

    /** {@code kill -CONT} for a frozen victim; a killed one has nothing to resume. */
    private static void resumeIfAlive(Replica victim) {
        if (victim.isAlive()) {
            victim.resume();
        }
    }

    private static List<GenericKubernetesResource> rrsFor(String fingerprint) {
        return KubernautObjects.listRrs(system.cluster().admin(), system.namespace()).stream()
                .filter(rr -> KubernautObjects.fingerprint(rr).equals(fingerprint)).toList();
    }

    private static double takeovers(Replica gateway) {
        return gateway.metrics().sum("gateway_lock_takeovers_total");
    }

    private static Outcome acceptedEventually(Replica gateway, Alert alert) {
        return Awaitility.await("a retry of " + alert.subject() + " is accepted").atMost(Duration.ofSeconds(60))
                .until(() -> sender.sendAlert(gateway, alert), o -> o.code() == 201 || o.code() == 202);
    }

    // ---- Gateway -----------------------------------------------------------------------------------------

    @Test
    @Order(1)
    void gatewayKilledWhileHoldingTheLease() throws Exception {
        // keep every RR active (its WFE not completed): any second RR for a fingerprint is then a duplicate
        system.executor().orElseThrow().pause();
        Replica other = system.gateways().get(1);
        double takeoversBefore = takeovers(other);
        CaughtGateway caught = catchGateway(system.gateways().get(0), "chaos-kill", Replica::kill9);
        for (Alert held : caught.heldAlerts()) {
            Outcome lost = caught.calls().get(held).get(30, TimeUnit.SECONDS);
            assertEquals(-1, lost.code(), "the killed replica's caller got an error, not an answer: " + lost.body());
        }
        // the held fingerprints first: their Lease stays held by the dead replica until it expires
        boolean createdBehindDeadHolder = false;
        for (Alert held : caught.heldAlerts()) {
            boolean rrExisted = !rrsFor(LockNames.fingerprint(held)).isEmpty();
            Outcome retry = acceptedEventually(other, held);
            if (!rrExisted) {
                assertEquals(201, retry.code(), "the retry creates the RR the dead replica never created: " + retry.body());
                createdBehindDeadHolder = true;
            }
        }
        if (createdBehindDeadHolder) {
            assertTrue(takeovers(other) > takeoversBefore, "the retrying replica took the dead holder's expired Lease over");
        }
        // every other caller the dead replica left without an answer retries too (as Alertmanager does)
        for (Map.Entry<Alert, CompletableFuture<Outcome>> call : caught.calls().entrySet()) {
            if (call.getValue().get(30, TimeUnit.SECONDS).code() == -1) {
                acceptedEventually(other, call.getKey());
            }
        }
        for (Alert alert : caught.alerts()) {
            assertEquals(1, rrsFor(LockNames.fingerprint(alert)).size(), "exactly one RR for " + alert.subject());
        }
        awaitNoLeaseHeldByALiveReplica("gw-lock-");
    }

    @Test
    @Order(2)
    void gatewayFrozenPastLeaseExpiryCannotCreateASecondRr() throws Exception {
        system.executor().orElseThrow().pause(); // every RR stays active: a second one would be a duplicate
        CaughtGateway caught = catchGateway(system.gateways().get(2), "chaos-pause", Replica::pause);
        Replica other = system.gateways().get(1);
        Map<Alert, Outcome> fromOther = new LinkedHashMap<>();
        try {
            // while the victim is frozen its lease expires; another replica takes over and creates the RR
            for (Alert held : caught.heldAlerts()) {
                fromOther.put(held, acceptedEventually(other, held));
            }
        } finally {
            caught.victim().resume();
        }
        Map<Alert, Outcome> fromVictim = new LinkedHashMap<>();
        for (Map.Entry<Alert, CompletableFuture<Outcome>> call : caught.calls().entrySet()) {
            fromVictim.put(call.getKey(), call.getValue().get(60, TimeUnit.SECONDS));
        }
        for (Alert alert : caught.alerts()) {
            String fingerprint = LockNames.fingerprint(alert);
            List<Outcome> answers = new ArrayList<>();
            answers.add(fromVictim.get(alert));
            Optional.ofNullable(fromOther.get(alert)).ifPresent(answers::add);
            long created = answers.stream().filter(o -> o.code() == 201).count();
            long duplicates = answers.stream().filter(o -> o.code() == 202).count();
            List<GenericKubernetesResource> rrs = rrsFor(fingerprint);
            assertTrue(created <= 1, "one 201 at most for " + alert.subject() + ": " + answers);
            if (created + duplicates > 0) {
                assertEquals(1, rrs.size(), "exactly one RR for " + alert.subject());
                assertEquals(created + duplicates, KubernautObjects.occurrenceCount(rrs.get(0)),
                        "occurrences of " + alert.subject() + " = the signals answered 201/202 " + answers);
            }
        }
        assertTrue(caught.victim().isReady(), "the woken replica is healthy again");
        awaitNoLeaseHeldByALiveReplica("gw-lock-");
    }

    // ---- RemediationOrchestrator ----------------------------------------------------------------------------

    /** RRs created for a test, and the orchestrator replica caught holding a target Lease. */
    private record CaughtOrchestrator(Replica victim, List<String> rrs, Set<String> heldLeases) {
    }

    private static CaughtOrchestrator catchOrchestrator(String name, java.util.function.Consumer<Replica> act) {
        return catchOrchestrator(name, act, false);
    }

    /**
     * Creates RRs and returns once an orchestrator replica holding this attempt's target Lease was hit by
     * {@code act}. A miss (the victim released before {@code act} landed: real clusters) resumes the victim, waits
     * until every RR of the missed attempt has its WFE (not until they complete: the executor may be paused) and
     * tries again on new targets. {@code missFirst} forces the first attempt to miss (hit a replica after all
     * routing is done), so that the retry path runs on the embedded cluster too.
     */
    private static CaughtOrchestrator catchOrchestrator(String name, java.util.function.Consumer<Replica> act,
                                                        boolean missFirst) {
        for (int attempt = 1; attempt <= CATCH_ATTEMPTS; attempt++) {
            boolean forcedMiss = missFirst && attempt == 1;
            int targets = control.isPresent() ? 1 : 20;
            // only this test's target Lease: an RR of an earlier test may still be reconciling on another target
            String firstTarget = appNamespace + "/Deployment/" + name + "-" + attempt + "-0";
            if (!forcedMiss) {
                control.ifPresent(c -> c.delayAnswers(ServiceKind.ORCHESTRATOR.serviceName(), "", "create", "leases",
                        LockNames.orchestratorLease(firstTarget), Duration.ofSeconds(3), 1));
            }
            List<String> rrs = new ArrayList<>();
            for (int t = 0; t < targets; t++) {
                rrs.add(RemediationRequests.create(system.cluster().admin(), system.namespace(),
                        RemediationRequests.onDeployment(appNamespace, name + "-" + attempt + "-" + t,
                                "KubePodCrashLooping", "critical", attempt * 100 + t)));
            }
            Replica victim;
            if (forcedMiss) {
                // all routing done and every target Lease released: the victim is hit outside any critical section
                awaitEveryRrHasItsWfe(rrs);
                victim = system.orchestrators().replicas().stream().filter(Replica::isAlive).findFirst().orElseThrow();
                String pod = victim.podName();
                Awaitility.await("the victim released its target Leases").atMost(Duration.ofSeconds(30))
                        .until(() -> leasesHeldBy(pod, "ro-lock-").isEmpty());
            } else {
                victim = Awaitility.await("an orchestrator holds a ro-lock Lease").atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(2))
                        .until(() -> holdingOrchestrator(), Optional::isPresent).get();
            }
            act.accept(victim);
            Set<String> held = leasesHeldBy(victim.podName(), "ro-lock-");
            if (!held.isEmpty()) {
                return new CaughtOrchestrator(victim, rrs, held);
            }
            assertTrue(forcedMiss || control.isEmpty(),
                    "on the embedded cluster the victim is held inside its critical section");
            if (victim.isAlive()) {
                victim.resume();
            } else {
                // a kill that missed: the next attempt needs as many replicas as the first had
                system.addReplica(ServiceKind.ORCHESTRATOR, Duration.ofSeconds(120));
            }
            missedAttempts++;
            awaitEveryRrHasItsWfe(rrs);
        }
        throw new AssertionError("could not catch an orchestrator replica holding a Lease in " + CATCH_ATTEMPTS + " attempts");
    }

    /** Attempts of {@link #catchOrchestrator} that missed and were retried (the retry path ran). */
    private static int missedAttempts;

    private static void awaitEveryRrHasItsWfe(List<String> rrs) {
        Awaitility.await("every RR of the attempt has its WFE").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100)).until(() -> rrs.stream().allMatch(rr -> !wfesOf(rr).isEmpty()));
    }

    private static Optional<Replica> holdingOrchestrator() {
        if (control.isPresent()) {
            List<ApiServerControl.FiredFault> fired = control.get().firedFaults();
            return fired.isEmpty() ? Optional.empty() : Optional.of(replica(fired.get(0).pod()));
        }
        for (Lease lease : leases("ro-lock-")) {
            String holder = lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
            if (holder != null && holder.contains("/")) {
                String pod = holder.substring(0, holder.indexOf('/'));
                Optional<Replica> r = system.orchestrators().replicas().stream()
                        .filter(x -> x.podName().equals(pod) && x.isAlive()).findFirst();
                if (r.isPresent()) {
                    return r;
                }
            }
        }
        return Optional.empty();
    }

    private static Replica replica(String pod) {
        return system.orchestrators().replicas().stream().filter(r -> r.podName().equals(pod)).findFirst().orElseThrow();
    }

    @Test
    @Order(3)
    void orchestratorKilledWhileHoldingTheTargetLease() {
        CaughtOrchestrator caught = catchOrchestrator("chaos-ro-kill", Replica::kill9);
        // its target Leases expire and another replica takes each over: every RR completes, each with one WFE
        awaitAllCompleted(caught.rrs());
        for (String rr : caught.rrs()) {
            assertEquals(1, wfesOf(rr).size(), "exactly one WFE for " + rr);
        }
        if (control.isPresent()) {
            // it died before creating the WFE: another replica had to take its expired Lease over
            caught.heldLeases().forEach(lease -> assertTrue(leasesHeldBy(caught.victim().podName(), lease).isEmpty(),
                    "the dead replica's lease " + lease + " was taken over and released"));
        }
        assertEquals(List.of(), ActiveOverlaps.wfesPerTarget(wfeWatch).overlaps(), "never two active WFEs per target");
        awaitNoLeaseHeldByALiveReplica("ro-lock-");
    }

    @Test
    @Order(4)
    void orchestratorFrozenPastLeaseExpiryCannotCreateASecondWfe() {
        system.executor().orElseThrow().pause(); // keep WFEs active while the frozen replica wakes up
        int missedBefore = missedAttempts;
        // the first attempt misses on purpose: the retry must not wait for RRs the paused executor never completes
        CaughtOrchestrator caught = catchOrchestrator("chaos-ro-pause", Replica::pause, true);
        assertTrue(missedAttempts > missedBefore, "the retry path ran");
        try {
            // while it is frozen, its Leases expire and the other replicas create the WFEs it was about to create
            Awaitility.await("every RR gets its WFE").atMost(Duration.ofSeconds(60))
                    .until(() -> caught.rrs().stream().allMatch(rr -> !wfesOf(rr).isEmpty()));
        } finally {
            caught.victim().resume();
        }
        Awaitility.await("still one WFE per RR while the woken replica catches up").during(Duration.ofSeconds(3))
                .atMost(Duration.ofSeconds(10)).until(() -> caught.rrs().stream().allMatch(rr -> wfesOf(rr).size() == 1));
        system.executor().orElseThrow().resume();
        awaitAllCompleted(caught.rrs());
        for (String rr : caught.rrs()) {
            assertEquals(1, wfesOf(rr).size(), "exactly one WFE for " + rr);
        }
        assertEquals(List.of(), ActiveOverlaps.wfesPerTarget(wfeWatch).overlaps(), "never two active WFEs per target");
        assertEquals(List.of(), ActiveOverlaps.rrsPerFingerprint(rrWatch).overlaps(), "never two active RRs per fingerprint");
        assertTrue(caught.victim().isReady(), "the woken replica is healthy again");
        awaitNoLeaseHeldByALiveReplica("ro-lock-");
    }

    @Test
    @Order(5)
    void orchestratorReplicaJoinsAndOneLeavesUnderLoad() throws Exception {
        int targets = 12;
        List<String> rrs = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.ScheduledExecutorService load = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        // a steady stream of RRs over a few targets (each target's RRs run one after the other)
        load.scheduleAtFixedRate(() -> {
            int i = next.getAndIncrement();
            rrs.add(RemediationRequests.create(system.cluster().admin(), system.namespace(),
                    RemediationRequests.onDeployment(appNamespace, "chaos-ro-churn-" + (i % targets),
                            "KubePodCrashLooping", "critical", 7000 + i)));
        }, 0, 150, TimeUnit.MILLISECONDS);
        Replica joined;
        Replica left;
        try {
            Awaitility.await("load running").atMost(Duration.ofSeconds(30)).until(() -> rrs.size() >= 20);
            joined = system.addReplica(ServiceKind.ORCHESTRATOR, Duration.ofSeconds(60));
            int afterJoin = rrs.size();
            Awaitility.await("load after the join").atMost(Duration.ofSeconds(30)).until(() -> rrs.size() >= afterJoin + 25);
            left = system.orchestrators().replicas().stream().filter(r -> r.isAlive() && r != joined).findFirst()
                    .orElseThrow();
            left.kill9();
            int afterLeave = rrs.size();
            Awaitility.await("load after the leave").atMost(Duration.ofSeconds(30)).until(() -> rrs.size() >= afterLeave + 40);
        } finally {
            load.shutdownNow();
            assertTrue(load.awaitTermination(10, TimeUnit.SECONDS));
        }
        List<String> all = List.copyOf(rrs);
        awaitAllCompleted(all);
        for (String rr : all) {
            assertEquals(1, wfesOf(rr).size(), "exactly one WFE for " + rr);
        }
        assertEquals(List.of(), ActiveOverlaps.wfesPerTarget(wfeWatch).overlaps(), "never two active WFEs per target");

        // no target unowned for longer than the member Lease + 5 s: every RR got its first orchestrator status
        // (Analyzing, written by the target's owner before anything else) within that time of its creation,
        // including the RRs created on the leaving replica's targets while its Lease ran out
        Duration bound = MEMBER_LEASE.plusSeconds(5);
        Map<String, Long> added = new LinkedHashMap<>();
        Map<String, Long> firstStatus = new LinkedHashMap<>();
        for (WatchLog.Event e : rrWatch.events()) {
            if (!all.contains(e.name())) {
                continue;
            }
            added.putIfAbsent(e.name(), e.atNanos());
            String phase = KubernautObjects.rrPhase(e.object());
            if (phase != null && !phase.isEmpty() && !phase.equals("Pending")) {
                firstStatus.putIfAbsent(e.name(), e.atNanos());
            }
        }
        long worst = 0;
        String worstRr = "";
        for (String rr : all) {
            long gap = firstStatus.get(rr) - added.get(rr);
            if (gap > worst) {
                worst = gap;
                worstRr = rr;
            }
        }
        System.out.printf("join/leave under load: %d RRs, longest wait for an owner %d ms (%s), bound %s%n",
                all.size(), worst / 1_000_000, worstRr, bound);
        assertTrue(worst <= bound.toNanos(), "RR " + worstRr + " waited " + worst / 1_000_000 + " ms for an owner"
                + " (bound " + bound + ")");
        assertTrue(joined.isReady(), "the joined replica is ready");
        assertFalse(left.isAlive());
        awaitNoLeaseHeldByALiveReplica("ro-lock-");
    }

    private static List<GenericKubernetesResource> wfesOf(String rr) {
        return KubernautObjects.listWfes(system.cluster().admin(), system.namespace()).stream()
                .filter(w -> KubernautObjects.wfeRemediationRequest(w).equals(rr)).toList();
    }

    private static void awaitAllCompleted(List<String> rrs) {
        Set<String> names = new LinkedHashSet<>(rrs);
        Awaitility.await("RRs Completed").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                .until(() -> KubernautObjects.listRrs(system.cluster().admin(), system.namespace()).stream()
                        .filter(rr -> names.contains(rr.getMetadata().getName()))
                        .filter(rr -> KubernautObjects.rrPhase(rr).equals("Completed")).count() == names.size());
    }

    /**
     * Every Lease still there is held by a replica that was killed: a live replica released all it took. (A
     * killed holder's Lease stays until someone needs that key again; it is expired, so it blocks nobody.)
     */
    private static void awaitNoLeaseHeldByALiveReplica(String prefix) {
        Set<String> live = system.replicas().stream().filter(Replica::isAlive).map(Replica::podName)
                .collect(Collectors.toSet());
        Awaitility.await("no " + prefix + " Lease held by a live replica").atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertEquals(List.of(), leases(prefix).stream()
                        .filter(l -> l.getSpec() != null && l.getSpec().getHolderIdentity() != null)
                        .filter(l -> live.contains(l.getSpec().getHolderIdentity().split("/")[0]))
                        .map(l -> l.getMetadata().getName() + " held by " + l.getSpec().getHolderIdentity()).toList()));
    }
}
