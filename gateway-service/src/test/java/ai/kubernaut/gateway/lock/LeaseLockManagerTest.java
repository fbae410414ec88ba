package ai.kubernaut.gateway.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.gateway.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The lock protocol contract of ADR-052 against an in-memory Lease store with a real API server's conditional
 * semantics and a hand-moved clock, written from the same list of cases as the RO's
 * {@code LeaseLockManagerTest} (names kept alike so the two copies can be compared case by case).
 */
class LeaseLockManagerTest {

    static final Duration CALL = Duration.ofSeconds(5);

    static final String KEY = "a".repeat(64);
    static final Duration LEASE = Duration.ofSeconds(30);

    final MutableClock clock = new MutableClock(Instant.parse("2026-11-20T10:00:00Z"));
    final FakeLeaseApi api = new FakeLeaseApi();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    LeaseLockManager manager(String pod) {
        AtomicInteger n = new AtomicInteger();
        return new LeaseLockManager(LockSettings.gateway("ns", pod, LEASE), api, clock,
                () -> "t" + n.incrementAndGet(), new LockMetrics(registry, "gateway"));
    }

    LockSession open(LeaseLockManager m) throws InterruptedException {
        return m.open(KEY, Duration.ZERO).orElseThrow();
    }

    double count(String name, String... tags) {
        var c = registry.find(name).tags(tags).counter();
        return c == null ? -1 : c.count();
    }

    @Test
    void leaseNameIsPrefixPlus16HexOfSha256() {
        // sha256("aaa...a" x64) starts with these 16 hex digits
        String name = LockSettings.gateway("ns", "p", LEASE).leaseName(KEY);
        assertTrue(name.matches("gw-lock-[0-9a-f]{16}"), name);
        assertEquals("gw-lock-" + ai.kubernaut.gateway.fingerprint.Fingerprints.sha256Hex(KEY).substring(0, 16), name);
    }

    @Test
    void uncontendedAcquireIsOneCreateWithAFreshHolderToken() throws Exception {
        LeaseLockManager a = manager("pod-a");
        try (LockSession s = open(a)) {
            LeaseAttempt attempt = s.tryAcquireLease(CALL);
            HeldLease held = assertInstanceOf(LeaseAttempt.Acquired.class, attempt).lease();
            assertEquals("pod-a/t1", held.lease().holderIdentity());
            assertEquals(30, held.lease().leaseDurationSeconds());
            assertEquals(clock.instant(), held.lease().renewTime());
            assertFalse(held.tookOver());
            assertEquals(List.of("create " + s.leaseName()), api.calls());
        }
        // close released it with one precondition DELETE
        assertEquals(2, api.calls().size());
        assertTrue(api.calls().get(1).startsWith("delete "));
        assertTrue(api.stored(a.settings().leaseName(KEY)).isEmpty());
        assertEquals(1, count("gateway.lock.acquisition.attempts"));
        assertEquals(1, count("gateway.lease.api.calls", "verb", "create"));
        assertEquals(1, count("gateway.lease.api.calls", "verb", "delete"));
        assertEquals(1, registry.find("gateway.lock.hold.duration").timer().count());
    }

    @Test
    void liveLeaseOfAnotherHolderIsContentionAfterCreateAndGet() throws Exception {
        LeaseLockManager a = manager("pod-a");
        LeaseLockManager b = manager("pod-b");
        try (LockSession sa = open(a); LockSession sb = open(b)) {
            assertInstanceOf(LeaseAttempt.Acquired.class, sa.tryAcquireLease(CALL));
            api.clearCalls();
            clock.advance(Duration.ofSeconds(29));
            var contended = assertInstanceOf(LeaseAttempt.Contended.class, sb.tryAcquireLease(CALL));
            assertEquals("pod-a/t1", contended.holder());
            assertEquals(Instant.parse("2026-11-20T10:00:30Z"), contended.expiresAt());
            assertEquals(List.of("create " + sb.leaseName(), "get " + sb.leaseName()), api.calls());
            assertFalse(sb.holdsLease());
            assertEquals(1, count("gateway.lock.contention"));
        }
    }

    @Test
    void expiryIsRenewTimePlusDurationBeforeNowTheGatewaysRule() {
        LeaseRecord lease = new LeaseRecord("gw-lock-x", "pod-z/x", clock.instant(), clock.instant(), 30, 0, "1");
        assertFalse(lease.expiredAt(clock.instant().plus(LEASE)), "at renewTime + duration it still holds");
        assertTrue(lease.expiredAt(clock.instant().plus(LEASE).plusMillis(1)));
    }

    @Test
    void leaseWithNoHolderNoTimeOrNoDurationCountsAsExpired() {
        Instant now = clock.instant();
        assertTrue(new LeaseRecord("gw-lock-x", null, now, now, 30, 0, "1").expiredAt(now), "no holder");
        assertTrue(new LeaseRecord("gw-lock-x", "", now, now, 30, 0, "1").expiredAt(now), "empty holder");
        assertTrue(new LeaseRecord("gw-lock-x", "pod-z/x", null, null, 30, 0, "1").expiredAt(now), "no time");
        assertTrue(new LeaseRecord("gw-lock-x", "pod-z/x", now, now, null, 0, "1").expiredAt(now), "no duration");
        assertFalse(new LeaseRecord("gw-lock-x", "pod-z/x", now, null, 30, 0, "1").expiredAt(now),
                "acquireTime stands in for a missing renewTime");
    }

    @Test
    void expiredLeaseIsTakenOverWithAVersionGuardedUpdate() throws Exception {
        LeaseLockManager b = manager("pod-b");
        String name = b.settings().leaseName(KEY);
        LeaseRecord dead = api.put(new LeaseRecord(name, "pod-a/old", clock.instant(), clock.instant(), 30, 2, null));
        clock.advance(Duration.ofSeconds(30)); // renewTime + 30 s == now: not yet expired
        try (LockSession sb = open(b)) {
            assertInstanceOf(LeaseAttempt.Contended.class, sb.tryAcquireLease(CALL));
            clock.advance(Duration.ofMillis(1));
            api.clearCalls();
            HeldLease held = assertInstanceOf(LeaseAttempt.Acquired.class, sb.tryAcquireLease(CALL)).lease();
            assertTrue(held.tookOver());
            assertEquals("pod-b/t2", held.lease().holderIdentity());
            assertEquals(3, held.lease().leaseTransitions());
            assertTrue(Long.parseLong(held.lease().resourceVersion()) > Long.parseLong(dead.resourceVersion()));
            assertEquals(List.of("create " + name, "get " + name, "update " + name), api.calls());
            assertEquals(1, count("gateway.lock.takeovers"));
        }
    }

    @Test
    void twoTakeoversOfOneExpiredLeaseHaveExactlyOneWinner() throws Exception {
        LeaseLockManager b = manager("pod-b");
        LeaseLockManager c = manager("pod-c");
        String name = b.settings().leaseName(KEY);
        api.put(new LeaseRecord(name, "pod-a/old", clock.instant(), clock.instant(), 30, 0, null));
        clock.advance(Duration.ofMinutes(1));
        try (LockSession sb = open(b); LockSession sc = open(c)) {
            // c takes it over while b is between its GET and its UPDATE
            api.beforeUpdate(n -> {
                api.beforeUpdate(x -> { });
                assertInstanceOf(LeaseAttempt.Acquired.class, sc.tryAcquireLease(CALL));
            });
            assertInstanceOf(LeaseAttempt.Contended.class, sb.tryAcquireLease(CALL));
            assertTrue(sc.holdsLease());
            assertFalse(sb.holdsLease());
            assertEquals("pod-c/t1", api.stored(name).orElseThrow().holderIdentity());
        }
    }

    @Test
    void samePodNameWithAnotherTokenIsNotTheHolder() throws Exception {
        // a restarted StatefulSet pod keeps its name: the old Lease must still count as someone else's
        LeaseLockManager before = manager("gateway-0");
        LeaseLockManager after = manager("gateway-0");
        LockSession old = open(before);
        assertInstanceOf(LeaseAttempt.Acquired.class, old.tryAcquireLease(CALL));
        try (LockSession s = after.open(KEY, Duration.ZERO).orElseThrow()) {
            var c = assertInstanceOf(LeaseAttempt.Contended.class, s.tryAcquireLease(CALL));
            assertEquals("gateway-0/t1", c.holder());
        }
        old.close();
    }

    @Test
    void releaseIsOnePreconditionDeleteWithoutAGet() throws Exception {
        LeaseLockManager a = manager("pod-a");
        LockSession s = open(a);
        assertInstanceOf(LeaseAttempt.Acquired.class, s.tryAcquireLease(CALL));
        clock.advance(Duration.ofSeconds(10));
        api.clearCalls();
        Runnable release = s.detachLeaseRelease();
        s.close(); // the Lease is detached: close makes no call
        assertEquals(List.of(), api.calls());
        release.run();
        release.run(); // idempotent
        assertEquals(List.of("delete " + s.leaseName()), api.calls());
        assertTrue(api.stored(s.leaseName()).isEmpty());
        assertEquals(0, count("gateway.lease.api.calls", "verb", "get"));
    }

    @Test
    void releaseNeverDeletesALeaseSomeoneTookOver() throws Exception {
        LeaseLockManager a = manager("pod-a");
        LeaseLockManager b = manager("pod-b");
        LockSession paused = open(a);
        assertInstanceOf(LeaseAttempt.Acquired.class, paused.tryAcquireLease(CALL));
        clock.advance(Duration.ofSeconds(31)); // a is paused past expiry
        LockSession other = open(b);
        assertInstanceOf(LeaseAttempt.Acquired.class, other.tryAcquireLease(CALL));
        api.clearCalls();
        paused.close(); // wakes up and releases: its DELETE precondition names the old version
        assertEquals(1, api.calls().size());
        assertTrue(api.calls().get(0).startsWith("delete "), "no GET: the precondition decides");
        assertEquals("pod-b/t1", api.stored(paused.leaseName()).orElseThrow().holderIdentity());
        other.close();
        assertTrue(api.stored(paused.leaseName()).isEmpty());
    }

    @Test
    void releaseAfterExpiryOfALeaseStillOursIsTheSameOneDelete() throws Exception {
        LeaseLockManager a = manager("pod-a");
        LockSession s = open(a);
        assertInstanceOf(LeaseAttempt.Acquired.class, s.tryAcquireLease(CALL));
        clock.advance(LEASE.plusSeconds(10)); // nobody took it over
        api.clearCalls();
        s.close();
        assertEquals(1, api.calls().size());
        assertTrue(api.calls().get(0).startsWith("delete "));
        assertTrue(api.stored(s.leaseName()).isEmpty());
    }

    @Test
    void leaseReleasedBetweenCreateConflictAndGetIsContentionAndTheNextAttemptCreatesIt() throws Exception {
        // the RO's copy creates again within the same attempt; the Gateway's retries through its caller's loop
        LeaseLockManager a = manager("pod-a");
        LeaseLockManager b = manager("pod-b");
        try (LockSession sa = open(a); LockSession sb = open(b)) {
            assertInstanceOf(LeaseAttempt.Acquired.class, sa.tryAcquireLease(CALL));
            api.beforeNextGet(() -> api.remove(sb.leaseName()));
            api.clearCalls();
            var contended = assertInstanceOf(LeaseAttempt.Contended.class, sb.tryAcquireLease(CALL));
            assertNull(contended.holder());
            assertInstanceOf(LeaseAttempt.Acquired.class, sb.tryAcquireLease(CALL));
            assertEquals(List.of("create " + sb.leaseName(), "get " + sb.leaseName(), "create " + sb.leaseName()),
                    api.calls());
            assertEquals("pod-b/t2", api.stored(sb.leaseName()).orElseThrow().holderIdentity());
        }
    }

    @Test
    void leaseWithoutHolderOrRenewTimeIsFree() throws Exception {
        LeaseLockManager a = manager("pod-a");
        String name = a.settings().leaseName(KEY);
        api.put(new LeaseRecord(name, null, null, null, null, null, null));
        try (LockSession s = open(a)) {
            assertInstanceOf(LeaseAttempt.Acquired.class, s.tryAcquireLease(CALL));
        }
    }

    @Test
    void apiErrorsAreNotContention() throws Exception {
        LeaseLockManager a = manager("pod-a");
        api.failNextCreate(new LeaseApiException("forbidden", 403, null));
        try (LockSession s = open(a)) {
            LeaseApiException e = assertThrows(LeaseApiException.class, () -> s.tryAcquireLease(CALL));
            assertFalse(e.transientFault());
            assertFalse(s.holdsLease());
        }
        assertEquals(0, count("gateway.lock.contention"));
    }

    @Test
    void releaseFailureNeverThrowsAndFreesTheKeyLocally() throws Exception {
        LeaseLockManager a = manager("pod-a");
        acquireThenReleaseWithoutAnswer(a);
        assertEquals(0, a.keysInUse());
        // the Lease stays on the server until it expires: another process finds it held
        LeaseLockManager b = manager("pod-b");
        try (LockSession other = open(b)) {
            assertInstanceOf(LeaseAttempt.Contended.class, other.tryAcquireLease(CALL));
            clock.advance(LEASE.plusMillis(1));
            assertInstanceOf(LeaseAttempt.Acquired.class, other.tryAcquireLease(CALL));
        }
    }

    @Test
    void aLeaseWhoseReleaseGotNoAnswerIsTakenBackByThisProcessAtOnce() throws Exception {
        LeaseLockManager a = manager("pod-a");
        acquireThenReleaseWithoutAnswer(a);
        api.clearCalls();

        // no waiting for expiry: the Lease carries our token and the version we wrote
        try (LockSession again = open(a)) {
            HeldLease held = assertInstanceOf(LeaseAttempt.Acquired.class, again.tryAcquireLease(CALL)).lease();
            assertFalse(held.tookOver(), "not a takeover after expiry");
            String name = again.leaseName();
            assertEquals(List.of("create " + name, "get " + name, "update " + name), api.calls());
            assertEquals(held.lease().holderIdentity(), api.stored(name).orElseThrow().holderIdentity());
        }
        assertEquals(0, count("gateway.lock.takeovers"));
    }

    @Test
    void aLeaseWhoseCreateGotNoAnswerIsTakenBackByThisProcessAtOnce() throws Exception {
        LeaseLockManager a = manager("pod-a");
        api.loseNextCreateAnswer();
        try (LockSession s = open(a)) {
            assertThrows(LeaseApiException.class, () -> s.tryAcquireLease(CALL));
            assertEquals("pod-a/t1", api.stored(s.leaseName()).orElseThrow().holderIdentity(), "created all the same");
        }
        api.clearCalls();

        try (LockSession again = open(a)) {
            HeldLease held = assertInstanceOf(LeaseAttempt.Acquired.class, again.tryAcquireLease(CALL)).lease();
            String name = again.leaseName();
            assertEquals(List.of("create " + name, "get " + name, "update " + name), api.calls());
            assertEquals("pod-a/t2", held.lease().holderIdentity());
            try (LockSession other = open(manager("pod-b"))) {
                assertInstanceOf(LeaseAttempt.Contended.class, other.tryAcquireLease(CALL), "others still wait");
            }
        }
    }

    @Test
    void aLeaseWhoseReleaseGotNoAnswerIsTakenBackAfterFailedAttemptsToo() throws Exception {
        LeaseLockManager a = manager("pod-a");
        acquireThenReleaseWithoutAnswer(a);
        // the server is still down at the next attempt: that create is not carried out
        api.failNextCreate(new LeaseApiException("connection refused", 0, null));
        try (LockSession again = open(a)) {
            assertThrows(LeaseApiException.class, () -> again.tryAcquireLease(CALL));
        }

        try (LockSession third = open(a)) {
            HeldLease held = assertInstanceOf(LeaseAttempt.Acquired.class, third.tryAcquireLease(CALL)).lease();
            assertEquals("pod-a/t3", held.lease().holderIdentity(), "the released Lease (t1) taken back");
        }
    }

    @Test
    void anUnreleasedLeaseSomebodyWroteSinceIsNotTakenBack() throws Exception {
        LeaseLockManager a = manager("pod-a");
        acquireThenReleaseWithoutAnswer(a);
        clock.advance(LEASE.plusMillis(1));
        try (LockSession other = open(manager("pod-b"))) {
            assertInstanceOf(LeaseAttempt.Acquired.class, other.tryAcquireLease(CALL)); // expired: taken over
            try (LockSession again = open(a)) {
                assertInstanceOf(LeaseAttempt.Contended.class, again.tryAcquireLease(CALL), "pod-b's hold, not ours");
            }
        }
    }

    /** Acquires {@link #KEY} with {@code manager} and releases it; the release DELETE gets no answer. */
    private void acquireThenReleaseWithoutAnswer(LeaseLockManager manager) throws Exception {
        LockSession s = open(manager);
        assertInstanceOf(LeaseAttempt.Acquired.class, s.tryAcquireLease(CALL));
        api.failNextDelete(new LeaseApiException("timeout", 504, null));
        s.close();
    }

    @Test
    void oneThreadPerKeyInsideTheProcess() throws Exception {
        LeaseLockManager a = manager("pod-a");
        LockSession first = open(a);
        assertInstanceOf(LeaseAttempt.Acquired.class, first.tryAcquireLease(CALL));
        // a second request for the same key on this replica cannot get in while the first is inside
        assertTrue(a.open(KEY, Duration.ofMillis(50)).isEmpty());
        assertEquals(1, count("gateway.lock.acquisition.failures", "reason", "local_wait_timeout"));
        // ... other keys are not blocked
        try (LockSession other = a.open("b".repeat(64), Duration.ZERO).orElseThrow()) {
            assertFalse(other.waitedForLocalHolder());
        }
        Future<Boolean> second = pool.submit(() -> {
            try (LockSession s = a.open(KEY, Duration.ofSeconds(10)).orElseThrow()) {
                // the first one's Lease was released before we got in
                assertTrue(api.stored(s.leaseName()).isEmpty());
                return s.waitedForLocalHolder();
            }
        });
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> a.usersOf(KEY) == 2);
        first.close();
        assertTrue(second.get(10, TimeUnit.SECONDS), "the second one waited for the first");
        assertEquals(0, a.keysInUse());
    }

    @Test
    void concurrentSessionsOnOneReplicaNeverHoldTogether() throws Exception {
        LeaseLockManager a = manager("pod-a");
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger maxInside = new AtomicInteger();
        AtomicInteger acquired = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> all = new java.util.ArrayList<>();
        for (int i = 0; i < 16; i++) {
            all.add(pool.submit(() -> {
                start.await();
                Optional<LockSession> s = a.open(KEY, Duration.ofSeconds(30));
                try (LockSession session = s.orElseThrow()) {
                    if (session.tryAcquireLease(CALL) instanceof LeaseAttempt.Acquired) {
                        acquired.incrementAndGet();
                        int now = inside.incrementAndGet();
                        maxInside.accumulateAndGet(now, Math::max);
                        Thread.yield();
                        inside.decrementAndGet();
                    }
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : all) {
            f.get(30, TimeUnit.SECONDS);
        }
        assertEquals(1, maxInside.get());
        assertEquals(16, acquired.get(), "each one got the Lease in turn, after the previous release");
        assertEquals(0, a.keysInUse());
    }

    @Test
    void configRejectsNonsense() {
        assertThrows(IllegalArgumentException.class, () -> LockSettings.gateway("ns", "a/b", LEASE));
        assertThrows(IllegalArgumentException.class, () -> LockSettings.gateway("ns", "p", Duration.ofMillis(10)));
        assertThrows(IllegalArgumentException.class, () -> LockSettings.gateway("ns", " ", LEASE));
        assertEquals(2, LockSettings.gateway("ns", "p", Duration.ofMillis(1500)).leaseDurationSeconds());
    }
}
