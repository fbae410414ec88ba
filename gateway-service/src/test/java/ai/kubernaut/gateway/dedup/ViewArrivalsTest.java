package ai.kubernaut.gateway.dedup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.gateway.model.RemediationRequest;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The waits for an RR of a fingerprint to reach the view: woken by its arrival, bounded, and gone once closed. */
class ViewArrivalsTest {

    private static final String FP = "a".repeat(64);
    private static final String OTHER = "b".repeat(64);
    private static final Duration LONG = Duration.ofMinutes(5);

    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        threads.shutdownNow();
    }

    @Test
    void anArrivalWakesTheWaiterOfItsFingerprintOnly() throws Exception {
        ViewArrivals arrivals = new ViewArrivals();
        try (ViewArrivals.Waiter mine = arrivals.expect(FP); ViewArrivals.Waiter other = arrivals.expect(OTHER)) {
            Future<Boolean> woken = threads.submit(() -> mine.await(LONG));
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> arrivals.waiters() == 2);
            arrivals.arrived(FP);
            assertTrue(woken.get(30, TimeUnit.SECONDS), "woken by the arrival, long before its 5 minutes");
            assertFalse(other.await(Duration.ZERO), "another fingerprint's arrival wakes nobody else");
            assertEquals(1, arrivals.waiters(), "the woken waiter left; the other still waits");
        }
        assertEquals(0, arrivals.waiters());
        assertEquals(0, arrivals.fingerprints());
    }

    @Test
    void anArrivalBetweenRegisteringAndWaitingIsNotMissed() throws Exception {
        ViewArrivals arrivals = new ViewArrivals();
        try (ViewArrivals.Waiter waiter = arrivals.expect(FP)) {
            arrivals.arrived(FP); // after the look at the view, before the wait
            assertTrue(waiter.await(Duration.ZERO));
        }
    }

    @Test
    void withoutAnArrivalTheWaitEndsAtItsBound() throws Exception {
        ViewArrivals arrivals = new ViewArrivals();
        try (ViewArrivals.Waiter waiter = arrivals.expect(FP)) {
            long t0 = System.nanoTime();
            assertFalse(waiter.await(Duration.ofMillis(200)));
            assertTrue(System.nanoTime() - t0 >= Duration.ofMillis(200).toNanos(), "waited its bound");
            arrivals.arrived(OTHER);
            assertFalse(waiter.await(Duration.ZERO), "still not woken by another fingerprint");
        }
        assertEquals(0, arrivals.fingerprints(), "a waiter that timed out leaves no entry");
        assertFalse(ViewArrivals.unobserved(FP).await(Duration.ofMillis(1)), "a view that cannot tell: the bound");
    }

    @Test
    void manyWaitsLeaveNoWaiterBehind() throws Exception {
        ViewArrivals arrivals = new ViewArrivals();
        for (int i = 0; i < 1000; i++) {
            String fp = String.format("%064x", i);
            try (ViewArrivals.Waiter waiter = arrivals.expect(fp)) {
                if (i % 2 == 0) {
                    arrivals.arrived(fp);
                    assertTrue(waiter.await(Duration.ZERO));
                } else {
                    assertFalse(waiter.await(Duration.ZERO));
                }
            }
            assertEquals(0, arrivals.waiters());
        }
        // concurrent waits on one fingerprint, some woken, some not, all closed
        CompletableFuture<?>[] all = new CompletableFuture<?>[50];
        for (int i = 0; i < all.length; i++) {
            all[i] = CompletableFuture.runAsync(() -> {
                try (ViewArrivals.Waiter waiter = arrivals.expect(FP)) {
                    waiter.await(Duration.ofMillis(20));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, threads);
            if (i % 5 == 0) {
                arrivals.arrived(FP);
            }
        }
        CompletableFuture.allOf(all).get(60, TimeUnit.SECONDS);
        assertEquals(0, arrivals.waiters());
        assertEquals(0, arrivals.fingerprints());
    }

    private static ViewedRemediationRequest viewed(String name, String fingerprint) {
        RemediationRequest rr = DedupRulesTest.rr(name, fingerprint, null, "2026-11-20T10:15:30Z", null);
        rr.getMetadata().setNamespace("ns");
        return ViewStoreTest.viewed(rr);
    }

    @Test
    void theViewStoreWakesTheWaitersOfTheFingerprintItStores() throws Exception {
        ViewStore store = new ViewStore(new KubernetesSerialization());
        try (ViewArrivals.Waiter waiter = store.arrivals().expect(FP)) {
            Future<Boolean> woken = threads.submit(() -> waiter.await(LONG));
            store.put("ns/rr-other", viewed("rr-other", OTHER));
            assertFalse(waiter.await(Duration.ZERO), "an RR of another fingerprint");
            store.put("ns/rr-1", viewed("rr-1", FP));
            assertTrue(woken.get(30, TimeUnit.SECONDS));
            RemediationRequest seen = store.ofFingerprint(FP).get(0);
            assertEquals("rr-1", seen.getMetadata().getName(), "stored before the waiter was woken");
        }
        assertEquals(0, store.arrivals().waiters());
    }
}
