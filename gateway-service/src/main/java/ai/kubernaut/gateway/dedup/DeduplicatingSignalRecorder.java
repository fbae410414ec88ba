package ai.kubernaut.gateway.dedup;

import ai.kubernaut.backoff.BackoffPolicy;
import ai.kubernaut.backoff.Outcome;
import ai.kubernaut.backoff.Retrier;
import ai.kubernaut.backoff.RetryResult;
import ai.kubernaut.gateway.dedup.OccurrenceBatcher.Result;
import ai.kubernaut.gateway.dedup.RemediationRequestApi.Created;
import ai.kubernaut.gateway.dedup.RemediationRequestApi.StatusWrite;
import ai.kubernaut.gateway.kube.ApiFaults;
import ai.kubernaut.gateway.kube.InformerRestarts;
import ai.kubernaut.gateway.lock.Fabric8LeaseApi;
import ai.kubernaut.gateway.lock.LeaseApi;
import ai.kubernaut.gateway.lock.LeaseAttempt;
import ai.kubernaut.gateway.lock.LeaseLockManager;
import ai.kubernaut.gateway.lock.LockSettings;
import ai.kubernaut.gateway.lock.LockMetrics;
import ai.kubernaut.gateway.lock.LockSession;
import ai.kubernaut.gateway.model.RemediationRequest;
import ai.kubernaut.gateway.signal.Signal;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Records signals as RemediationRequests, status-based deduplication (DD-GATEWAY-011) with the ADR-052 lock
 * made safe (see {@code docs/adr/ADR-052-002-gateway-lock-and-fencing.md}, addendum "stale view"):
 *
 * <ol>
 * <li>Decide from the watch-backed {@link RemediationRequestView} (no LIST per signal). An active RR: count the
 * occurrence on it (group commit, a status patch carrying the resourceVersion; 409 -> GET by name -> re-decide);
 * duplicates never touch a Lease.</li>
 * <li>None: in-process exclusion per fingerprint, then the Lease (ADR-052 backoff, looking at the view between
 * attempts), then a create whose name is derived from the fingerprint and the RR it supersedes. The fenced create
 * is the re-check: 409 means the view was behind; GET that name and count on it, or if it is terminal continue the
 * name chain from it.</li>
 * <li>The Lease is released after the answer, off the critical path; an initial status write that failed is
 * retried there too, until it lands or a later write supersedes it.</li>
 * </ol>
 *
 * Every failure leaving {@link #record} is a {@link RecordingFailure} classified once by {@link ApiFaults}.
 */
public final class DeduplicatingSignalRecorder implements SignalRecorder, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(DeduplicatingSignalRecorder.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Rounds of "the view was behind" (a conflict, a terminal RR, a fenced name taken) before giving up. */
    static final int MAX_ROUNDS = 10;
    /** How long our own writes override a view that has not seen them yet (the watch takes milliseconds). */
    static final Duration RECENT_WRITES_TTL = Duration.ofSeconds(30);
    /** Background attempts at an initial status write that failed on the request path, and their budget each. */
    static final int STATUS_REPAIR_ATTEMPTS = 20;
    static final Duration STATUS_REPAIR_CALL_BUDGET = Duration.ofSeconds(10);
    static final BackoffPolicy STATUS_REPAIR_BACKOFF = BackoffPolicy.builder().baseDelay(Duration.ofMillis(500))
            .maxDelay(Duration.ofSeconds(30)).jitter(0.1).build();

    private final RecorderSettings settings;
    private final RemediationRequestApi rrs;
    private final RemediationRequestView view;
    private final AutoCloseable ownedView;
    private final RecentWrites recent;
    private final LeaseLockManager locks;
    private final ApiCalls api;
    private final Retrier leaseContention;
    private final DedupMetrics metrics;
    private final OccurrenceBatcher batcher;
    private final Clock clock;
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
        this.rrs = new RemediationRequestApi(client, settings.namespace());
        this.view = view;
        this.ownedView = ownedView;
        this.recent = new RecentWrites(RECENT_WRITES_TTL, nanoClock);
        this.clock = clock;
        this.nanoClock = nanoClock;
        this.locks = new LeaseLockManager(LockSettings.gateway(settings.namespace(), settings.podName(),
                settings.leaseDuration()), leaseApi, clock, new LockMetrics(registry, "gateway"));
        this.api = new ApiCalls(settings.apiMaxAttempts(), settings.apiRetryAfter());
        // contention is the only thing retried here: a Lease API error propagates (not contention)
        this.leaseContention = Retrier.builder(settings.lockPolicy()).build();
        this.metrics = new DedupMetrics(registry);
        this.batcher = new OccurrenceBatcher(this::writeOccurrences);
        this.background = background;
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
    public java.util.Optional<String> waitingFor() {
        return view.waitingFor();
    }

    @Override
    public Recorded record(Signal signal) {
        String fp = signal.fingerprint();
        if (!DedupRules.isValidFingerprint(fp)) {
            throw new IllegalArgumentException("fingerprint must be 64 lowercase hex chars: " + fp);
        }
        Deadline deadline = Deadline.after(settings.kubernetesDeadline(), nanoClock, settings.apiRetryAfter());
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
        Known known = new Known(signal.fingerprint());
        for (int round = 1; round <= MAX_ROUNDS; round++) {
            DedupRules.View v = known.decide();
            RemediationRequest target = v.active();
            if (target == null) {
                Step step = createUnderLock(signal, deadline, known);
                if (step instanceof Step.Done done) {
                    return done.recorded();
                }
                target = step instanceof Step.DuplicateOf d ? d.rr() : null;
            }
            if (target != null) {
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

    /**
     * What one request knows about its fingerprint's RRs: the view, this replica's recent writes, and what this
     * request itself read (fresher than the view) or found gone.
     */
    private final class Known {
        final String fingerprint;
        final Map<String, RemediationRequest> read = new HashMap<>();
        final Set<String> gone = new HashSet<>();

        Known(String fingerprint) {
            this.fingerprint = fingerprint;
        }

        DedupRules.View decide() {
            Map<String, RemediationRequest> all = new HashMap<>();
            recent.merge(fingerprint, view.ofFingerprint(fingerprint))
                    .forEach(rr -> all.put(rr.getMetadata().getName(), rr));
            read.forEach((name, rr) -> all.merge(name, rr,
                    (other, mine) -> RecentWrites.progress(other) > RecentWrites.progress(mine) ? other : mine));
            gone.forEach(all::remove);
            DedupRules.View v = DedupRules.view(fingerprint, List.copyOf(all.values()));
            if (v.activeCount() > 1) {
                LOG.warnf("fingerprint=%s has %d active RemediationRequests; counting on the oldest rr=%s",
                        fingerprint, v.activeCount(), v.active().getMetadata().getName());
            }
            return v;
        }

        void learn(RemediationRequest rr) {
            read.put(rr.getMetadata().getName(), rr);
            gone.remove(rr.getMetadata().getName());
            recent.remember(rr);
        }

        void lost(String name) {
            read.remove(name);
            gone.add(name);
            recent.forget(fingerprint, name);
        }
    }

    /** What an attempt to create led to. */
    private sealed interface Step permits Step.Done, Step.DuplicateOf, Step.Again {
        record Done(Recorded recorded) implements Step {
        }

        record DuplicateOf(RemediationRequest rr) implements Step {
        }

        record Again() implements Step {
        }
    }

    private Optional<Recorded> countOn(RemediationRequest rr, Signal signal, Deadline deadline, Known known) {
        Result r = batcher.add(rr, signal.receivedTime(), deadline);
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

    private Step createUnderLock(Signal signal, Deadline deadline, Known known) {
        String fp = signal.fingerprint();
        Duration wait = min(settings.localWait(), deadline.remaining());
        Optional<LockSession> opened;
        try {
            opened = locks.open(fp, wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RecordingFailure(RecordingFailure.Reason.API_UNAVAILABLE, "interrupted", null, e);
        }
        if (opened.isEmpty()) {
            if (deadline.expired()) {
                throw deadline.passed("waiting for another request on the same fingerprint");
            }
            // the caller of the controller logs it once (ingest): no log line here
            throw new RecordingFailure(RecordingFailure.Reason.LOCK_TIMEOUT, "fingerprint " + fp
                    + " stayed locked by other requests of this replica for " + wait.toMillis() + " ms",
                    settings.lockRetryAfter(), null);
        }
        try (LockSession session = opened.get()) {
            if (session.waitedForLocalHolder()) {
                // whoever held it here probably created the RR (our recent writes have it): no Lease call
                DedupRules.View v = known.decide();
                if (v.hasActive()) {
                    return new Step.DuplicateOf(v.active());
                }
            }
            try {
                if (settings.lockEnabled()) {
                    Optional<RemediationRequest> appeared = acquireLease(session, deadline, known);
                    if (appeared.isPresent()) {
                        return new Step.DuplicateOf(appeared.get());
                    }
                }
                DedupRules.View v = known.decide(); // from memory: the fenced create below is the real re-check
                return v.hasActive() ? new Step.DuplicateOf(v.active())
                        : createOnChain(signal, v.predecessor(), deadline, known);
            } finally {
                // success or failure, the Lease is released after the answer: a release waiting on a frozen API
                // server must not hold the answer past the deadline (it is bounded and runs off this thread)
                release(session.detachLeaseRelease());
            }
        }
    }

    /** @return an RR that appeared in the view while we waited (then we hold no Lease), or empty when we hold it */
    private Optional<RemediationRequest> acquireLease(LockSession session, Deadline deadline, Known known) {
        String fp = session.key();
        Duration limit = deadline.forCall("acquiring the lock");
        RetryResult<Optional<RemediationRequest>> r;
        try {
            r = leaseContention.run(limit, attempt -> {
                    if (attempt > 1) {
                        DedupRules.View v = known.decide();
                        if (v.hasActive()) {
                            return Outcome.success(Optional.of(v.active()));
                        }
                    }
                    LeaseAttempt a = session.tryAcquireLease(deadline.forCall("acquiring the lock"));
                    if (a instanceof LeaseAttempt.Contended c) {
                        return Outcome.retry(c.describe());
                    }
                    return Outcome.success(Optional.empty());
                });
        } catch (RecordingFailure f) {
            session.failed(f.reason() == RecordingFailure.Reason.KUBERNETES_DEADLINE
                    ? LockMetrics.FailureReason.DEADLINE : LockMetrics.FailureReason.API_ERROR);
            throw f;
        } catch (RuntimeException e) {
            session.failed(LockMetrics.FailureReason.API_ERROR);
            throw e;
        }
        switch (r.status()) {
            case SUCCEEDED:
                return r.value();
            case ATTEMPTS_EXHAUSTED:
                session.failed(LockMetrics.FailureReason.TIMEOUT);
                // ingest logs the 503 once, with the request's context
                throw new RecordingFailure(RecordingFailure.Reason.LOCK_TIMEOUT, "lock acquisition timeout after "
                        + r.attempts() + " attempts (fingerprint: " + fp + ", lease " + session.leaseName() + ": "
                        + r.lastRetryReason() + ")", settings.lockRetryAfter(), null);
            case TIME_LIMIT_REACHED:
                session.failed(LockMetrics.FailureReason.DEADLINE);
                throw deadline.passed("acquiring the lock (" + r.lastRetryReason() + ")");
            default:
                session.failed(LockMetrics.FailureReason.INTERRUPTED);
                throw new RecordingFailure(RecordingFailure.Reason.API_UNAVAILABLE,
                        "interrupted while acquiring the lock", settings.apiRetryAfter(), null);
        }
    }

    /**
     * The fenced create, walking the name chain: a 409 means the view was behind. GET that name (a single-key read):
     * active -> count on it; terminal -> the next name of the chain; gone meanwhile -> the same name again.
     */
    private Step createOnChain(Signal signal, String predecessor, Deadline deadline, Known known) {
        String fp = signal.fingerprint();
        String pred = predecessor;
        for (int link = 1; link <= MAX_ROUNDS; link++) {
            String name = DedupRules.rrName(fp, pred);
            String token = RemediationRequestFactory.creationToken();
            RemediationRequest rr = RemediationRequestFactory.build(signal, settings.namespace(), name, pred, token);
            Created created;
            try {
                created = api.call("creating RemediationRequest " + name, deadline, t -> rrs.create(rr, t));
            } catch (RuntimeException e) {
                metrics.creationError(e instanceof KubernetesClientException k ? DedupMetrics.errorType(k.getCode())
                        : "timeout");
                throw e;
            }
            if (created instanceof Created.Done done) {
                return createdAnswer(done.rr(), signal, deadline);
            }
            // a retried create whose first attempt got no answer may have been ours: the token tells
            RemediationRequest existing = api.call("reading RemediationRequest " + name, deadline,
                    t -> rrs.get(name, t));
            if (existing == null) {
                continue; // deleted between our create and our read: the name is free again
            }
            Map<String, String> ann = existing.getMetadata().getAnnotations();
            if (ann != null && token.equals(ann.get(DedupRules.CREATION_TOKEN_ANNOTATION))) {
                return createdAnswer(existing, signal, deadline);
            }
            metrics.creationError("already_exists");
            known.learn(existing);
            if (!DedupRules.isTerminal(existing)) {
                LOG.debugf("fenced: rr=%s already exists for fingerprint=%s: counting on it", name, fp);
                return new Step.DuplicateOf(existing);
            }
            LOG.debugf("fenced: rr=%s exists and is terminal: continuing the chain of fingerprint=%s", name, fp);
            pred = name;
        }
        return new Step.Again();
    }

    private Step createdAnswer(RemediationRequest created, Signal signal, Deadline deadline) {
        metrics.created();
        recent.remember(created);
        String name = created.getMetadata().getName();
        // DEBUG: ingest logs each created RR once at INFO, with the signal's resource
        LOG.debugf("created rr=%s fingerprint=%s signal=%s supersedes=%s", name, signal.fingerprint(),
                signal.signalName(), created.getMetadata().getAnnotations() == null ? null
                        : created.getMetadata().getAnnotations().get(DedupRules.SUPERSEDES_ANNOTATION));
        DedupRules.Counted counted = writeInitialStatus(created, signal, deadline);
        // the creator's occurrence is the first of the RR, even if duplicates were stored before its status write:
        // every answer carries its own position, so the answers for one RR are exactly 1..occurrenceCount
        return new Step.Done(new Recorded(Recorded.Outcome.CREATED, name, settings.namespace(), 1,
                counted.firstSeenAt(), counted.lastSeenAt()));
    }

    /**
     * Status is dropped on create by a real server: write Pending and the first occurrence through /status,
     * merged with what duplicates of other replicas may have written since (never lowering their count). If it
     * cannot be written now the RR still stands for this occurrence (201); the write goes on in the background.
     */
    private DedupRules.Counted writeInitialStatus(RemediationRequest created, Signal signal, Deadline deadline) {
        String name = created.getMetadata().getName();
        try {
            Optional<DedupRules.Counted> written = writeInitial(name, created, signal.receivedTime(), deadline);
            if (written.isPresent()) {
                return written.get();
            }
        } catch (RuntimeException e) {
            LOG.warnf("initial status of rr=%s not written yet (%s); retrying after the answer", name,
                    e.getMessage());
            scheduleStatusRepair(name, signal.receivedTime(), 1);
        }
        return DedupRules.initial(created, signal.receivedTime());
    }

    /**
     * Guarded read-modify-write of the initial status until it lands. Empty when there is nothing to write: the RR
     * is gone, or a later write already carries a deduplication block (it counted our occurrence). An RR that
     * turned terminal meanwhile (the orchestrator can finish one within the retries) still gets the creator's
     * occurrence: the signal was answered 201 for this RR, and no later write would count it.
     */
    private Optional<DedupRules.Counted> writeInitial(String name, RemediationRequest known, Instant receivedAt,
            Deadline deadline) {
        RemediationRequest cur = known;
        for (int attempt = 1; attempt <= statusAttempts(); attempt++) {
            if (cur == null) {
                cur = api.call("reading RemediationRequest " + name, deadline, t -> rrs.get(name, t));
                if (cur == null) {
                    return Optional.empty();
                }
            }
            if (attempt > 1 && hasDeduplication(cur)) {
                recent.remember(cur);
                return Optional.of(DedupRules.initial(cur, receivedAt)); // superseded by a later write
            }
            DedupRules.Counted c = DedupRules.initial(cur, receivedAt);
            StatusWrite w = writeStatus(cur, c, needsPhase(cur), deadline);
            if (w instanceof StatusWrite.Written written) {
                recent.remember(written.rr());
                return Optional.of(c);
            }
            if (w instanceof StatusWrite.Gone) {
                return Optional.empty();
            }
            cur = w instanceof StatusWrite.NotApplied n ? n.current() : null;
            pause(attempt, deadline);
        }
        throw new RecordingFailure(RecordingFailure.Reason.API_UNAVAILABLE, "status of " + name
                + " kept changing", settings.apiRetryAfter(), null);
    }

    private static boolean hasDeduplication(RemediationRequest rr) {
        return rr.getStatus() != null && rr.getStatus().getDeduplication() != null
                && rr.getStatus().getDeduplication().getOccurrenceCount() != null;
    }

    private static boolean needsPhase(RemediationRequest rr) {
        return rr.getStatus() == null || rr.getStatus().getOverallPhase() == null;
    }

    /** Retries the initial status write after the answer, bounded, until it lands or a later write supersedes it. */
    private void scheduleStatusRepair(String name, Instant receivedAt, int attempt) {
        if (attempt > STATUS_REPAIR_ATTEMPTS) {
            LOG.errorf("gave up writing the initial status of rr=%s after %d attempts in the background", name,
                    STATUS_REPAIR_ATTEMPTS);
            metrics.statusRepair("gave_up");
            return;
        }
        long delay = STATUS_REPAIR_BACKOFF.delay(attempt, ThreadLocalRandom.current()).toMillis();
        try {
            background.schedule(() -> repairStatus(name, receivedAt, attempt), delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException shuttingDown) {
            LOG.warnf("shutting down: the initial status of rr=%s stays unwritten until a duplicate writes it", name);
        }
    }

    private void repairStatus(String name, Instant receivedAt, int attempt) {
        Deadline deadline = Deadline.after(STATUS_REPAIR_CALL_BUDGET, nanoClock, settings.apiRetryAfter());
        try {
            RemediationRequest cur = api.call("reading RemediationRequest " + name, deadline, t -> rrs.get(name, t));
            if (cur == null || hasDeduplication(cur)) {
                metrics.statusRepair(cur == null ? "gone" : "superseded");
                return;
            }
            writeInitial(name, cur, receivedAt, deadline);
            metrics.statusRepair("written");
            LOG.infof("initial status of rr=%s written after the answer (attempt %d)", name, attempt);
        } catch (RuntimeException e) {
            LOG.debugf("initial status of rr=%s still not written (%s)", name, e.getMessage());
            scheduleStatusRepair(name, receivedAt, attempt + 1);
        }
    }

    /** The batch writer of the {@link OccurrenceBatcher}: one version-guarded status write for n occurrences. */
    private OccurrenceBatcher.Batch writeOccurrences(String name, RemediationRequest known, List<Instant> seen,
            Deadline deadline) {
        Instant first = seen.stream().min(Instant::compareTo).orElseThrow();
        Instant last = seen.stream().max(Instant::compareTo).orElseThrow();
        RemediationRequest cur = known;
        for (int attempt = 1; attempt <= statusAttempts(); attempt++) {
            if (cur == null) {
                cur = api.call("reading RemediationRequest " + name, deadline, t -> rrs.get(name, t));
                if (cur == null) {
                    return new OccurrenceBatcher.Inactive(null);
                }
            }
            if (DedupRules.isTerminal(cur)) {
                return new OccurrenceBatcher.Inactive(cur);
            }
            // a missing deduplication counts the creator's occurrence as 1 (its own write may have failed): this
            // write then also stands for it, and sets the phase the creator would have set
            DedupRules.Counted c = DedupRules.increment(cur, seen.size(), first, last);
            StatusWrite w = writeStatus(cur, c, needsPhase(cur), deadline);
            if (w instanceof StatusWrite.Written written) {
                recent.remember(written.rr());
                return new OccurrenceBatcher.Written(c, written.rr());
            }
            if (w instanceof StatusWrite.Gone) {
                return new OccurrenceBatcher.Inactive(null);
            }
            cur = w instanceof StatusWrite.NotApplied n ? n.current() : null;
            pause(attempt, deadline);
        }
        throw new RecordingFailure(RecordingFailure.Reason.API_UNAVAILABLE, "status of " + name
                + " kept changing (" + statusAttempts() + " conflicts)",
                settings.apiRetryAfter(), null);
    }

    private int statusAttempts() {
        return settings.statusPolicy().maxAttempts().orElse(15);
    }

    /** Backoff between conflicting status writes, never past the deadline. */
    private void pause(int attempt, Deadline deadline) {
        Duration d = min(settings.statusPolicy().delay(attempt, ThreadLocalRandom.current()), deadline.remaining());
        try {
            Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RecordingFailure(RecordingFailure.Reason.API_UNAVAILABLE, "interrupted", null, e);
        }
        deadline.check("writing a status after a conflict");
    }

    /**
     * One version-guarded status write (not retried as such: a retry of an applied write would count twice). A
     * transient fault is ambiguous: re-read; if the RR is still at the version we wrote against it was not
     * applied (write again from that copy); otherwise we cannot tell, and answer 503: the occurrence may or may not
     * have been counted (see the README's occurrence semantics).
     */
    private StatusWrite writeStatus(RemediationRequest cur, DedupRules.Counted c, boolean setPhase,
            Deadline deadline) {
        String name = cur.getMetadata().getName();
        String patch = statusPatch(cur.getMetadata().getResourceVersion(), c, setPhase ? clock.instant() : null);
        try {
            StatusWrite w = rrs.patchStatus(cur, patch, deadline.forCall("writing the status of " + name));
            metrics.statusWrite(w instanceof StatusWrite.Conflict ? "conflict" : "stored");
            return w;
        } catch (KubernetesClientException e) {
            metrics.statusWrite("error");
            if (!ApiFaults.isTransient(e)) {
                throw e;
            }
            RemediationRequest now = api.call("reading RemediationRequest " + name, deadline, t -> rrs.get(name, t));
            if (now == null) {
                return new StatusWrite.Gone();
            }
            if (cur.getMetadata().getResourceVersion().equals(now.getMetadata().getResourceVersion())) {
                return new StatusWrite.NotApplied(now);
            }
            throw new RecordingFailure(RecordingFailure.Reason.API_UNAVAILABLE, "status write of " + name
                    + " got no answer (" + e.getMessage() + ") and the RR changed meanwhile: the occurrence may or "
                    + "may not have been stored", settings.apiRetryAfter(), e);
        }
    }

    /** @param pendingSince when set, also sets overallPhase Pending and phaseStartedAt (first status only) */
    static String statusPatch(String resourceVersion, DedupRules.Counted c, Instant pendingSince) {
        ObjectNode root = JSON.createObjectNode();
        root.putObject("metadata").put("resourceVersion", resourceVersion);
        ObjectNode status = root.putObject("status");
        if (pendingSince != null) {
            status.put("overallPhase", "Pending");
            status.put("phaseStartedAt", DedupRules.truncate(pendingSince).toString());
        }
        ObjectNode dedup = status.putObject("deduplication");
        dedup.put("firstSeenAt", DedupRules.truncate(c.firstSeenAt()).toString());
        dedup.put("lastSeenAt", DedupRules.truncate(c.lastSeenAt()).toString());
        dedup.put("occurrenceCount", c.after());
        return root.toString();
    }

    private void release(Runnable releaseLease) {
        try {
            background.execute(releaseLease);
        } catch (RejectedExecutionException shuttingDown) {
            releaseLease.run();
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
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
