package ai.kubernaut.gateway.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The request's one deadline: what each call may wait, and no call once it has passed. */
class RequestDeadlineTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    @Test
    void eachCallWaitsAtMostItsOwnTimeoutAndWhatIsLeft() {
        RequestDeadline d = RequestDeadline.after(Duration.ofSeconds(15), now::get);
        assertEquals(Duration.ofSeconds(2), d.forCall("reading", Duration.ofSeconds(2)));
        now.addAndGet(Duration.ofMillis(14_500).toNanos());
        assertEquals(Duration.ofMillis(500), d.forCall("reading", Duration.ofSeconds(2)), "capped by what is left");
        assertEquals(Duration.ofMillis(500), d.remaining());
        assertFalse(d.expired());
    }

    @Test
    void noCallStartsOnceItHasPassed() {
        RequestDeadline d = RequestDeadline.after(Duration.ofSeconds(15), now::get);
        now.addAndGet(Duration.ofSeconds(15).toNanos());
        assertTrue(d.expired());
        assertEquals(Duration.ZERO, d.remaining());
        KubernetesDeadlineException e = assertThrows(KubernetesDeadlineException.class,
                () -> d.forCall("creating RemediationRequest rr-1", Duration.ofSeconds(2)));
        assertEquals("Kubernetes deadline of 15000 ms passed while creating RemediationRequest rr-1", e.getMessage());
    }

    @Test
    void itCountsFromTheRequestsArrivalNotFromWhenItIsMade() {
        long arrived = System.nanoTime() - Duration.ofSeconds(10).toNanos(); // queued, authenticated, looked up
        RequestDeadline d = RequestDeadline.startingAt(arrived, Duration.ofSeconds(15));
        assertTrue(d.remaining().compareTo(Duration.ofSeconds(5)) <= 0, "5 s left at most: " + d.remaining());
        assertEquals(arrived + Duration.ofSeconds(15).toNanos(), d.endNanos());
    }
}
