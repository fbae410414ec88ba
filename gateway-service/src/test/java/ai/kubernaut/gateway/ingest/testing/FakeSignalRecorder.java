package ai.kubernaut.gateway.ingest.testing;

import ai.kubernaut.gateway.dedup.Recorded;
import ai.kubernaut.gateway.dedup.RecordingFailure;
import ai.kubernaut.gateway.dedup.SignalRecorder;
import ai.kubernaut.gateway.kube.RequestDeadline;
import ai.kubernaut.gateway.signal.Signal;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * The recorder of the ingest tests (the real one belongs to the dedup module). Enabled only by
 * {@link IngestTestProfile}, so that other test suites keep the real implementation. Remembers every signal it
 * is given; by default it deduplicates in memory by fingerprint (first CREATED, then DUPLICATE with a growing
 * count); each test can script another behaviour.
 */
@Alternative
@ApplicationScoped
public class FakeSignalRecorder implements SignalRecorder {

    private final List<Signal> seen = new CopyOnWriteArrayList<>();
    private final List<RequestDeadline> deadlines = new CopyOnWriteArrayList<>();
    private final Map<String, Long> counts = new ConcurrentHashMap<>();
    private volatile Function<Signal, Recorded> behaviour = this::dedupInMemory;

    @Override
    public Recorded record(Signal signal) {
        return record(signal, RequestDeadline.after(Duration.ofMinutes(5)));
    }

    @Override
    public Recorded record(Signal signal, RequestDeadline deadline) {
        seen.add(signal);
        deadlines.add(deadline);
        return behaviour.apply(signal);
    }

    /** Forget everything and go back to in-memory dedup. */
    public void reset() {
        seen.clear();
        deadlines.clear();
        counts.clear();
        behaviour = this::dedupInMemory;
    }

    public void respond(Function<Signal, Recorded> behaviour) {
        this.behaviour = behaviour;
    }

    public void failWith(RecordingFailure.Reason reason, Duration retryAfter, Throwable cause) {
        behaviour = s -> {
            throw new RecordingFailure(reason, "scripted " + reason, retryAfter, cause);
        };
    }

    public List<Signal> seen() {
        return List.copyOf(seen);
    }

    /** The deadline each call was given, in the order of {@link #seen()}. */
    public List<RequestDeadline> deadlines() {
        return List.copyOf(deadlines);
    }

    /** The answer for a signal that created its RR. */
    public static Recorded created(Signal s) {
        return new Recorded(Recorded.Outcome.CREATED, rrName(s.fingerprint()), IngestTestCluster.NAMESPACE, 1,
                s.receivedTime(), s.receivedTime());
    }

    public static String rrName(String fingerprint) {
        return "rr-" + fingerprint.substring(0, 12) + "-0000abcd";
    }

    private Recorded dedupInMemory(Signal s) {
        long n = counts.merge(s.fingerprint(), 1L, Long::sum);
        Instant t = s.receivedTime();
        return new Recorded(n == 1 ? Recorded.Outcome.CREATED : Recorded.Outcome.DUPLICATE, rrName(s.fingerprint()),
                IngestTestCluster.NAMESPACE, n, t.minusSeconds(n - 1), t);
    }
}
