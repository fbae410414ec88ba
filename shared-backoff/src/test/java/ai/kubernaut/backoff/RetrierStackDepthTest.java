package ai.kubernaut.backoff;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.kubernaut.backoff.RetryResult.Status;
import java.time.Duration;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The loop is iterative: a million attempts run at a constant stack depth. */
class RetrierStackDepthTest {

    private static final int MILLION = 1_000_000;

    @Test
    void aMillionAttemptsRunAtConstantStackDepth() {
        BackoffPolicy policy = BackoffPolicy.builder().maxAttempts(MILLION).build();
        StackWalker walker = StackWalker.getInstance();
        TreeMap<Integer, Long> depthByAttempt = new TreeMap<>();
        long[] sleptNanos = {0};
        RetryResult<String> r = Retrier.builder(policy)
                .sleeper(d -> sleptNanos[0] += d.toNanos()) // nothing really sleeps
                .nanoClock(() -> 0L)
                .build()
                .run(attempt -> {
                    if (attempt == 1 || attempt % 100_000 == 0 || attempt == MILLION - 1) {
                        depthByAttempt.put(attempt, walker.walk(frames -> frames.count()));
                    }
                    return Outcome.retry("busy");
                });
        assertEquals(Status.ATTEMPTS_EXHAUSTED, r.status());
        assertEquals(MILLION, r.attempts());
        assertEquals(12, depthByAttempt.size());
        long first = depthByAttempt.firstEntry().getValue();
        depthByAttempt.forEach((attempt, depth) -> assertEquals(first, depth, "stack depth at attempt " + attempt));
        // the requested sleeps: 1.5 s after attempts 1-4, then 1 s after each of attempts 5 .. 999,999
        assertEquals(Duration.ofMillis(1_500).plusSeconds(MILLION - 5L), Duration.ofNanos(sleptNanos[0]));
    }
}
