package ai.kubernaut.gateway.kube;

import ai.kubernaut.backoff.BackoffPolicy;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.random.RandomGenerator;

/**
 * When a {@link SupervisedInformer} starts again after a failure: the shared-backoff delay for the attempt, never
 * less than the Retry-After the API server asked for, on one daemon timer per service. A failure that lasts longer
 * than {@code escalateAfter} is logged as an error with a hint (a CRD not installed, RBAC); while it lasts a line
 * is logged every {@code repeatLogEvery}.
 */
public record InformerRestarts(BackoffPolicy backoff, RandomGenerator random, ScheduledExecutorService timer,
        Clock clock, Duration escalateAfter, Duration repeatLogEvery) {

    /**
     * 0.5 s doubling to 30 s, &plusmn;20 % jitter so that the replicas of a restarted API server do not relist in
     * step (client-go's reflector: 0.8 s to 30 s, jittered).
     */
    public static final BackoffPolicy BACKOFF = BackoffPolicy.builder().baseDelay(Duration.ofMillis(500))
            .maxDelay(Duration.ofSeconds(30)).multiplier(2).jitter(0.2).build();

    public InformerRestarts {
        Objects.requireNonNull(backoff, "backoff");
        Objects.requireNonNull(random, "random");
        Objects.requireNonNull(timer, "timer");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(escalateAfter, "escalateAfter");
        Objects.requireNonNull(repeatLogEvery, "repeatLogEvery");
    }

    /** The production settings, with a timer thread named after the service. */
    public static InformerRestarts standard(String threadName) {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        return new InformerRestarts(BACKOFF, RandomGenerator.getDefault(), timer, Clock.systemUTC(),
                Duration.ofMinutes(2), Duration.ofMinutes(1));
    }

    /** The delay before attempt {@code failures + 1}: the backoff's, or the server's Retry-After if longer. */
    public Duration delay(int failures, Throwable failure) {
        Duration backoffDelay = backoff.delay(failures, random);
        return ApiFaults.retryAfter(failure).filter(asked -> asked.compareTo(backoffDelay) > 0).orElse(backoffDelay);
    }
}
