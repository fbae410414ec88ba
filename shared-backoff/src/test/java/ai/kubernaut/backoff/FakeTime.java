package ai.kubernaut.backoff;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/** A clock that only moves when the retrier "sleeps" (or a test advances it): no test really waits. */
final class FakeTime implements Sleeper, LongSupplier {
    private long nanos = 1_000_000_000L; // arbitrary origin: the retrier must only use differences
    final List<Duration> sleeps = new ArrayList<>();

    @Override
    public void sleep(Duration duration) {
        sleeps.add(duration);
        nanos += duration.toNanos();
    }

    @Override
    public long getAsLong() {
        return nanos;
    }

    void advance(Duration d) {
        nanos += d.toNanos();
    }

    Duration sinceOrigin() {
        return Duration.ofNanos(nanos - 1_000_000_000L);
    }
}
