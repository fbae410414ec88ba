package ai.kubernaut.backoff;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Waits between attempts. Inject a fake in tests so nothing really sleeps; production code uses
 * {@link #threadSleep()}.
 */
@FunctionalInterface
public interface Sleeper {

    /**
     * Blocks the calling thread for {@code duration}.
     *
     * @param duration how long to wait; never negative, may be zero
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    void sleep(Duration duration) throws InterruptedException;

    /**
     * A sleeper that blocks the current thread with {@link TimeUnit#sleep(long)} (nanosecond precision
     * as far as the platform allows) and honours interruption.
     *
     * @return the real, thread-blocking sleeper
     */
    static Sleeper threadSleep() {
        return duration -> TimeUnit.NANOSECONDS.sleep(duration.toNanos());
    }
}
