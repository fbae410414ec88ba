package ai.kubernaut.gateway.dedup;

import ai.kubernaut.gateway.dedup.OccurrenceBatcher.Result;
import ai.kubernaut.gateway.kube.ApiFaults;
import ai.kubernaut.gateway.kube.InformerRestarts;
import ai.kubernaut.gateway.kube.RequestDeadline;
import ai.kubernaut.gateway.lock.Fabric8LeaseApi;
import ai.kubernaut.gateway.lock.LeaseApi;
import ai.kubernaut.gateway.lock.LeaseLockManager;
import ai.kubernaut.gateway.lock.LockMetrics;
import ai.kubernaut.gateway.lock.LockSettings;
import ai.kubernaut.gateway.model.RemediationRequest;
import ai.kubernaut.gateway.signal.Signal;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Records signals as RemediationRequests, status-based deduplication (DD-GATEWAY-011) with the ADR-052 lock
 * made safe (see {@code docs/adr/ADR-052-002-gateway-lock-and-fencing.md}, addendum "stale view"). This class is
 * the decide loop (section 1) and the boundary where failures are classified; the other two jobs have a class each:
 *
 * <ol>
 * <li>Decide from the watch-backed {@link RemediationRequestView} (no LIST per signal), merged with what this replica
 * and this request know ({@link KnownRrs}). An active RR: count the occurrence on it ({@link OccurrenceWriter}:
 * group commit, a status patch carrying the resourceVersion; the RR turned terminal or gone -> re-decide);
 * duplicates never touch a Lease.</li>
 * <li>None: {@link FencedCreator}: in-process exclusion per fingerprint, the Lease, then a create whose name is
 * derived from the fingerprint and the RR it supersedes. The fenced create is the re-check: 409 means the view was
 * behind; it counts on that RR, or if it is terminal continues the name chain from it.</li>
 * <li>After the answer, off the critical path: the Lease is released; an initial status write that failed is
 * retried ({@link OccurrenceWriter}) until it lands or a later write supersedes it.</li>
 * </ol>
 *
 * Every failure leaving {@link #record} is a {@link RecordingFailure} classified once by {@link ApiFaults}.
 */
public final class DeduplicatingSignalRecorder implements SignalRecorder, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(DeduplicatingSignalRecorder.class);
    /** Rounds of "the view was behind" (a conflict, a terminal RR, a fenced name taken) before giving up. */
    static final int MAX_ROUNDS = 10;
    /** How long our own writes override a view that has not seen them yet (the watch takes milliseconds). */
    static final Duration RECENT_WRITES_TTL = Duration.ofSeconds(30);

    private final RecorderSettings settings;
    private final RemediationRequestView view;
    private final AutoCloseable ownedView;
    private final RecentWrites recent;
    private final LeaseLockManager locks;
    private final DedupMetrics metrics;
    private final OccurrenceWriter occurrences;
    private final FencedCreator creator;
    private final LongSupplier nanoClock;
    private final ScheduledExecutorService background;

    /** Production wiring: starts the informer-backed view (readiness waits for its first sync). */
    public DeduplicatingSignalRecorder(RecorderSettings settings, KubernetesClient client, MeterRegistry registry) {
        this(settings, client, InformerView.start(client, settings.namespace(),
                InformerRestarts.standard("gw-informer-restarts-" + settings.podName())), registry);
    }

    private DeduplicatingSignalRecorder(RecorderSettings settings, KubernetesClient client, InformerView view,
            MeterRegistry registry) {
        this(settings, client, view, view, new Fabric8LeaseApi(client, settings.namespace()), registry,
                Clock.systemUTC(), System::nanoTime, backgroundExecutor(settings.podName()));
        registry.gauge("gateway.dedup.view.size", view, InformerView::size);
    }

    /**
     * @param ownedView  closed by {@link #close()} (null: the caller owns the view)
     * @param background runs Lease releases and initial status repairs after the answer; closed by {@link #close()}
     */
    DeduplicatingSignalRecorder(RecorderSettings settings, KubernetesClient client, RemediationRequestView view,
            AutoCloseable ownedView, LeaseApi leaseApi, MeterRegistry registry, Clock clock, LongSupplier nanoClock,
            ScheduledExecutorService background) {
        this.settings = settings;
        this.view = view;
        this.ownedView = ownedView;
        this.recent = new RecentWrites(RECENT_WRITES_TTL, nanoClock);
        this.nanoClock = nanoClock;
        this.locks = new LeaseLockManager(LockSettings.gateway(settings.namespace(), settings.podName(),
                settings.leaseDuration()), leaseApi, clock, new LockMetrics(registry, "gateway"));
        this.metrics = new DedupMetrics(registry);
        this.background = background;
        RecorderContext context = new RecorderContext(settings, new RemediationRequestApi(client, settings.namespace()),
                new ApiCalls(settings.apiMaxAttempts(), settings.apiRetryAfter()), metrics, recent);
        this.occurrences = new OccurrenceWriter(context, clock, nanoClock, background);
        this.creator = new FencedCreator(context, locks, occurrences, background, clock, nanoClock);
    }

    static ScheduledExecutorService backgroundExecutor(String podName) {
        AtomicInteger n = new AtomicInteger();
        ScheduledThreadPoolExecutor ex = new ScheduledThreadPoolExecutor(2, r -> {
            Thread t = new Thread(r, "gw-after-answer-" + podName + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        // at shutdown: finish pending Lease releases, drop status repairs still waiting for their delay
        ex.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        return ex;
    }

    public RecorderSettings settings() {
        return settings;
    }

    public LeaseLockManager locks() {
        return locks;
    }

    /** True once the view of RRs has synced: before that the replica cannot decide and is not ready. */
    @Override
    public boolean ready() {
        return view.synced();
    }

    @Override
    public Optional<String> waitingFor() {
        return view.waitingFor();
    }

    @Override
    public Recorded record(Signal signal) {
        return record(signal, RequestDeadline.after(settings.kubernetesDeadline(), nanoClock));
    }

    @Override
    public Recorded record(Signal signal, RequestDeadline requestDeadline) {
        String fp = signal.fingerprint();
        if (!DedupRules.isValidFingerprint(fp)) {
            throw new IllegalArgumentException("fingerprint must be 64 lowercase hex chars: " + fp);
        }
        Deadline deadline = Deadline.of(requestDeadline, settings.apiRetryAfter());
        Object previous = MDC.get("fingerprint");
        MDC.put("fingerprint", fp);
        try {
            if (!view.awaitSynced(deadline.remaining())) { // only right after start-up; readiness waits for it too
                throw new RecordingFailure(RecordingFailure.Reason.API_UNAVAILABLE,
                        "the view of RemediationRequests has not synced yet", settings.apiRetryAfter(), null);
            }
            return decideAndRecord(signal, deadline);
        } catch (RecordingFailure f) {
            throw f.retryAfter() != null || f.reason() == RecordingFailure.Reason.API_ERROR ? f
                    : new RecordingFailure(f.reason(), f.getMessage(), settings.apiRetryAfter(), f);
        } catch (RuntimeException e) {
            throw classify(e, deadline);
        } finally {
            MDC.remove("rr"); // set while an RR is known (created or counted on)
            if (previous == null) {
                MDC.remove("fingerprint");
            } else {
                MDC.put("fingerprint", previous);
            }
        }
    }

    /** The one place an API exception becomes an answer: transient -> 503 (or 504 past the deadline), else 500. */
    private RecordingFailure classify(RuntimeException e, Deadline deadline) {
        if (!ApiFaults.isTransient(e)) {
            return new RecordingFailure(RecordingFailure.Reason.API_ERROR, "Kubernetes API error: " + e.getMessage(),
                    null, e);
        }
        if (deadline.expired()) {
            return deadline.passed("waiting for the Kubernetes API (" + e.getMessage() + ")", e);
        }
        return new RecordingFailure(RecordingFailure.Reason.API_UNAVAILABLE, "Kubernetes API unavailable: "
                + e.getMessage(), settings.apiRetryAfter(), e);
    }

    private Recorded decideAndRecord(Signal signal, Deadline deadline) {
        KnownRrs known = new KnownRrs(signal.fingerprint(), view, recent);
        for (int round = 1; round <= MAX_ROUNDS; round++) {
            DedupRules.View v = known.decide();
            RemediationRequest target = v.active();
            if (target == null) {
                FencedCreator.Step step = creator.create(signal, deadline, known);
                if (step instanceof FencedCreator.Step.Done done) {
                    return done.recorded();
                }
                target = step instanceof FencedCreator.Step.DuplicateOf d ? d.rr() : null;
            }
            if (target != null) {
                MDC.put("rr", target.getMetadata().getName());
                Optional<Recorded> dup = countOn(target, signal, deadline, known);
                if (dup.isPresent()) {
                    return dup.get();
                }
            }
        }
        throw new RecordingFailure(RecordingFailure.Reason.API_UNAVAILABLE, "the RemediationRequests of fingerprint "
                + signal.fingerprint() + " kept changing during " + MAX_ROUNDS + " rounds", settings.apiRetryAfter(),
                null);
    }

    private Optional<Recorded> countOn(RemediationRequest rr, Signal signal, Deadline deadline, KnownRrs known) {
        Result r = occurrences.countDuplicate(rr, signal.receivedTime(), deadline);
        if (r instanceof Result.Stored s) {
            metrics.deduplicated();
            LOG.debugf("duplicate fingerprint=%s rr=%s occurrenceCount=%d", signal.fingerprint(), s.rrName(),
                    s.count());
            return Optional.of(new Recorded(Recorded.Outcome.DUPLICATE, s.rrName(), settings.namespace(), s.count(),
                    s.firstSeenAt(), s.lastSeenAt()));
        }
        RemediationRequest latest = ((Result.NotActive) r).latest();
        if (latest == null) {
            known.lost(rr.getMetadata().getName());
        } else {
            known.learn(latest);
        }
        LOG.debugf("fingerprint=%s rr=%s is no longer active: deciding again", signal.fingerprint(),
                rr.getMetadata().getName());
        return Optional.empty();
    }

    /** Finishes pending Lease releases (bounded), so a clean shutdown leaves no Lease behind; stops the view. */
    @Override
    public void close() {
        background.shutdown();
        try {
            if (!background.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("lease releases still pending at shutdown; those Leases expire by themselves");
                background.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            background.shutdownNow();
        }
        if (ownedView != null) {
            try {
                ownedView.close();
            } catch (Exception e) {
                LOG.debugf("closing the view: %s", e.toString());
            }
        }
    }
}
