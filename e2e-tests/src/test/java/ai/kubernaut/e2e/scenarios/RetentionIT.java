package ai.kubernaut.e2e.scenarios;

import ai.kubernaut.e2e.cluster.Cluster;
import ai.kubernaut.e2e.load.Alert;
import ai.kubernaut.e2e.load.Outcome;
import ai.kubernaut.e2e.load.SignalSender;
import ai.kubernaut.e2e.observe.KubernautObjects;
import ai.kubernaut.e2e.replica.Replica;
import ai.kubernaut.e2e.replica.ServiceKind;
import ai.kubernaut.e2e.system.KubernautSystem;
import ai.kubernaut.e2e.system.LockNames;
import ai.kubernaut.testserver.ApiServerControl;
import ai.kubernaut.testserver.RequestRecord;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.ResourceLock;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 19, as deployed: replicas killed with -9 leave Leases that the surviving replicas delete after the set
 * time (an orchestrator's member Lease, a Gateway's lock Lease), finished RRs and WFEs go after their retention while
 * each fingerprint's and target's newest stay, and no Lease a live replica holds is ever deleted by anyone but that
 * replica (from the API server's request log and a watch of the Leases' last states).
 */
@ExtendWith(SuiteCluster.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ResourceLock(Lanes.SIDE) // never beside another scenario (Lanes), at the end of the main lane
@Order(7)
class RetentionIT {

    static final int LEASE_SECONDS = 2;
    static final int EXPIRED_DURATIONS = 2;
    static final Duration SWEEP = Duration.ofSeconds(2);
    /** When a killed replica's Lease must be gone: expired for the set durations, plus a sweep, plus slack. */
    static final Duration SET_TIME = Duration.ofSeconds((long) LEASE_SECONDS * (1 + EXPIRED_DURATIONS))
            .plus(SWEEP).plus(Duration.ofSeconds(2));

    private static KubernautSystem system;
    private static Optional<ApiServerControl> control;
    private static SignalSender sender;
    private static Watch leaseWatch;
    private static long mark;
    private static String apps;
    /** Every Lease deleted, with its last state, in the order the watch saw them. */
    private static final List<Lease> deletedLeases = new CopyOnWriteArrayList<>();
    private static final Set<String> killed = new HashSet<>();

    @BeforeAll
    static void start(Cluster cluster) {
        control = cluster.control();
        system = KubernautSystem.in(cluster).namespacePrefix("retention").gateways(2).orchestrators(3)
                .env(ServiceKind.GATEWAY, "GATEWAY_LOCK_LEASE_DURATION", LEASE_SECONDS + "s")
                .env(ServiceKind.GATEWAY, "GATEWAY_LOCK_SWEEP_INTERVAL", SWEEP.toSeconds() + "s")
                .env(ServiceKind.GATEWAY, "GATEWAY_LOCK_SWEEP_EXPIRED_DURATIONS", Integer.toString(EXPIRED_DURATIONS))
                .env(ServiceKind.ORCHESTRATOR, "ORCHESTRATOR_LOCK_LEASE_DURATION", LEASE_SECONDS + "s")
                .env(ServiceKind.ORCHESTRATOR, "ORCHESTRATOR_SHARDING_MEMBER_LEASE_DURATION", LEASE_SECONDS + "s")
                .env(ServiceKind.ORCHESTRATOR, "ORCHESTRATOR_SHARDING_RENEW_INTERVAL", "500ms")
                .env(ServiceKind.ORCHESTRATOR, "ORCHESTRATOR_RETENTION_LEASE_INTERVAL", SWEEP.toSeconds() + "s")
                .env(ServiceKind.ORCHESTRATOR, "ORCHESTRATOR_RETENTION_EXPIRED_LEASE_DURATIONS",
                        Integer.toString(EXPIRED_DURATIONS))
                // a compressed clock for the history: finished RRs go after 3 s, heads stay an hour
                .env(ServiceKind.ORCHESTRATOR, "ORCHESTRATOR_RETENTION_RETENTION", "3s")
                .env(ServiceKind.ORCHESTRATOR, "ORCHESTRATOR_RETENTION_HEAD_RETENTION", "1h")
                .env(ServiceKind.ORCHESTRATOR, "ORCHESTRATOR_RETENTION_INTERVAL", SWEEP.toSeconds() + "s")
                .executor(Duration.ofMillis(200)).start();
        apps = cluster.createNamespace("retention-apps");
        sender = new SignalSender(Duration.ofSeconds(60));
        leaseWatch = cluster.admin().leases().inNamespace(system.namespace()).watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, Lease lease) {
                if (action == Action.DELETED) {
                    deletedLeases.add(lease);
                }
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        });
        // after the watch is up: every Lease DELETE the log shows from here has a DELETED event with its last state
        mark = control.map(ApiServerControl::mark).orElse(0L);
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {leaseWatch, sender, system}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // keep closing the rest
            }
        }
    }

    private static Optional<Lease> lease(String name) {
        return Optional.ofNullable(system.cluster().admin().leases().inNamespace(system.namespace()).withName(name).get());
    }

    /** Waits for the Lease to go, and checks it went within the set time of the kill at {@code killedAt}. */
    private static void awaitDeletedWithinTheSetTime(String name, long killedAt, String what) {
        Awaitility.await(name + " deleted").atMost(SET_TIME.plusSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> lease(name).isEmpty());
        Duration took = Duration.ofNanos(System.nanoTime() - killedAt);
        System.out.printf("%s deleted %d ms after the kill (set time %d ms)%n", what, took.toMillis(),
                SET_TIME.toMillis());
        assertTrue(took.compareTo(SET_TIME.plusSeconds(5)) <= 0, "deleted within the set time: " + took);
    }

    @Test
    @Order(1)
    void finishedRequestsGoAfterTheirRetentionAndTheHeadsStay() {
        List<Alert> alerts = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            alerts.add(Alert.aboutDeployment("KubePodCrashLooping", apps, "history-" + i));
        }
        // three RRs per fingerprint, one after the other: each alert after the previous RR completed
        for (int round = 0; round < 3; round++) {
            for (Alert alert : alerts) {
                Outcome created = sender.sendAlert(system.gateways().get(round % 2), alert);
                assertEquals(201, created.code(), created.body());
            }
            Awaitility.await("round " + round + " completed").atMost(Duration.ofSeconds(60)).until(() ->
                    KubernautObjects.listRrs(system.cluster().admin(), system.namespace()).stream()
                            .noneMatch(KubernautObjects::rrActive));
        }
        Awaitility.await("only the heads are left").atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            List<GenericKubernetesResource> rrs = KubernautObjects.listRrs(system.cluster().admin(), system.namespace());
            assertEquals(alerts.size(), rrs.size(), "one RR per fingerprint");
            assertEquals(alerts.stream().map(LockNames::fingerprint).collect(Collectors.toSet()),
                    rrs.stream().map(KubernautObjects::fingerprint).collect(Collectors.toSet()));
            assertEquals(alerts.size(), KubernautObjects.listWfes(system.cluster().admin(), system.namespace()).size(),
                    "one WFE per target");
        });
        // the heads are the newest: a new alert continues each chain (201, a new RR superseding the head)
        for (Alert alert : alerts) {
            assertEquals(201, sender.sendAlert(system.gateways().get(0), alert).code());
        }
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> KubernautObjects.listRrs(
                system.cluster().admin(), system.namespace()).stream().noneMatch(KubernautObjects::rrActive));
        double deleted = system.orchestrators().replicas().stream()
                .mapToDouble(r -> r.metrics().sum("orchestrator_retention_deleted_total")).sum();
        assertTrue(deleted >= 16, "8 RRs and their 8 WFEs deleted, counted: " + deleted);
    }

    @Test
    @Order(2)
    void aKilledOrchestratorsMemberLeaseIsDeletedByTheOthers() {
        Replica victim = system.orchestrators().get(2);
        String member = "ro-member-" + victim.podName();
        assertTrue(lease(member).isPresent());
        assertEquals("member", lease(member).orElseThrow().getMetadata().getLabels().get("kubernaut.ai/lease-purpose"));
        killed.add(victim.podName());
        long killedAt = System.nanoTime();
        victim.kill9();
        awaitDeletedWithinTheSetTime(member, killedAt, "killed orchestrator's member Lease");
        control.ifPresent(c -> {
            List<RequestRecord> deletes = c.since(mark).stream().filter(r -> r.isLease() && r.name().equals(member)
                    && r.namespace().equals(system.namespace()) // other scenarios' replicas have the same names
                    && r.method().equals("DELETE") && r.code() == 200).toList();
            assertEquals(1, deletes.size(), "one DELETE removed it: " + deletes);
            assertTrue(!deletes.get(0).pod().equals(victim.podName())
                    && deletes.get(0).caller().equals(ServiceKind.ORCHESTRATOR.serviceName()),
                    "by a surviving orchestrator: " + deletes.get(0));
        });
    }

    @Test
    @Order(3)
    void aKilledGatewaysLockLeaseIsSweptByTheOtherGateway() throws Exception {
        Replica victim = system.gateways().get(0);
        Alert alert = Alert.aboutDeployment("KubePodCrashLooping", apps, "killed-holder");
        String name = LockNames.gatewayLease(LockNames.fingerprint(alert));
        // the victim's Lease create is carried out, its answer held back: it is inside its critical section
        system.faults().ifPresent(c -> c.delayAnswers(ServiceKind.GATEWAY.serviceName(), victim.podName(), "create", "leases",
                name, Duration.ofSeconds(3), 1));
        CompletableFuture<Outcome> call = CompletableFuture.supplyAsync(() -> sender.sendAlert(victim, alert));
        Awaitility.await(victim.podName() + " holds " + name).atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(2)).until(() -> lease(name).map(l -> l.getSpec().getHolderIdentity()
                        .startsWith(victim.podName() + "/")).orElse(false));
        killed.add(victim.podName());
        long killedAt = System.nanoTime();
        victim.kill9();
        assertEquals(-1, call.get().code(), "the killed replica answered nothing");
        assertEquals("lock", lease(name).orElseThrow().getMetadata().getLabels().get("kubernaut.ai/lease-purpose"));
        // nobody sends that alert again: only the sweep can remove its Lease
        awaitDeletedWithinTheSetTime(name, killedAt, "killed Gateway's lock Lease");
        String survivor = system.gateways().get(1).podName();
        control.ifPresent(c -> assertEquals(List.of(survivor), c.since(mark).stream().filter(r -> r.isLease()
                && r.name().equals(name) && r.namespace().equals(system.namespace())
                && r.method().equals("DELETE") && r.code() == 200).map(RequestRecord::pod)
                .toList(), "deleted by the surviving Gateway's sweep"));
    }

    /**
     * From the request log: each successful Lease DELETE, paired (per name, in order) with the Lease's last state
     * from the watch. A Lease held by a live replica was deleted only by that replica (its release, its shutdown);
     * a sweep deleted only the Leases of killed replicas.
     */
    @Test
    @Order(4)
    void noLeaseALiveReplicaHoldsWasDeletedByAnyoneElse() {
        ApiServerControl log = control.orElse(null);
        if (log == null) {
            System.out.println("no request log on this cluster: the deleters of Leases are not known; checked "
                    + deletedLeases.size() + " deletions by their holders' liveness only");
            return;
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> deletedLeases.size() >= log.since(mark).stream()
                .filter(r -> r.isLease() && r.method().equals("DELETE") && r.code() == 200
                        && r.namespace().equals(system.namespace())).count());
        Map<String, List<Lease>> lastStates = new HashMap<>();
        deletedLeases.forEach(l -> lastStates.computeIfAbsent(l.getMetadata().getName(), k -> new ArrayList<>()).add(l));
        Map<String, Integer> seen = new HashMap<>();
        List<String> wrong = new ArrayList<>();
        int bySweep = 0;
        for (RequestRecord delete : log.since(mark)) {
            if (!delete.isLease() || !delete.method().equals("DELETE") || delete.code() != 200
                    || !delete.namespace().equals(system.namespace())) {
                continue;
            }
            int index = seen.merge(delete.name(), 1, Integer::sum) - 1;
            Lease last = lastStates.getOrDefault(delete.name(), List.of()).get(index);
            String holder = last.getSpec().getHolderIdentity();
            String holderPod = holder == null ? "" : holder.split("/")[0];
            if (holderPod.equals(delete.pod())) {
                continue; // a release, or a member Lease deleted at shutdown
            }
            if (killed.contains(holderPod)) {
                bySweep++;
            } else {
                wrong.add(delete.name() + " held by live " + holder + " deleted by " + delete.pod());
            }
        }
        System.out.printf("%d Lease deletions checked, %d of them by another replica than the holder (sweeps of "
                + "killed holders' Leases)%n", seen.values().stream()
                .mapToInt(Integer::intValue).sum(), bySweep);
        assertEquals(List.of(), wrong);
        assertTrue(bySweep >= 2, "the two killed replicas' Leases were swept");
    }
}
