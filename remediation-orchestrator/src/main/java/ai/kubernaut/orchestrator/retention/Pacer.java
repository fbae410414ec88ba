package ai.kubernaut.orchestrator.retention;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/** Spaces writes {@code 1 / perSecond} apart on the given clock (one thread: the sweep's). */
public final class Pacer {

    /** How a pacer waits: the thread sleeps in production, a test's fake clock moves on. */
    public interface Sleeper {
        Sleeper THREAD = d -> Thread.sleep(Math.max(0, d.toMillis()), (int) Math.max(0, d.toNanosPart() % 1_000_000));

        void sleep(Duration duration) throws InterruptedException;
    }

    private final Clock clock;
    private final Sleeper sleeper;
    private final Duration spacing;
    private Instant next;

    Pacer(Clock clock, Sleeper sleeper, double perSecond) {
        this.clock = clock;
        this.sleeper = sleeper;
        this.spacing = Duration.ofNanos((long) (1_000_000_000L / perSecond));
    }

    /** Waits until the next write may go. */
    void await() throws InterruptedException {
        Instant now = clock.instant();
        if (next != null && now.isBefore(next)) {
            sleeper.sleep(Duration.between(now, next));
            now = next;
        }
        next = now.plus(spacing);
    }
}
