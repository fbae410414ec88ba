package ai.kubernaut.gateway.dedup;

import static ai.kubernaut.gateway.dedup.TestSignals.NAMESPACE;
import static ai.kubernaut.gateway.dedup.TestSignals.randomFingerprint;
import static ai.kubernaut.gateway.dedup.TestSignals.signal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.gateway.lock.LeaseApi;
import ai.kubernaut.gateway.lock.LeaseConflictException;
import ai.kubernaut.gateway.lock.LeaseRecord;
import ai.kubernaut.gateway.model.RemediationRequest;
import ai.kubernaut.gateway.model.RemediationRequestStatus;
import ai.kubernaut.gateway.model.remediationrequeststatus.Deduplication;
import ai.kubernaut.testserver.Caller;
import ai.kubernaut.testserver.EmbeddedApiServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A request that loses the race for a fingerprint's Lease to a live holder waits for the holder's RR on its view, woken
 * by its arrival, instead of polling the Lease while the RR is on its way (issue 20: against a real API server the
 * losers polled the Lease three times each, 100, 200 and 400 ms apart, until the RR reached their watch). The Lease is
 * a fake that counts the calls, the view one the test fills, the RRs live on the strict test API server.
 */
class LeaseLoserWaitTest {

    /** Lease calls by verb, and a holder that is someone else's: live for {@code heldFor} from now, or free. */
    static final class ContendedLease implements LeaseApi {
        final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
        volatile LeaseRecord holder;
        /** The holder releases right after our first CREATE got its 409: our GET finds no Lease. */
        volatile boolean releasedRightAfterOurConflict;
        /** Runs on the first create (the loser's first attempt). */
        volatile Runnable onFirstCreate = () -> { };

        void heldBySomeoneElse(String name, Duration leftOfIt) {
            Instant renewed = Instant.now().plus(leftOfIt).minusSeconds(30);
            holder = new LeaseRecord(name, "gateway-winner/0123456789abcdef", renewed, renewed, 30, 0, "7");
        }

        int count(String verb) {
            return calls.getOrDefault(verb, new AtomicInteger()).get();
        }

        @Override
        public Optional<LeaseRecord> get(String name, Duration timeout) {
            calls.computeIfAbsent("get", v -> new AtomicInteger()).incrementAndGet();
            return Optional.ofNullable(holder);
        }

        @Override
        public LeaseRecord create(LeaseRecord lease, Duration timeout) throws LeaseConflictException {
            boolean taken = holder != null;
            if (calls.computeIfAbsent("create", v -> new AtomicInteger()).incrementAndGet() == 1) {
                onFirstCreate.run();
            }
            if (taken) {
                if (releasedRightAfterOurConflict) {
                    releasedRightAfterOurConflict = false;
                    holder = null; // the holder's release, between our CREATE's 409 and our GET
                }
                throw new LeaseConflictException("leases \"" + lease.name() + "\" already exists", null);
            }
            holder = new LeaseRecord(lease.name(), lease.holderIdentity(), lease.acquireTime(), lease.renewTime(),
                    lease.leaseDurationSeconds(), 0, "8");
            return holder;
        }

        @Override
        public LeaseRecord update(LeaseRecord lease, Duration timeout) throws LeaseConflictException {
            calls.computeIfAbsent("update", v -> new AtomicInteger()).incrementAndGet();
            if (holder == null || !holder.resourceVersion().equals(lease.resourceVersion())) {
                throw new LeaseConflictException("changed", null);
            }
            holder = new LeaseRecord(lease.name(), lease.holderIdentity(), lease.acquireTime(), lease.renewTime(),
                    lease.leaseDurationSeconds(), lease.leaseTransitions(), "9");
            return holder;
        }

        @Override
        public boolean delete(String name, String resourceVersion, Duration timeout) {
            calls.computeIfAbsent("delete", v -> new AtomicInteger()).incrementAndGet();
            holder = null;
            return true;
        }
    }

    /** A view that shows what the test puts in it, and wakes the waits for it as the informer's store does. */
    static final class ArrivingView implements RemediationRequestView {
        final Map<String, List<RemediationRequest>> byFingerprint = new ConcurrentHashMap<>();
        final ViewArrivals arrivals = new ViewArrivals();

        void arrive(RemediationRequest rr) {
            byFingerprint.put(rr.getSpec().getSignalFingerprint(), List.of(InformerView.slim(rr)));
            arrivals.arrived(rr.getSpec().getSignalFingerprint());
        }

        @Override
        public List<RemediationRequest> ofFingerprint(String fingerprint) {
            return byFingerprint.getOrDefault(fingerprint, List.of());
        }

        @Override
        public boolean synced() {
            return true;
        }

        @Override
        public ViewArrivals.Waiter expect(String fingerprint) {
            return arrivals.expect(fingerprint);
        }
    }

    static EmbeddedApiServer cluster;
    static KubernetesClient client;
    final ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor();
    final ContendedLease leases = new ContendedLease();
    final ArrivingView view = new ArrivingView();
    DeduplicatingSignalRecorder recorder;

    @BeforeAll
    static void startCluster() {
        cluster = EmbeddedApiServer.builder().crds(Path.of("../deploy/crds"))
                .rbac("gateway-service", Path.of("../deploy/base/gateway-service/rbac.yaml")).start();
        client = new KubernetesClientBuilder().withConfig(EmbeddedApiServer.clientConfig(cluster.url(),
                Caller.serviceAccountToken(NAMESPACE, "gateway-service", "gateway-loser"))).build();
    }

    @AfterAll
    static void stopCluster() {
        client.close();
        cluster.close();
    }

    @AfterEach
    void tearDown() {
        later.shutdownNow();
        if (recorder != null) {
            recorder.close();
        }
    }

    DeduplicatingSignalRecorder recorder(RecorderSettings settings) {
        recorder = new DeduplicatingSignalRecorder(settings, client, view, null, leases, new SimpleMeterRegistry(),
                Clock.systemUTC(), System::nanoTime, DeduplicatingSignalRecorder.backgroundExecutor("gateway-loser"));
        return recorder;
    }

    /** The winner's RR, as it created it (with its initial status: Pending, count 1). */
    RemediationRequest createdByTheWinner(String fp) {
        RemediationRequest rr = RemediationRequestFactory.build(signal(fp), NAMESPACE, DedupRules.rrName(fp, null),
                null, "winner");
        var rrs = cluster.admin().resources(RemediationRequest.class).inNamespace(NAMESPACE);
        RemediationRequest created = rrs.resource(rr).create();
        return rrs.withName(created.getMetadata().getName()).editStatus(r -> {
            r.setStatus(new RemediationRequestStatus());
            r.getStatus().setOverallPhase(RemediationRequestStatus.OverallPhase.PENDING);
            Deduplication d = new Deduplication();
            d.setOccurrenceCount(1L);
            d.setFirstSeenAt(ZonedDateTime.now(ZoneOffset.UTC).withNano(0));
            d.setLastSeenAt(d.getFirstSeenAt());
            r.getStatus().setDeduplication(d);
            return r;
        });
    }

    @Test
    void aLoserWhoseHoldersRrArrivesAfterTheFirstBackoffStepTriesTheLeaseOnce() {
        String fp = randomFingerprint();
        leases.heldBySomeoneElse(leaseName(fp), Duration.ofSeconds(30));
        RemediationRequest winners = createdByTheWinner(fp);
        // the winner's RR reaches this replica's view 300 ms after the loser's first attempt: later than the ADR
        // schedule's first step (100 ms), where the loser used to try the Lease again
        leases.onFirstCreate = () -> later.schedule(() -> view.arrive(winners), 300, TimeUnit.MILLISECONDS);
        // a wait much longer than the arrival: only its arrival can end it before the next attempt
        DeduplicatingSignalRecorder loser = recorder(RecorderSettings.defaults(NAMESPACE, "gateway-loser")
                .withHolderWait(Duration.ofSeconds(30)));
        long t0 = System.nanoTime();
        Recorded r = loser.record(signal(fp));
        long millis = (System.nanoTime() - t0) / 1_000_000;

        assertEquals(Recorded.Outcome.DUPLICATE, r.outcome());
        assertEquals(winners.getMetadata().getName(), r.rrName());
        assertEquals(1, leases.count("create"), "one Lease attempt: " + leases.calls);
        assertEquals(1, leases.count("get"), "its 409's read: " + leases.calls);
        assertEquals(0, leases.count("update") + leases.count("delete"), "held nothing, released nothing");
        assertTrue(millis >= 300, "answered once the RR arrived, after " + millis + " ms");
        assertEquals(0, view.arrivals.waiters(), "no wait left behind");
    }

    @Test
    void aLoserThatFindsTheLeaseJustReleasedAlsoWaitsForTheRrInsteadOfTakingTheLease() {
        String fp = randomFingerprint();
        leases.heldBySomeoneElse(leaseName(fp), Duration.ofSeconds(30));
        leases.releasedRightAfterOurConflict = true; // the holder answered and released: its RR is on its way
        RemediationRequest winners = createdByTheWinner(fp);
        leases.onFirstCreate = () -> later.schedule(() -> view.arrive(winners), 300, TimeUnit.MILLISECONDS);
        DeduplicatingSignalRecorder loser = recorder(RecorderSettings.defaults(NAMESPACE, "gateway-loser")
                .withHolderWait(Duration.ofSeconds(30)));
        Recorded r = loser.record(signal(fp));

        assertEquals(Recorded.Outcome.DUPLICATE, r.outcome());
        assertEquals(winners.getMetadata().getName(), r.rrName());
        assertEquals(1, leases.count("create"), "no Lease of its own for a create that would find the RR: "
                + leases.calls);
        assertEquals(0, leases.count("delete"), leases.calls.toString());
    }

    @Test
    void aHolderThatFailedWithoutCreatingCostsTheLoserOneLongerWaitThenItTakesTheLease() {
        String fp = randomFingerprint();
        leases.heldBySomeoneElse(leaseName(fp), Duration.ofSeconds(30));
        // the holder gives up (its create failed) and releases right after our first attempt; no RR ever arrives
        leases.onFirstCreate = () -> later.schedule(() -> {
            leases.holder = null;
        }, 50, TimeUnit.MILLISECONDS);
        DeduplicatingSignalRecorder loser = recorder(RecorderSettings.defaults(NAMESPACE, "gateway-loser")
                .withHolderWait(Duration.ofMillis(400)));
        long t0 = System.nanoTime();
        Recorded r = loser.record(signal(fp));
        long millis = (System.nanoTime() - t0) / 1_000_000;

        assertEquals(Recorded.Outcome.CREATED, r.outcome());
        assertEquals(2, leases.count("create"), "the contended attempt, then the one that took it: " + leases.calls);
        assertTrue(millis >= 400, "the first wait on a live holder is holder-wait, not the 100 ms step: " + millis);
        assertEquals(0, view.arrivals.waiters());
    }

    @Test
    void theWaitOnAHolderEndsWithItsLeaseThenTheLoserTakesItOver() {
        String fp = randomFingerprint();
        leases.heldBySomeoneElse(leaseName(fp), Duration.ofMillis(300)); // a holder paused, its Lease running out
        // holder-wait longer than the deadline: only the holder's expiry can end the wait in time
        DeduplicatingSignalRecorder loser = recorder(RecorderSettings.defaults(NAMESPACE, "gateway-loser")
                .withHolderWait(Duration.ofMinutes(5)));
        Recorded r = loser.record(signal(fp));

        assertEquals(Recorded.Outcome.CREATED, r.outcome());
        assertEquals(1, leases.count("update"), "took the expired Lease over: " + leases.calls);
    }

    @Test
    void theWaitOnAHolderNeverOutlastsTheDeadline() {
        String fp = randomFingerprint();
        leases.heldBySomeoneElse(leaseName(fp), Duration.ofHours(1));
        DeduplicatingSignalRecorder loser = recorder(RecorderSettings.defaults(NAMESPACE, "gateway-loser")
                .withHolderWait(Duration.ofMinutes(5)).withKubernetesDeadline(Duration.ofMillis(700)));
        RecordingFailure f = assertThrows(RecordingFailure.class, () -> loser.record(signal(fp)));

        assertEquals(RecordingFailure.Reason.KUBERNETES_DEADLINE, f.reason());
        assertEquals(1, leases.count("create"), "waited for the RR, not on the Lease: " + leases.calls);
        assertEquals(0, view.arrivals.waiters());
    }

    static String leaseName(String fp) {
        return ConflictAndFailureTest.leaseName(fp);
    }
}
