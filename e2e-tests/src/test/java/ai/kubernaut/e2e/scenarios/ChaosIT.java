package ai.kubernaut.e2e.scenarios;

import ai.kubernaut.e2e.cluster.ApiServerControl;
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
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scenario 6: replicas killed ({@code kill -9}) or frozen ({@code SIGSTOP} past lease expiry, then
 * {@code SIGCONT}) while they hold a Lease, for both services, with short lease durations.
 *
 * <p>To catch a replica inside its critical section deterministically, the embedded API server carries out
 * the replica's Lease create but holds back the answer ({@link ApiServerControl#delayAnswers}): from that
 * moment the replica holds the Lease and waits, and the test kills or freezes it there.
 */
@ExtendWith(SuiteCluster.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Order(3)
class ChaosIT {

    static final String LEASE = "2s";
    private static KubernautSystem system;
    private static ApiServerControl control;
    private static SignalSender sender;
    private static WatchLog wfeWatch;
    private static WatchLog rrWatch;
    private static String appNamespace;

    @BeforeAll
    static void start(Cluster cluster) {
        control = cluster.control().orElseThrow(() -> new IllegalStateException(
                "the chaos scenarios inject API faults and need the embedded cluster (-De2e.cluster=embedded)"));
        system = KubernautSystem.in(cluster).namespacePrefix("chaos").gateways(3).orchestrators(3)
                .env(ServiceKind.GATEWAY, "GATEWAY_LOCK_LEASE_DURATION", LEASE)
                .env(ServiceKind.ORCHESTRATOR, "ORCHESTRATOR_LOCK_LEASE_DURATION", LEASE)
                .executor(Duration.ofMillis(200)).start();
        appNamespace = cluster.createNamespace("chaos-apps");
        wfeWatch = WatchLog.ofWorkflowExecutions(cluster.admin(), system.namespace());
        rrWatch = WatchLog.ofRemediationRequests(cluster.admin(), system.namespace());
        sender = new SignalSender(Duration.ofSeconds(60));
    }

    @AfterEach
    void clearFaults() {
        control.clearFaults();
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

    private static ApiServerControl.FiredFault awaitFired(int alreadyFired) {
        return Awaitility.await("the replica is inside its critical section").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(20))
                .until(control::firedFaults, f -> f.size() > alreadyFired).get(alreadyFired);
    }

    private static List<GenericKubernetesResource> rrsFor(String fingerprint) {
        return KubernautObjects.listRrs(system.cluster().admin(), system.namespace()).stream()
                .filter(rr -> KubernautObjects.fingerprint(rr).equals(fingerprint)).toList();
    }

    private static Lease lease(String prefix) {
        return system.cluster().admin().leases().inNamespace(system.namespace()).list().getItems().stream()
                .filter(l -> l.getMetadata().getName().startsWith(prefix)).findFirst().orElse(null);
    }

    private static void awaitNoLeases() {
        Awaitility.await("no Lease left").atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertEquals(List.of(), system.cluster().admin().leases().inNamespace(system.namespace()).list()
                        .getItems().stream().map(l -> l.getMetadata().getName()).toList()));
    }

    private static boolean takenOverBy(String service, String notPod, long sinceSeq) {
        return control.since(sinceSeq).stream().anyMatch(r -> r.caller().equals(service) && r.isLease()
                && r.verb().equals("update") && r.code() == 200 && !r.pod().equals(notPod));
    }

    private static Replica replica(String pod, List<Replica> replicas) {
        return replicas.stream().filter(r -> r.podName().equals(pod)).findFirst().orElseThrow();
    }

    @Test
    @Order(1)
    void gatewayKilledWhileHoldingTheLease() throws Exception {
        // keep the RR active (Executing, its WFE held): were it completed, the next alert would rightly open a
        // new RR and the per-fingerprint count below would mix two incidents
        system.executor().orElseThrow().pause();
        try {
            Replica victim = system.gateways().get(0);
            Alert alert = Alert.aboutDeployment("KubePodCrashLooping", appNamespace, "chaos-kill");
            long mark = control.mark();
            control.delayAnswers(ServiceKind.GATEWAY.serviceName(), victim.podName(), "create", "leases", "gw-lock-",
                    Duration.ofSeconds(60), 1);
            CompletableFuture<Outcome> victimsCaller = CompletableFuture.supplyAsync(() -> sender.sendAlert(victim, alert));
            awaitFired(0);
            Lease held = lease("gw-lock-");
            assertTrue(held != null && held.getSpec().getHolderIdentity().startsWith(victim.podName() + "/"),
                    "the victim holds the lease: " + held);

            victim.kill9();
            Outcome lost = victimsCaller.get(30, TimeUnit.SECONDS);
            assertEquals(-1, lost.code(), "the killed replica's caller got an error, not an answer: " + lost.body());

            // the caller retries (Alertmanager does) at another replica: it waits out the dead holder's lease
            Replica other = system.gateways().get(1);
            Outcome retry = Awaitility.await("a retry is accepted").atMost(Duration.ofSeconds(60))
                    .until(() -> sender.sendAlert(other, alert), o -> o.code() == 201 || o.code() == 202);
            assertEquals(201, retry.code(), "the retry creates the RR the dead replica never created: " + retry.body());
            assertTrue(takenOverBy(ServiceKind.GATEWAY.serviceName(), victim.podName(), mark),
                    "another replica took the expired lease over");
            List<GenericKubernetesResource> rrs = rrsFor(Answers.fingerprint(retry));
            assertEquals(1, rrs.size(), "no duplicate RR");
            assertEquals(1, KubernautObjects.occurrenceCount(rrs.get(0)));
            awaitNoLeasesWithPrefix("gw-lock-");
        } finally {
            system.executor().orElseThrow().resume();
        }
    }

    @Test
    @Order(2)
    void gatewayFrozenPastLeaseExpiryCannotCreateASecondRr() throws Exception {
        // keep the RR active (Executing, its WFE held): were it completed, the next alert would rightly open a
        // new RR and the per-fingerprint count below would mix two incidents
        system.executor().orElseThrow().pause();
        try {
            Replica victim = system.gateways().get(1);
            Replica other = system.gateways().get(2);
            Alert alert = Alert.aboutDeployment("KubePodCrashLooping", appNamespace, "chaos-pause");
            control.delayAnswers(ServiceKind.GATEWAY.serviceName(), victim.podName(), "create", "leases", "gw-lock-",
                    Duration.ofMillis(800), 1);
            CompletableFuture<Outcome> victimsCaller = CompletableFuture.supplyAsync(() -> sender.sendAlert(victim, alert));
            awaitFired(0);
            victim.pause();
            try {
                // while the victim is frozen its lease expires; another replica takes over and creates the RR
                Outcome created = Awaitility.await("the other replica creates the RR").atMost(Duration.ofSeconds(60))
                        .until(() -> sender.sendAlert(other, alert), o -> o.code() == 201 || o.code() == 202);
                assertEquals(201, created.code(), created.body());
            } finally {
                victim.resume();
            }
            Outcome late = victimsCaller.get(60, TimeUnit.SECONDS);
            assertNotEquals(201, late.code(), "the woken replica must not create a second RR: " + late.body());
            List<GenericKubernetesResource> rrs = rrsFor(Answers.fingerprint(sender.sendAlert(other, alert)));
            assertEquals(1, rrs.size(), "still exactly one RR");
            long accepted = late.code() == 202 ? 1 : 0;
            assertEquals(2 + accepted, KubernautObjects.occurrenceCount(rrs.get(0)),
                    "occurrences: the creating signal, our probe, and the woken replica's signal if it answered 202");
            assertTrue(victim.isReady(), "the woken replica is healthy again");
            awaitNoLeasesWithPrefix("gw-lock-");
        } finally {
            system.executor().orElseThrow().resume();
        }
    }

    @Test
    @Order(3)
    void orchestratorKilledWhileHoldingTheTargetLease() {
        long mark = control.mark();
        // only this test's target Lease: an RR of an earlier test may still be reconciling on another target
        control.delayAnswers(ServiceKind.ORCHESTRATOR.serviceName(), "", "create", "leases",
                roLockName(appNamespace + "/Deployment/chaos-ro-kill"), Duration.ofSeconds(60), 1);
        String rr = RemediationRequests.create(system.cluster().admin(), system.namespace(),
                RemediationRequests.onDeployment(appNamespace, "chaos-ro-kill", "KubePodCrashLooping", "critical", 1));
        ApiServerControl.FiredFault fired = awaitFired(0);
        Replica victim = replica(fired.pod(), system.orchestrators().replicas());
        victim.kill9();

        awaitRrCompleted(rr);
        assertEquals(1, wfesOf(rr).size(), "exactly one WFE for the RR");
        assertTrue(takenOverBy(ServiceKind.ORCHESTRATOR.serviceName(), victim.podName(), mark),
                "another orchestrator replica took the expired target lease over");
        assertEquals(List.of(), ActiveOverlaps.wfesPerTarget(wfeWatch).overlaps(), "never two active WFEs per target");
        awaitNoLeasesWithPrefix("ro-lock-");
    }

    @Test
    @Order(4)
    void orchestratorFrozenPastLeaseExpiryCannotCreateASecondWfe() {
        system.executor().orElseThrow().pause(); // keep the first WFE active while the frozen replica wakes up
        control.delayAnswers(ServiceKind.ORCHESTRATOR.serviceName(), "", "create", "leases",
                roLockName(appNamespace + "/Deployment/chaos-ro-pause"), Duration.ofMillis(800), 1);
        String rr = RemediationRequests.create(system.cluster().admin(), system.namespace(),
                RemediationRequests.onDeployment(appNamespace, "chaos-ro-pause", "KubePodCrashLooping", "critical", 2));
        ApiServerControl.FiredFault fired = awaitFired(0);
        Replica victim = replica(fired.pod(), system.orchestrators().replicas());
        victim.pause();
        long resumedAt;
        try {
            Awaitility.await("another replica creates the WFE").atMost(Duration.ofSeconds(60))
                    .until(() -> wfesOf(rr).size(), n -> n >= 1);
        } finally {
            resumedAt = control.mark();
            victim.resume();
        }
        Awaitility.await("the woken replica acts again").atMost(Duration.ofSeconds(30))
                .until(() -> control.since(resumedAt).stream().anyMatch(r -> r.pod().equals(victim.podName())));
        Awaitility.await("still one WFE while the woken replica catches up").during(Duration.ofSeconds(3))
                .atMost(Duration.ofSeconds(10)).until(() -> wfesOf(rr).size() == 1);
        system.executor().orElseThrow().resume();
        awaitRrCompleted(rr);
        assertEquals(1, wfesOf(rr).size(), "exactly one WFE for the RR");
        assertEquals(List.of(), ActiveOverlaps.wfesPerTarget(wfeWatch).overlaps(), "never two active WFEs per target");
        assertEquals(List.of(), ActiveOverlaps.rrsPerFingerprint(rrWatch).overlaps(), "never two active RRs per fingerprint");
        assertTrue(victim.isReady(), "the woken replica is healthy again");
        awaitNoLeases();
    }

    /** The RO's Lease for a target (docs/contracts.md): {@code ro-lock-<16 hex of sha256(target)>}. */
    private static String roLockName(String target) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(target.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return "ro-lock-" + java.util.HexFormat.of().formatHex(d).substring(0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<GenericKubernetesResource> wfesOf(String rr) {
        return KubernautObjects.listWfes(system.cluster().admin(), system.namespace()).stream()
                .filter(w -> KubernautObjects.wfeRemediationRequest(w).equals(rr)).toList();
    }

    private static void awaitRrCompleted(String rr) {
        Awaitility.await(rr + " Completed").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                .until(() -> KubernautObjects.rrPhase(KubernautObjects.rrs(system.cluster().admin())
                        .inNamespace(system.namespace()).withName(rr).get()), "Completed"::equals);
    }

    private static void awaitNoLeasesWithPrefix(String prefix) {
        Awaitility.await("no " + prefix + " Lease left").atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertEquals(List.of(), system.cluster().admin().leases().inNamespace(system.namespace()).list()
                        .getItems().stream().map(l -> l.getMetadata().getName()).filter(n -> n.startsWith(prefix)).toList()));
    }
}
