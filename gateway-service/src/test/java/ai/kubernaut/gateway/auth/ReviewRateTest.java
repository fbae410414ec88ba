package ai.kubernaut.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ReviewRateTest {

    private final AtomicLong nanos = new AtomicLong(1_000);

    @Test
    void aFullBucketThenItsRefill() {
        ReviewRate rate = new ReviewRate(4, nanos::get);
        int started = 0;
        while (rate.tryAcquire()) {
            started++;
        }
        assertEquals(4, started, "the burst: one second's worth");
        nanos.addAndGet(250_000_000L);
        assertTrue(rate.tryAcquire(), "a quarter second refills one");
        assertFalse(rate.tryAcquire());
        nanos.addAndGet(60_000_000_000L);
        started = 0;
        while (rate.tryAcquire()) {
            started++;
        }
        assertEquals(4, started, "an idle minute refills no more than the burst");
    }

    @Test
    void zeroIsNoLimit() {
        ReviewRate rate = new ReviewRate(0, nanos::get);
        for (int i = 0; i < 10_000; i++) {
            assertFalse(rate.isEmpty());
            assertTrue(rate.tryAcquire());
        }
    }

    @Test
    void isEmptyLooksWithoutTaking() {
        ReviewRate rate = new ReviewRate(2, nanos::get);
        for (int i = 0; i < 5; i++) {
            assertFalse(rate.isEmpty(), "looking takes nothing");
        }
        assertTrue(rate.tryAcquire());
        assertTrue(rate.tryAcquire());
        assertTrue(rate.isEmpty());
        nanos.addAndGet(499_000_000L);
        assertTrue(rate.isEmpty(), "0.998 of a review refilled is not one");
        nanos.addAndGet(1_000_000L);
        assertFalse(rate.isEmpty(), "half a second at 2/s refills one");
        assertTrue(rate.tryAcquire());
        assertTrue(rate.isEmpty());
    }
}
