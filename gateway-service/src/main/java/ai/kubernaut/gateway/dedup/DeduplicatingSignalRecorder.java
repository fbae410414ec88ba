package ai.kubernaut.gateway.dedup;

import ai.kubernaut.backoff.Outcome;
import ai.kubernaut.backoff.Retrier;
import ai.kubernaut.backoff.RetryResult;
import ai.kubernaut.gateway.dedup.OccurrenceBatcher.Result;
import ai.kubernaut.gateway.dedup.RemediationRequestApi.Created;
import ai.kubernaut.gateway.dedup.RemediationRequestApi.StatusWrite;
import ai.kubernaut.gateway.lock.Fabric8LeaseApi;
import ai.kubernaut.gateway.lock.LeaseApi;
import ai.kubernaut.gateway.lock.LeaseApiException;
import ai.kubernaut.gateway.lock.LeaseAttempt;
import ai.kubernaut.gateway.lock.LeaseLockManager;
import ai.kubernaut.gateway.lock.LockConfig;
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
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Records signals as RemediationRequests, status-based deduplication (DD-GATEWAY-011) with the ADR-052 lock
 * made safe (see {@code docs/adr/ADR-052-002-gateway-lock-and-fencing.md}):
 *
 * <ol>
 * <li>Uncached lookup of the fingerprint's RRs. An active one: count the occurrence on it (group commit, version
 * guarded); duplicates never touch a Lease.</li>
 * <li>None: in-process exclusion per fingerprint, then the Lease (ADR-052 backoff, re-checking for an RR between
 * attempts), then a re-check under the lock, then a create whose name is derived from the fingerprint and the RR
 * it supersedes, so a second creator for the same gap, however late, gets 409 and counts as a duplicate.</li>
 * <li>The Lease is released after the answer, off the critical path.</li>
 * </ol>
 */
public final class DeduplicatingSignalRecorder implements SignalRecorder, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(DeduplicatingSignalRecorder.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Rounds of "it changed under us" (fenced create, RR turned terminal) before giving up. */
    private static final int MAX_ROUNDS = 8;

    private final RecorderSettings settings;
    private final RemediationRequestApi rrs;
    private final LeaseLockManager locks;
    private final ApiCalls api;
    private final Retrier lockRetrier;
    private final Retrier statusRetrier;
    private final DedupMetrics metrics;
    private final OccurrenceBatcher batcher;
    private final Clock clock;
    private final LongSupplier nanoClock;
    private final ExecutorService releaser;

    public DeduplicatingSignalRecorder(RecorderSettings settings, KubernetesClient client, MeterRegistry registry) {
        this(settings, client, new Fabric8LeaseApi(client, settings.namespace()), registry, Clock.systemUTC(),
                System::nanoTime, releaseExecutor(settings.podName()));
    }

    /**
     * @param releaser runs Lease releases after the answer (off the critical path); closed by {@link #close()}
     */
    DeduplicatingSignalRecorder(RecorderSettings settings, KubernetesClient client, LeaseApi leaseApi,
            MeterRegistry registry, Clock clock, LongSupplier nanoClock, ExecutorService releaser) {
        this.settings = settings;
        this.rrs = new RemediationRequestApi(client, settings.namespace(), settings.lookup());
        this.clock = clock;
        this.nanoClock = nanoClock;
        this.locks = new LeaseLockManager(LockConfig.gateway(settings.namespace(), settings.podName(),
                settings.leaseDuration()), leaseApi, clock, new LockMetrics(registry, "gateway"));
        this.api = new ApiCalls(settings.apiMaxAttempts(), settings.apiRetryAfter());
        this.lockRetrier = Retrier.builder(settings.lockPolicy()).build();
        this.statusRetrier = Retrier.builder(settings.statusPolicy()).build();
        this.metrics = new DedupMetrics(registry);
        this.batcher = new OccurrenceBatcher(this::writeOccurrences);
        this.releaser = releaser;
    }

    private static ExecutorService releaseExecutor(String podName) {
        AtomicInteger n = new AtomicInteger();
        return Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "gw-lease-release-" + podName + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    public RecorderSettings settings() {
        return settings;
    }

    public LeaseLockManager locks() {
        return locks;
    }

    @Override
    public Recorded record(Signal signal) {
        String fp = signal.fingerprint();
        if (!DedupRules.isValidFingerprint(fp)) {
            throw new IllegalArgumentException("fingerprint must be 64 lowercase hex chars: " + fp);
        }
        Deadline deadline = Deadline.after(settings.kubernetesDeadline(), nanoClock);
        Object previous = MDC.get("fingerprint");
        MDC.put("fingerprint", fp);
        try {
            for (int round = 1; round <= MAX_ROUNDS; round++) {
                DedupRules.View view = lookup(fp, deadline);
                if (view.hasActive()) {
                    Optional<Recorded> dup = countOn(view.active(), signal, deadline);
                    if (dup.isPresent()) {
                        return dup.get();
                    }
                    continue; // it turned terminal or vanished: the signal is new
                }
                Step step = createUnderLock(signal, deadline);
                if (step instanceof Step.Done done) {
                    return done.recorded();
                }
                if (step instanceof Step.DuplicateOf d) {
                    Optional<Recorded> dup = countOn(d.rr(), signal, deadline);
                    if (dup.isPresent()) {
                        return dup.get();
                    }
                }
            }
            throw new RecordingFailure(RecordingFailure.Reason.API_ERROR, "the RemediationRequests of fingerprint "
                    + fp + " kept changing during " + MAX_ROUNDS + " rounds", api.retryAfter(), null);
        } finally {
            if (previous == null) {
                MDC.remove("fingerprint");
            } else {
                MDC.put("fingerprint", previous);
            }
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

    private DedupRules.View lookup(String fp, Deadline deadline) {
        List<RemediationRequest> listed = api.call("listing RemediationRequests", deadline,
                () -> rrs.listByFingerprint(fp));
        DedupRules.View view = DedupRules.view(fp, listed);
        if (view.activeCount() > 1) {
            LOG.warnf("fingerprint=%s has %d active RemediationRequests; counting on the oldest rr=%s", fp,
                    view.activeCount(), view.active().getMetadata().getName());
        }
        return view;
    }

    private Optional<Recorded> countOn(RemediationRequest rr, Signal signal, Deadline deadline) {
        Result r = batcher.add(rr, signal.receivedTime(), deadline);
        if (r instanceof Result.Stored s) {
            metrics.deduplicated();
            LOG.debugf("duplicate fingerprint=%s rr=%s occurrenceCount=%d", signal.fingerprint(), s.rrName(),
                    s.count());
            return Optional.of(new Recorded(Recorded.Outcome.DUPLICATE, s.rrName(), settings.namespace(), s.count(),
                    s.firstSeenAt(), s.lastSeenAt()));
        }
        LOG.debugf("fingerprint=%s rr=%s is no longer active: handling the signal as new", signal.fingerprint(),
                rr.getMetadata().getName());
        return Optional.empty();
    }

    private Step createUnderLock(Signal signal, Deadline deadline) {
        String fp = signal.fingerprint();
        Duration wait = min(settings.localWait(), deadline.remaining());
        Optional<LockSession> opened;
        try {
            opened = locks.open(fp, wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RecordingFailure(RecordingFailure.Reason.API_ERROR, "interrupted", null, e);
        }
        if (opened.isEmpty()) {
            if (deadline.expired()) {
                throw deadline.passed("waiting for another request on the same fingerprint");
            }
            throw new RecordingFailure(RecordingFailure.Reason.LOCK_TIMEOUT, "fingerprint " + fp
                    + " stayed locked by other requests of this replica for " + wait.toMillis() + " ms",
                    settings.lockRetryAfter(), null);
        }
        try (LockSession session = opened.get()) {
            if (session.waitedForLocalHolder()) {
                // whoever held it here probably created the RR: a duplicate, no Lease call
                DedupRules.View view = lookup(fp, deadline);
                if (view.hasActive()) {
                    return new Step.DuplicateOf(view.active());
                }
            }
            if (settings.lockEnabled()) {
                Optional<RemediationRequest> appeared = acquireLease(session, signal, deadline);
                if (appeared.isPresent()) {
                    return new Step.DuplicateOf(appeared.get());
                }
            }
            DedupRules.View view = lookup(fp, deadline); // re-check under the lock
            Step step = view.hasActive() ? new Step.DuplicateOf(view.active())
                    : create(signal, view.predecessor(), deadline);
            // answered (created, duplicate, or fenced): release after the answer. On an exception the session's
            // close() releases synchronously instead, so a failed request leaves no Lease behind.
            release(session.detachLeaseRelease());
            return step;
        }
    }

    /** @return an RR that appeared while we waited (then we hold no Lease), or empty when we hold it */
    private Optional<RemediationRequest> acquireLease(LockSession session, Signal signal, Deadline deadline) {
        String fp = signal.fingerprint();
        deadline.check("acquiring the lock");
        RetryResult<Optional<RemediationRequest>> r;
        try {
            r = lockRetrier.run(deadline.remaining(), attempt -> {
                if (attempt > 1) {
                    DedupRules.View view = lookup(fp, deadline);
                    if (view.hasActive()) {
                        return Outcome.success(Optional.of(view.active()));
                    }
                }
                LeaseAttempt a = session.tryAcquireLease();
                if (a instanceof LeaseAttempt.Contended c) {
                    return Outcome.retry(c.describe());
                }
                return Outcome.success(Optional.empty());
            });
        } catch (RecordingFailure f) {
            throw f;
        } catch (LeaseApiException e) {
            session.failed(LockMetrics.FailureReason.API_ERROR);
            throw new RecordingFailure(RecordingFailure.Reason.API_ERROR, e.getMessage(),
                    e.transientFault() ? settings.apiRetryAfter() : null, e);
        } catch (RuntimeException e) {
            session.failed(LockMetrics.FailureReason.API_ERROR);
            throw new RecordingFailure(RecordingFailure.Reason.API_ERROR, "lock acquisition failed: " + e, null, e);
        }
        switch (r.status()) {
            case SUCCEEDED:
                return r.value();
            case ATTEMPTS_EXHAUSTED:
                session.failed(LockMetrics.FailureReason.TIMEOUT);
                LOG.warnf("lock acquisition timeout after %d attempts fingerprint=%s lease=%s (%s)", r.attempts(), fp,
                        session.leaseName(), r.lastRetryReason());
                throw new RecordingFailure(RecordingFailure.Reason.LOCK_TIMEOUT, "lock acquisition timeout after "
                        + r.attempts() + " attempts (fingerprint: " + fp + ")", settings.lockRetryAfter(), null);
            case TIME_LIMIT_REACHED:
                session.failed(LockMetrics.FailureReason.DEADLINE);
                throw deadline.passed("acquiring the lock (" + r.lastRetryReason() + ")");
            default: // INTERRUPTED
                session.failed(LockMetrics.FailureReason.INTERRUPTED);
                throw new RecordingFailure(RecordingFailure.Reason.API_ERROR, "interrupted while acquiring the lock",
                        null, null);
        }
    }

    private Step create(Signal signal, String predecessor, Deadline deadline) {
        String fp = signal.fingerprint();
        String name = DedupRules.rrName(fp, predecessor);
        String token = LeaseLockManager.randomToken();
        RemediationRequest rr = RemediationRequestFactory.build(signal, settings.namespace(), name, predecessor,
                token);
        boolean[] unanswered = {false};
        Created created;
        try {
            created = api.call("creating RemediationRequest " + name, deadline, () -> {
                try {
                    return rrs.create(rr);
                } catch (KubernetesClientException e) {
                    if (ApiCalls.transientFault(e)) {
                        unanswered[0] = true; // it may have been created: a later 409 may be our own
                    }
                    throw e;
                }
            });
        } catch (RecordingFailure f) {
            metrics.creationError(f.getCause() instanceof KubernetesClientException k
                    ? DedupMetrics.errorType(k.getCode()) : "timeout");
            throw f;
        }
        if (created instanceof Created.Exists) {
            if (unanswered[0]) {
                RemediationRequest existing = api.call("reading RemediationRequest " + name, deadline,
                        () -> rrs.get(name));
                if (existing != null && existing.getMetadata().getAnnotations() != null && token.equals(
                        existing.getMetadata().getAnnotations().get(DedupRules.CREATION_TOKEN_ANNOTATION))) {
                    return createdAnswer(existing, signal, deadline);
                }
            }
            metrics.creationError("already_exists");
            LOG.infof("fenced: rr=%s already exists for fingerprint=%s (predecessor %s); re-checking as duplicate",
                    name, fp, predecessor);
            return new Step.Again();
        }
        return createdAnswer(((Created.Done) created).rr(), signal, deadline);
    }

    private Step createdAnswer(RemediationRequest created, Signal signal, Deadline deadline) {
        metrics.created();
        String name = created.getMetadata().getName();
        LOG.infof("created rr=%s fingerprint=%s signal=%s supersedes=%s", name, signal.fingerprint(),
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
     * cannot be written the RR still stands for this occurrence (a missing deduplication counts as 1).
     */
    private DedupRules.Counted writeInitialStatus(RemediationRequest created, Signal signal, Deadline deadline) {
        String name = created.getMetadata().getName();
        RemediationRequest[] current = {created};
        try {
            RetryResult<DedupRules.Counted> r = statusRetrier.run(statusTimeLimit(deadline), attempt -> {
                if (current[0] == null) {
                    current[0] = api.call("reading RemediationRequest " + name, deadline, () -> rrs.get(name));
                    if (current[0] == null) {
                        return Outcome.success(DedupRules.initial(created, signal.receivedTime()));
                    }
                }
                RemediationRequest cur = current[0];
                DedupRules.Counted c = DedupRules.initial(cur, signal.receivedTime());
                boolean setPhase = cur.getStatus() == null || cur.getStatus().getOverallPhase() == null;
                StatusWrite w = writeStatus(cur, c, setPhase, deadline);
                if (w instanceof StatusWrite.Conflict) {
                    current[0] = null;
                    return Outcome.retry("status of " + name + " changed");
                }
                return Outcome.success(c);
            });
            if (r.status() == RetryResult.Status.SUCCEEDED) {
                return r.value();
            }
            LOG.errorf("could not write the initial status of rr=%s fingerprint=%s (%s, %s); it counts as 1",
                    name, signal.fingerprint(), r.status(), r.lastRetryReason());
        } catch (RecordingFailure f) {
            LOG.errorf("could not write the initial status of rr=%s fingerprint=%s: %s; it counts as 1", name,
                    signal.fingerprint(), f.getMessage());
        }
        return DedupRules.initial(created, signal.receivedTime());
    }

    /** The batch writer of the {@link OccurrenceBatcher}: one version-guarded status write for n occurrences. */
    private OccurrenceBatcher.Written writeOccurrences(String name, RemediationRequest known, List<Instant> seen,
            Deadline deadline) {
        Instant first = seen.stream().min(Instant::compareTo).orElseThrow();
        Instant last = seen.stream().max(Instant::compareTo).orElseThrow();
        RemediationRequest[] current = {known};
        RetryResult<OccurrenceBatcher.Written> r;
        try {
            r = statusRetrier.run(statusTimeLimit(deadline), attempt -> {
                if (current[0] == null) {
                    current[0] = api.call("reading RemediationRequest " + name, deadline, () -> rrs.get(name));
                }
                RemediationRequest cur = current[0];
                if (cur == null || DedupRules.isTerminal(cur)) {
                    return Outcome.success(null);
                }
                DedupRules.Counted c = DedupRules.increment(cur, seen.size(), first, last);
                StatusWrite w = writeStatus(cur, c, false, deadline);
                if (w instanceof StatusWrite.Written written) {
                    return Outcome.success(new OccurrenceBatcher.Written(c, written.rr()));
                }
                if (w instanceof StatusWrite.Gone) {
                    return Outcome.success(null);
                }
                current[0] = null;
                return Outcome.retry("status of " + name + " changed");
            });
        } catch (RecordingFailure f) {
            throw f;
        } catch (RuntimeException e) {
            throw api.apiError("storing occurrences on " + name, e);
        }
        switch (r.status()) {
            case SUCCEEDED:
                return r.value();
            case TIME_LIMIT_REACHED:
                throw deadline.passed("storing " + seen.size() + " occurrence(s) on " + name);
            case ATTEMPTS_EXHAUSTED:
                throw new RecordingFailure(RecordingFailure.Reason.API_ERROR, "status of " + name
                        + " kept changing (" + r.attempts() + " conflicts)", settings.apiRetryAfter(), null);
            default: // INTERRUPTED
                throw new RecordingFailure(RecordingFailure.Reason.API_ERROR,
                        "interrupted while storing occurrences on " + name, null, null);
        }
    }

    /**
     * One version-guarded status write. A fault without an answer is ambiguous (it may have been applied):
     * re-read; if the RR is still at the version we wrote against, it was not applied and is retried as a
     * conflict; otherwise we cannot tell, and fail rather than risk counting twice.
     */
    private StatusWrite writeStatus(RemediationRequest cur, DedupRules.Counted c, boolean setPhase,
            Deadline deadline) {
        String name = cur.getMetadata().getName();
        String patch = statusPatch(cur.getMetadata().getResourceVersion(), c,
                setPhase ? clock.instant() : null);
        deadline.check("writing the status of " + name);
        try {
            StatusWrite w = rrs.patchStatus(cur, patch);
            metrics.statusWrite(w instanceof StatusWrite.Conflict ? "conflict" : "stored");
            return w;
        } catch (KubernetesClientException e) {
            metrics.statusWrite("error");
            if (!ApiCalls.transientFault(e)) {
                throw api.apiError("writing the status of " + name, e);
            }
            RemediationRequest now = api.call("reading RemediationRequest " + name, deadline, () -> rrs.get(name));
            if (now != null && cur.getMetadata().getResourceVersion().equals(now.getMetadata().getResourceVersion())) {
                return new StatusWrite.Conflict(); // not applied: retry from a fresh read
            }
            throw new RecordingFailure(RecordingFailure.Reason.API_ERROR, "status write of " + name
                    + " got no answer and the RR changed meanwhile: cannot tell whether it was stored",
                    settings.apiRetryAfter(), e);
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

    private static Duration statusTimeLimit(Deadline deadline) {
        Duration left = deadline.remaining();
        if (left.isZero()) {
            throw deadline.passed("writing status");
        }
        return left;
    }

    private void release(Runnable releaseLease) {
        try {
            releaser.execute(releaseLease);
        } catch (RejectedExecutionException shuttingDown) {
            releaseLease.run();
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** Finishes pending Lease releases (bounded), so a clean shutdown leaves no Lease behind. */
    @Override
    public void close() {
        releaser.shutdown();
        try {
            if (!releaser.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("lease releases still pending at shutdown; those Leases expire by themselves");
                releaser.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            releaser.shutdownNow();
        }
    }
}
