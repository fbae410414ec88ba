package ai.kubernaut.backoff;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The loop is iterative: a million attempts run at a constant stack depth. */
class RetrierStackDepthTest {

    private static final int MILLION = 1_000_000;

    @Test
    void aMillionAttemptsRunAtConstantStackDepth() {
        BackoffPolicy policy = BackoffPolicy.adr052().toBuilder().jitter(Jitter.NONE).maxAttempts(MILLION).build();
        StackWalker walker = StackWalker.getInstance();
        TreeMap<Integer, Long> depthByAttempt = new TreeMap<>();
        long[] calls = {0};
        RetryResult<String> r = Retrier.builder(policy)
                .sleeper(d -> { }) // no-op: nothing sleeps
                .nanoClock(() -> 0L)
                .random(new SplittableRandom(1))
                .build()
                .run(attempt -> {
                    calls[0]++;
                    if (attempt == 1 || attempt % 100_000 == 0 || attempt == MILLION - 1) {
                        depthByAttempt.put(attempt, walker.walk(frames -> frames.count()));
                    }
                    return Outcome.retry("busy");
                });
        assertEquals(RetryStatus.EXHAUSTED, r.status());
        assertEquals(MILLION, r.attempts());
        assertEquals(MILLION, calls[0]);
        assertEquals(12, depthByAttempt.size());
        long first = depthByAttempt.firstEntry().getValue();
        depthByAttempt.forEach((attempt, depth) -> assertEquals(first, depth, "stack depth at attempt " + attempt));
        // the requested sleeps add up exactly to the policy's nominal worst case: 1.5 s + (999,999 - 4) x 1 s
        assertEquals(Duration.ofMillis(1_500).plusSeconds(MILLION - 5L), r.totalSleep());
        assertEquals(policy.nominalWorstCaseSleep(), r.totalSleep());
    }
}
