package ai.kubernaut.orchestrator.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.orchestrator.testing.MutableClock;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class LeaseLockManagerTest {

    static final String TARGET = "shop/Deployment/payments";
    static final Duration LEASE = Duration.ofSeconds(30);

    final FakeLeaseApi api = new FakeLeaseApi();
    final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T10:00:00Z"));
    final RecordingObserver observer = new RecordingObserver();

    LeaseLockManager manager(String pod) {
        AtomicInteger tokens = new AtomicInteger();
        Supplier<String> next = () -> "t" + tokens.incrementAndGet();
        return new LeaseLockManager(new LeaseLockConfig("ro-lock-", pod, LEASE), api, clock, next, observer);
    }

    static HeldLock held(LockAttempt attempt) {
        return assertInstanceOf(LockAttempt.Acquired.class, attempt).lock();
    }

    static LockAttempt.Reason reason(LockAttempt attempt) {
        return assertInstanceOf(LockAttempt.NotAcquired.class, attempt).reason();
    }

    @Test
    void freeTargetIsAcquiredWithOneCreateAndReleasedWithGetAndDelete() {
        LeaseLockManager a = manager("ro-0");
        HeldLock lock = held(a.tryAcquire(TARGET));

        assertEquals("ro-lock-" + ai.kubernaut.orchestrator.target.Target.hash16(TARGET), lock.leaseName());
        assertEquals(24, lock.leaseName().length());
        Lease stored = api.stored(lock.leaseName()).orElseThrow();
        assertEquals("ro-0/t1", stored.getSpec().getHolderIdentity());
        assertEquals(30, stored.getSpec().getLeaseDurationSeconds());
        assertEquals(clock.instant(), stored.getSpec().getRenewTime().toInstant());
        assertEquals(List.of("create"), api.calls());

        a.release(lock);
        assertTrue(api.stored(lock.leaseName()).isEmpty());
        assertEquals(List.of("create", "get", "delete"), api.calls());
        assertEquals(List.of("create", "get", "delete"), observer.verbs);
    }

    @Test
    void secondAcquisitionInTheSameProcessIsRefusedWithoutAnApiCall() {
        LeaseLockManager a = manager("ro-0");
        HeldLock first = held(a.tryAcquire(TARGET));
        int callsBefore = api.calls().size();

        assertEquals(LockAttempt.Reason.LOCAL, reason(a.tryAcquire(TARGET)));
        assertEquals(callsBefore, api.calls().size());

        a.release(first);
        held(a.tryAcquire(TARGET));
    }

    @Test
    void unexpiredLeaseOfAnotherReplicaIsContention() {
        LeaseLockManager a = manager("ro-0");
        LeaseLockManager b = manager("ro-1");
        held(a.tryAcquire(TARGET));
        clock.advance(LEASE.minusMillis(1));

        LockAttempt attempt = b.tryAcquire(TARGET);
        assertEquals(LockAttempt.Reason.HELD, reason(attempt));
        assertEquals("ro-0/t1", ((LockAttempt.NotAcquired) attempt).holder().orElseThrow());
        assertEquals(List.of(LockAttempt.Reason.HELD), observer.refusals);
    }

    @Test
    void expiredLeaseIsTakenOverWithAResourceVersionGuardedUpdate() {
        LeaseLockManager a = manager("ro-0");
        LeaseLockManager b = manager("ro-1");
        HeldLock stale = held(a.tryAcquire(TARGET));
        clock.advance(LEASE);

        HeldLock taken = held(b.tryAcquire(TARGET));
        Lease stored = api.stored(taken.leaseName()).orElseThrow();
        assertEquals("ro-1/t1", stored.getSpec().getHolderIdentity());
        assertEquals(1, stored.getSpec().getLeaseTransitions());
        assertEquals(List.of("create", "create", "get", "update"), api.calls());
        assertEquals(1, observer.takeovers);

        // the paused holder wakes up and releases: it must not delete the new holder's Lease
        a.release(stale);
        assertEquals("ro-1/t1", api.stored(taken.leaseName()).orElseThrow().getSpec().getHolderIdentity());
        assertEquals(List.of(false), observer.releasesStillOurs);
    }

    @Test
    void staleReleaseIsSafeEvenWhenTheServerIgnoresDeletePreconditions() {
        api.honourDeletePreconditions = false;
        LeaseLockManager a = manager("ro-0");
        LeaseLockManager b = manager("ro-1");
        HeldLock stale = held(a.tryAcquire(TARGET));
        clock.advance(LEASE.plusSeconds(1));
        HeldLock taken = held(b.tryAcquire(TARGET));

        a.release(stale);

        assertTrue(api.stored(taken.leaseName()).isPresent(), "the GET before DELETE saw another holder");
    }

    @Test
    void takeoverBetweenOurGetAndDeleteIsNotDeletedWhenPreconditionsAreHonoured() {
        LeaseLockManager a = manager("ro-0");
        HeldLock lock = held(a.tryAcquire(TARGET));
        // another replica rewrites the Lease after our GET, before our DELETE
        api.beforeNext("delete", fake -> {
            Lease other = fake.stored(lock.leaseName()).orElseThrow();
            other.getSpec().setHolderIdentity("ro-9/x");
            fake.put(other);
        });

        a.release(lock);

        assertEquals("ro-9/x", api.stored(lock.leaseName()).orElseThrow().getSpec().getHolderIdentity());
        assertEquals(List.of(false), observer.releasesStillOurs);
    }

    @Test
    void losingTheTakeoverRaceIsContention() {
        LeaseLockManager a = manager("ro-0");
        LeaseLockManager b = manager("ro-1");
        held(a.tryAcquire(TARGET));
        clock.advance(LEASE.plusSeconds(5));
        // a third replica takes the expired Lease between b's GET and b's UPDATE
        api.beforeNext("update", fake -> {
            Lease winner = fake.stored("ro-lock-" + ai.kubernaut.orchestrator.target.Target.hash16(TARGET))
                    .orElseThrow();
            winner.getSpec().setHolderIdentity("ro-2/w");
            fake.put(winner);
        });

        assertEquals(LockAttempt.Reason.CONFLICT, reason(b.tryAcquire(TARGET)));
        // and b's in-process marker is gone: a later attempt goes to the API again
        int calls = api.calls().size();
        b.tryAcquire(TARGET);
        assertTrue(api.calls().size() > calls);
    }

    @Test
    void leaseReleasedBetweenCreateConflictAndGetIsCreatedAgain() {
        LeaseLockManager a = manager("ro-0");
        LeaseLockManager b = manager("ro-1");
        HeldLock first = held(a.tryAcquire(TARGET));
        api.beforeNext("get", fake -> fake.remove(first.leaseName()));

        HeldLock second = held(b.tryAcquire(TARGET));

        assertEquals(List.of("create", "create", "get", "create"), api.calls());
        assertEquals("ro-1/t1", api.stored(second.leaseName()).orElseThrow().getSpec().getHolderIdentity());
    }

    @Test
    void apiFailureIsAnErrorNotContentionAndLeavesNoLocalHold() {
        LeaseLockManager a = manager("ro-0");
        api.failNext("create", new IllegalStateException("API server unreachable"));

        LockAttempt attempt = a.tryAcquire(TARGET);
        assertEquals(LockAttempt.Reason.API_ERROR, reason(attempt));
        assertFalse(LockAttempt.Reason.API_ERROR.isContention());
        assertEquals("API server unreachable",
                ((LockAttempt.NotAcquired) attempt).error().orElseThrow().getMessage());

        held(a.tryAcquire(TARGET));
    }

    @Test
    void releaseFailureNeverThrowsAndFreesTheKeyLocally() {
        LeaseLockManager a = manager("ro-0");
        HeldLock lock = held(a.tryAcquire(TARGET));
        api.failNext("get", new IllegalStateException("timeout"));

        a.release(lock);

        // the Lease stays until it expires, but this process may try again (and sees its own old Lease held)
        assertEquals(LockAttempt.Reason.HELD, reason(a.tryAcquire(TARGET)));
        clock.advance(LEASE);
        held(a.tryAcquire(TARGET));
    }

    @Test
    void leaseWithoutHolderOrRenewTimeIsFree() {
        LeaseLockManager a = manager("ro-0");
        Lease empty = new io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder().withNewMetadata()
                .withName(a.leaseName(TARGET)).endMetadata().withNewSpec().endSpec().build();
        api.put(empty);

        held(a.tryAcquire(TARGET));
    }

    @Test
    void holdersAreMutuallyExclusiveAcrossReplicasAndThreads() throws Exception {
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
                    if (replica.tryAcquire(TARGET) instanceof LockAttempt.Acquired acquired) {
                        int now = inside.incrementAndGet();
                        maxInside.accumulateAndGet(now, Math::max);
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
    void configRejectsSubSecondLeasesAndBlankHolders() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new LeaseLockConfig("ro-lock-", "ro-0", Duration.ofMillis(500)));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new LeaseLockConfig("ro-lock-", " ", LEASE));
        assertEquals(2, new LeaseLockConfig("ro-lock-", "ro-0", Duration.ofMillis(1500)).leaseDurationSeconds());
    }

    static final class RecordingObserver implements LockObserver {
        final List<String> verbs = java.util.Collections.synchronizedList(new ArrayList<>());
        final List<LockAttempt.Reason> refusals = java.util.Collections.synchronizedList(new ArrayList<>());
        final List<Boolean> releasesStillOurs = java.util.Collections.synchronizedList(new ArrayList<>());
        volatile int takeovers;

        @Override
        public void apiCall(String verb) {
            verbs.add(verb);
        }

        @Override
        public void acquired(Duration took, boolean takeover) {
            if (takeover) {
                takeovers++;
            }
        }

        @Override
        public void notAcquired(LockAttempt.Reason reason) {
            refusals.add(reason);
        }

        @Override
        public void released(Duration held, boolean stillOurs) {
            releasesStillOurs.add(stillOurs);
        }
    }
}
