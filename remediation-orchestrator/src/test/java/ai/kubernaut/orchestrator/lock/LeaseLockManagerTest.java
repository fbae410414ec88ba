package ai.kubernaut.orchestrator.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.orchestrator.target.Target;
import ai.kubernaut.orchestrator.testing.MutableClock;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The lock protocol contract of ADR-052, written from the same list of cases as the Gateway's
 * {@code LeaseLockManagerTest} (names kept alike so the two copies can be compared case by case), against an
 * in-memory Lease store with a real API server's conditional semantics. Release is the same rule in both
 * copies: one DELETE with a resourceVersion precondition, at any age, never a GET first.
 */
class LeaseLockManagerTest {

    static final String TARGET = "shop/Deployment/payments";
    static final Duration LEASE = Duration.ofSeconds(30);

    final FakeLeaseApi api = new FakeLeaseApi();
    final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T10:00:00Z"));
    final RecordingObserver observer = new RecordingObserver();

    LeaseLockManager manager(String pod) {
        AtomicInteger tokens = new AtomicInteger();
        Supplier<String> next = () -> "t" + tokens.incrementAndGet();
        return new LeaseLockManager(new LockSettings("ro-lock-", pod, LEASE), api, clock, next, observer);
    }

    static HeldLock held(LockAttempt attempt) {
        return assertInstanceOf(LockAttempt.Acquired.class, attempt).lock();
    }

    static LockAttempt.Reason reason(LockAttempt attempt) {
        return assertInstanceOf(LockAttempt.NotAcquired.class, attempt).reason();
    }

    @Test
    void leaseNameIsPrefixPlus16HexOfSha256() {
        String name = manager("ro-0").leaseName(TARGET);
        assertEquals("ro-lock-" + Target.hash16(TARGET), name);
        assertTrue(name.matches("ro-lock-[0-9a-f]{16}"), name);
    }

    @Test
    void uncontendedAcquireIsOneCreateWithAFreshHolderToken() {
        LeaseLockManager a = manager("ro-0");
        HeldLock first = held(a.tryAcquire(TARGET));

        Lease stored = api.stored(first.leaseName()).orElseThrow();
        assertEquals("ro-0/t1", stored.getSpec().getHolderIdentity());
        assertEquals(30, stored.getSpec().getLeaseDurationSeconds());
        assertEquals(clock.instant(), stored.getSpec().getRenewTime().toInstant());
        assertEquals(List.of("create"), api.calls());
        assertEquals(java.util.Map.of("app.kubernetes.io/managed-by", "remediation-orchestrator",
                "kubernaut.ai/lease-purpose", "lock"), stored.getMetadata().getLabels(), "found by the Lease sweep");

        a.release(first);
        HeldLock second = held(a.tryAcquire(TARGET));
        assertEquals("ro-0/t2", second.holderIdentity(), "never re-entrant: a new token per acquisition");
    }

    @Test
    void liveLeaseOfAnotherHolderIsContentionAfterCreateAndGet() {
        held(manager("ro-0").tryAcquire(TARGET));
        clock.advance(LEASE);

        LockAttempt attempt = manager("ro-1").tryAcquire(TARGET);

        assertEquals(LockAttempt.Reason.HELD, reason(attempt));
        assertTrue(LockAttempt.Reason.HELD.isContention());
        assertEquals("ro-0/t1", ((LockAttempt.NotAcquired) attempt).holder().orElseThrow());
        assertEquals(List.of("create", "create", "get"), api.calls());
    }

    @Test
    void expiryIsRenewTimePlusDurationBeforeNowTheGatewaysRule() {
        LeaseLockManager a = manager("ro-0");
        Lease lease = new LeaseBuilder().withNewMetadata().withName(a.leaseName(TARGET)).endMetadata()
                .withNewSpec().withHolderIdentity("ro-9/x").withLeaseDurationSeconds(30)
                .withRenewTime(clock.instant().atZone(ZoneOffset.UTC)).endSpec().build();

        assertFalse(a.isExpired(lease, clock.instant().plus(LEASE)), "at renewTime + duration it still holds");
        assertTrue(a.isExpired(lease, clock.instant().plus(LEASE).plusMillis(1)));
    }

    @Test
    void leaseWithNoHolderNoTimeOrNoDurationCountsAsExpired() {
        LeaseLockManager a = manager("ro-0");
        ZonedDateTime now = clock.instant().atZone(ZoneOffset.UTC);
        assertTrue(a.isExpired(lease(null, now, now, 30), clock.instant()), "no holder");
        assertTrue(a.isExpired(lease("", now, now, 30), clock.instant()), "empty holder");
        assertTrue(a.isExpired(lease("ro-9/x", null, null, 30), clock.instant()), "no time");
        assertTrue(a.isExpired(lease("ro-9/x", now, now, null), clock.instant()), "no duration");
        assertFalse(a.isExpired(lease("ro-9/x", now, null, 30), clock.instant()),
                "acquireTime stands in for a missing renewTime");
    }

    private static Lease lease(String holder, ZonedDateTime acquired, ZonedDateTime renewed,
                               Integer seconds) {
        return new LeaseBuilder().withNewMetadata().withName("ro-lock-x").endMetadata()
                .withNewSpec().withHolderIdentity(holder).withAcquireTime(acquired).withRenewTime(renewed)
                .withLeaseDurationSeconds(seconds).endSpec().build();
    }

    @Test
    void expiredLeaseIsTakenOverWithAVersionGuardedUpdate() {
        held(manager("ro-0").tryAcquire(TARGET));
        clock.advance(LEASE.plusMillis(1));

        HeldLock taken = held(manager("ro-1").tryAcquire(TARGET));

        Lease stored = api.stored(taken.leaseName()).orElseThrow();
        assertEquals("ro-1/t1", stored.getSpec().getHolderIdentity());
        assertEquals(1, stored.getSpec().getLeaseTransitions());
        assertEquals(stored.getMetadata().getResourceVersion(), taken.resourceVersion());
        assertEquals(List.of("create", "create", "get", "update"), api.calls());
        assertEquals(1, observer.takeovers.get(), "counted in orchestrator_lock_takeovers_total");
    }

    @Test
    void twoTakeoversOfOneExpiredLeaseHaveExactlyOneWinner() {
        held(manager("ro-0").tryAcquire(TARGET));
        clock.advance(LEASE.plusSeconds(5));
        LeaseLockManager b = manager("ro-1");
        LeaseLockManager c = manager("ro-2");
        // c takes the expired Lease between b's GET and b's UPDATE
        AtomicReference<LockAttempt> cAttempt = new AtomicReference<>();
        api.beforeNext("update", fake -> cAttempt.set(c.tryAcquire(TARGET)));

        LockAttempt bAttempt = b.tryAcquire(TARGET);

        assertEquals(LockAttempt.Reason.CONFLICT, reason(bAttempt));
        HeldLock winner = held(cAttempt.get());
        assertEquals("ro-2/t1", api.stored(winner.leaseName()).orElseThrow().getSpec().getHolderIdentity());
        assertEquals(1, observer.takeovers.get());
    }

    @Test
    void samePodNameWithAnotherTokenIsNotTheHolder() {
        held(manager("ro-0").tryAcquire(TARGET));
        // the same pod restarted (a new manager, a new token) does not inherit the hold
        assertEquals(LockAttempt.Reason.HELD, reason(manager("ro-0").tryAcquire(TARGET)));
    }

    @Test
    void releaseIsOnePreconditionDeleteWithoutAGet() {
        LeaseLockManager a = manager("ro-0");
        HeldLock lock = held(a.tryAcquire(TARGET));

        a.release(lock);

        assertTrue(api.stored(lock.leaseName()).isEmpty());
        assertEquals(List.of("create", "delete"), api.calls());
        assertEquals(List.of("create", "delete"), observer.verbs);
        assertEquals(List.of(true), observer.releasesDeleted);
    }

    @Test
    void releaseNeverDeletesALeaseSomeoneTookOver() {
        LeaseLockManager a = manager("ro-0");
        HeldLock stale = held(a.tryAcquire(TARGET));
        clock.advance(LEASE.plusSeconds(1));
        HeldLock taken = held(manager("ro-1").tryAcquire(TARGET));

        a.release(stale); // the paused holder wakes up: its DELETE precondition names the old version

        assertEquals(taken.holderIdentity(),
                api.stored(taken.leaseName()).orElseThrow().getSpec().getHolderIdentity());
        assertEquals(List.of(false), observer.releasesDeleted);
        assertEquals("delete", api.calls().get(api.calls().size() - 1), "no GET: the precondition decides");
    }

    @Test
    void releaseAfterExpiryOfALeaseStillOursIsTheSameOneDelete() {
        LeaseLockManager a = manager("ro-0");
        HeldLock lock = held(a.tryAcquire(TARGET));
        clock.advance(LEASE.plusSeconds(10));

        a.release(lock);

        assertTrue(api.stored(lock.leaseName()).isEmpty());
        assertEquals(List.of("create", "delete"), api.calls());
    }

    @Test
    void leaseReleasedBetweenCreateConflictAndGetIsCreatedAgain() {
        HeldLock first = held(manager("ro-0").tryAcquire(TARGET));
        api.beforeNext("get", fake -> fake.remove(first.leaseName()));

        HeldLock second = held(manager("ro-1").tryAcquire(TARGET));

        assertEquals(List.of("create", "create", "get", "create"), api.calls());
        assertEquals("ro-1/t1", api.stored(second.leaseName()).orElseThrow().getSpec().getHolderIdentity());
    }

    @Test
    void leaseWithoutHolderOrRenewTimeIsFree() {
        LeaseLockManager a = manager("ro-0");
        api.put(new LeaseBuilder().withNewMetadata().withName(a.leaseName(TARGET)).endMetadata().withNewSpec()
                .endSpec().build());

        held(a.tryAcquire(TARGET));
    }

    @Test
    void apiErrorsAreNotContention() {
        LeaseLockManager a = manager("ro-0");
        api.failNext("create", new IllegalStateException("API server unreachable"));

        LockAttempt attempt = a.tryAcquire(TARGET);

        assertEquals(LockAttempt.Reason.API_ERROR, reason(attempt));
        assertFalse(LockAttempt.Reason.API_ERROR.isContention());
        assertEquals("API server unreachable",
                ((LockAttempt.NotAcquired) attempt).error().orElseThrow().getMessage());
        held(a.tryAcquire(TARGET)); // and the key is free again in this process
    }

    @Test
    void releaseFailureNeverThrowsAndFreesTheKeyLocally() {
        acquireThenReleaseWithoutAnswer(manager("ro-0"));

        // the Lease stays on the server until it expires: another process finds it held
        assertEquals(LockAttempt.Reason.HELD, reason(manager("ro-1").tryAcquire(TARGET)));
        clock.advance(LEASE.plusMillis(1));
        held(manager("ro-1").tryAcquire(TARGET));
    }

    @Test
    void aLeaseWhoseReleaseGotNoAnswerIsTakenBackByThisProcessAtOnce() {
        LeaseLockManager a = manager("ro-0");
        acquireThenReleaseWithoutAnswer(a);
        int before = api.calls().size();

        // no waiting for expiry: the Lease carries our token and the version we wrote
        HeldLock again = held(a.tryAcquire(TARGET));

        assertEquals(List.of("create", "get", "update"), api.calls().subList(before, api.calls().size()));
        assertEquals(again.holderIdentity(), api.stored(again.leaseName()).orElseThrow().getSpec().getHolderIdentity());
        assertEquals(0, observer.takeovers.get(), "not a takeover after expiry");
    }

    @Test
    void aLeaseWhoseCreateGotNoAnswerIsTakenBackByThisProcessAtOnce() {
        LeaseLockManager a = manager("ro-0");
        api.loseNextCreateAnswer();
        assertEquals(LockAttempt.Reason.API_ERROR, reason(a.tryAcquire(TARGET)));
        String leaseName = a.leaseName(TARGET);
        assertEquals("ro-0/t1", api.stored(leaseName).orElseThrow().getSpec().getHolderIdentity(), "created all the same");
        int before = api.calls().size();

        HeldLock again = held(a.tryAcquire(TARGET));

        assertEquals(List.of("create", "get", "update"), api.calls().subList(before, api.calls().size()));
        assertEquals("ro-0/t2", again.holderIdentity());
        assertEquals(LockAttempt.Reason.HELD, reason(manager("ro-1").tryAcquire(TARGET)), "others still wait");
    }

    @Test
    void aLeaseWhoseReleaseGotNoAnswerIsTakenBackAfterFailedAttemptsToo() {
        LeaseLockManager a = manager("ro-0");
        acquireThenReleaseWithoutAnswer(a);
        // the server is still down at the next attempt: that create is not carried out
        api.failNext("create", new IllegalStateException("connection refused"));
        assertEquals(LockAttempt.Reason.API_ERROR, reason(a.tryAcquire(TARGET)));

        assertEquals("ro-0/t3", held(a.tryAcquire(TARGET)).holderIdentity(), "the released Lease (t1) taken back");
    }

    @Test
    void anUnreleasedLeaseSomebodyWroteSinceIsNotTakenBack() {
        LeaseLockManager a = manager("ro-0");
        acquireThenReleaseWithoutAnswer(a);
        clock.advance(LEASE.plusMillis(1));
        held(manager("ro-1").tryAcquire(TARGET)); // expired, taken over by another replica

        assertEquals(LockAttempt.Reason.HELD, reason(a.tryAcquire(TARGET)), "ro-1's hold, not ours to take back");
    }

    /** Acquires {@link #TARGET} with {@code manager} and releases it; the release DELETE gets no answer. */
    private void acquireThenReleaseWithoutAnswer(LeaseLockManager manager) {
        HeldLock lock = held(manager.tryAcquire(TARGET));
        api.failNext("delete", new IllegalStateException("timeout"));
        manager.release(lock);
    }

    @Test
    void oneThreadPerKeyInsideTheProcess() throws Exception {
        LeaseLockManager a = manager("ro-0");
        HeldLock first = held(a.tryAcquire(TARGET));
        int calls = api.calls().size();

        assertEquals(LockAttempt.Reason.LOCAL, reason(a.tryAcquire(TARGET, Duration.ofMillis(20))));
        assertEquals(calls, api.calls().size(), "waiting for a local holder costs no API call");

        CountDownLatch waiting = new CountDownLatch(1);
        AtomicReference<LockAttempt> second = new AtomicReference<>();
        Thread waiter = new Thread(() -> {
            waiting.countDown();
            second.set(a.tryAcquire(TARGET, Duration.ofSeconds(10)));
        });
        waiter.start();
        assertTrue(waiting.await(5, TimeUnit.SECONDS));
        a.release(first);
        waiter.join(10_000);
        held(second.get());
    }

    @Test
    void concurrentSessionsOnOneReplicaNeverHoldTogether() throws Exception {
        List<LeaseLockManager> replicas = List.of(manager("ro-0"), manager("ro-1"), manager("ro-2"));
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger maxInside = new AtomicInteger();
        AtomicInteger acquisitions = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 9; t++) {
            LeaseLockManager replica = replicas.get(t % 3);
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 200; i++) {
                    if (replica.tryAcquire(TARGET, Duration.ofMillis(5)) instanceof LockAttempt.Acquired acquired) {
                        maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
                        acquisitions.incrementAndGet();
                        inside.decrementAndGet();
                        replica.release(acquired.lock());
                    }
                }
            });
            thread.start();
            threads.add(thread);
        }
        start.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        assertEquals(1, maxInside.get());
        assertTrue(acquisitions.get() > 0);
        assertTrue(api.stored(replicas.get(0).leaseName(TARGET)).isEmpty(), "no Lease left behind");
    }

    @Test
    void configRejectsNonsense() {
        assertThrows(IllegalArgumentException.class,
                () -> new LockSettings("ro-lock-", "ro-0", Duration.ofMillis(500)));
        assertThrows(IllegalArgumentException.class, () -> new LockSettings("ro-lock-", " ", LEASE));
        assertEquals(2, new LockSettings("ro-lock-", "ro-0", Duration.ofMillis(1500)).leaseDurationSeconds());
    }

    static final class RecordingObserver implements LockObserver {
        final List<String> verbs = Collections.synchronizedList(new ArrayList<>());
        final List<Boolean> releasesDeleted = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger takeovers = new AtomicInteger();

        @Override
        public void apiCall(String verb) {
            verbs.add(verb);
        }

        @Override
        public void acquired(Duration took, boolean takeover) {
            if (takeover) {
                takeovers.incrementAndGet();
            }
        }

        @Override
        public void released(Duration held, boolean deleted) {
            releasesDeleted.add(deleted);
        }
    }
}
