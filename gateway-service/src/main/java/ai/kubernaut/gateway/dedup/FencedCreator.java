package ai.kubernaut.gateway.dedup;

import ai.kubernaut.backoff.Outcome;
import ai.kubernaut.backoff.Retrier;
import ai.kubernaut.backoff.RetryResult;
import ai.kubernaut.gateway.dedup.RemediationRequestApi.Created;
import ai.kubernaut.gateway.lock.LeaseAttempt;
import ai.kubernaut.gateway.lock.LeaseLockManager;
import ai.kubernaut.gateway.lock.LockMetrics;
import ai.kubernaut.gateway.lock.LockSession;
import ai.kubernaut.gateway.model.RemediationRequest;
import ai.kubernaut.gateway.signal.Signal;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * A new RR, on the fingerprint's chain (ADR-052-002 sections 2 and 3): the in-process exclusion per fingerprint,
 * the Lease (ADR-052 backoff, waiting on the view between attempts), then the create under the fenced name
 * {@code rr-<fp[0:12]>-<8 hex of sha256(fp|predecessor)>}. The create is the re-check: a 409 means what we knew was
 * behind; GET that name and count on it (active) or continue the chain from it (terminal). The Lease is released
 * after the answer, off the critical path.
 */
final class FencedCreator {

    private static final Logger LOG = Logger.getLogger(FencedCreator.class);

    /** What an attempt to create led to. */
    sealed interface Step permits Step.Done, Step.DuplicateOf, Step.Again {
        /** This request created the RR (201). */
        record Done(Recorded recorded) implements Step {
        }

        /** An active RR exists: count the signal on it. */
        record DuplicateOf(RemediationRequest rr) implements Step {
        }

        /** The chain kept moving: decide again. */
        record Again() implements Step {
        }
    }

    private final RecorderContext context;
    private final RecorderSettings settings;
    private final LeaseLockManager locks;
    private final OccurrenceWriter occurrences;
    private final Executor afterAnswer;
    private final Clock clock;
    private final LongSupplier nanoClock;

    /**
     * @param afterAnswer runs the Lease releases (owned by the caller)
     * @param clock       compared with a holder's Lease expiry
     * @param nanoClock   measures the waits between Lease attempts
     */
    FencedCreator(RecorderContext context, LeaseLockManager locks, OccurrenceWriter occurrences,
            Executor afterAnswer, Clock clock, LongSupplier nanoClock) {
        this.context = context;
        this.settings = context.settings();
        this.locks = locks;
        this.occurrences = occurrences;
        this.afterAnswer = afterAnswer;
        this.clock = clock;
        this.nanoClock = nanoClock;
    }

    /** Creates the fingerprint's next RR unless one turns out to be active. */
    Step create(Signal signal, Deadline deadline, KnownRrs known) {
        String fp = signal.fingerprint();
        Duration wait = deadline.cap(settings.localWait());
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

    /**
     * The Lease, retrying contention on the ADR-052 schedule; between two attempts the wait is on the view, not the
     * clock ({@link #awaitRrBetweenAttempts}): an RR that appears ends it at once, and makes this request a duplicate
     * without the Lease.
     *
     * @return an RR that appeared in the view while we waited (then we hold no Lease), or empty when we hold it
     */
    private Optional<RemediationRequest> acquireLease(LockSession session, Deadline deadline, KnownRrs known) {
        String fp = session.key();
        Duration limit = deadline.forCall("acquiring the lock");
        Contention contention = new Contention();
        // contention is the only thing retried here: a Lease API error propagates (not contention)
        Retrier leaseContention = Retrier.builder(settings.lockPolicy()).nanoClock(nanoClock)
                .sleeper(step -> awaitRrBetweenAttempts(known, step, contention, deadline)).build();
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
                        contention.last = c;
                        LOG.debugf("lease attempt %d for fingerprint=%s: %s", attempt, fp, c.describe());
                        return Outcome.retry(c.describe());
                    }
                    LOG.debugf("lease attempt %d for fingerprint=%s: acquired", attempt, fp);
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

    /** What the last contended attempt found, and which holder this request has already waited out once. */
    private static final class Contention {
        LeaseAttempt.Contended last;
        String waitedOut;
    }

    /**
     * The wait between two contended Lease attempts: on the view, woken as soon as an RR of the fingerprint arrives
     * in it (then the next attempt finds it active and stops). It lasts the backoff {@code step}, except the first
     * time a holder is met (one whose Lease is live, or one that released it between our CREATE and our GET): the
     * holder is creating the RR or has just created it, and the RR reaches our view with the watch's lag (hundreds
     * of ms on a real API server under load, more than the first steps of 100, 200, 400 ms); every attempt meanwhile
     * is a Lease CREATE (409) and GET for nothing, or worse, a Lease of our own for a create that only finds the RR
     * (409). Then it lasts up to {@code holderWait}, but no longer than the holder's Lease (expired, it can be taken
     * over) nor the deadline. A holder that failed without creating costs the others at most that wait once; a
     * holder still there after it gets the plain schedule, so 10 contended attempts end in LOCK_TIMEOUT before the
     * deadline as before.
     */
    private void awaitRrBetweenAttempts(KnownRrs known, Duration step, Contention contention, Deadline deadline)
            throws InterruptedException {
        Duration bound = step;
        LeaseAttempt.Contended c = contention.last;
        String holder = c == null ? null : c.holder() == null ? "(released)" : c.holder();
        if (holder != null && !holder.equals(contention.waitedOut)) {
            Duration stretched = settings.holderWait();
            if (c.expiresAt() != null) {
                Duration leaseLeft = Duration.between(clock.instant(), c.expiresAt());
                stretched = leaseLeft.compareTo(stretched) < 0 ? leaseLeft : stretched;
            }
            if (stretched.compareTo(step) > 0) {
                contention.waitedOut = holder;
                bound = stretched;
            }
        }
        Duration wait = deadline.cap(bound);
        long start = nanoClock.getAsLong();
        long end = start + wait.toNanos();
        while (true) {
            try (ViewArrivals.Waiter arrival = known.expectArrival()) {
                if (known.decide().hasActive()) {
                    LOG.debugf("lease contended (%s): its RR reached the view after %d of up to %d ms",
                            c == null ? "?" : c.describe(), (nanoClock.getAsLong() - start) / 1_000_000,
                            wait.toMillis());
                    return;
                }
                long left = end - nanoClock.getAsLong();
                if (left <= 0 || !arrival.await(Duration.ofNanos(left))) {
                    // nothing arrived: the next attempt goes to the Lease
                    LOG.debugf("lease contended (%s): no RR in the view after %d ms, trying the lease again",
                            c == null ? "?" : c.describe(), wait.toMillis());
                    return;
                }
            }
            // an RR of the fingerprint arrived: active (look again above) or not (a terminal one: wait on)
        }
    }

    /**
     * The fenced create, walking the name chain: a 409 means the view was behind. GET that name (a single-key read):
     * active -> count on it; terminal -> the next name of the chain; gone meanwhile -> the same name again.
     */
    private Step createOnChain(Signal signal, String predecessor, Deadline deadline, KnownRrs known) {
        String fp = signal.fingerprint();
        String pred = predecessor;
        for (int link = 1; link <= DeduplicatingSignalRecorder.MAX_ROUNDS; link++) {
            String name = DedupRules.rrName(fp, pred);
            MDC.put("rr", name); // the recorder removes it when the signal is recorded
            String token = RemediationRequestFactory.creationToken();
            RemediationRequest fresh = RemediationRequestFactory.build(signal, settings.namespace(), name, pred, token);
            Created created;
            try {
                created = context.api().call("creating RemediationRequest " + name, deadline,
                        t -> context.rrs().create(fresh, t));
            } catch (RuntimeException e) {
                context.metrics().creationError(e instanceof KubernetesClientException k
                        ? DedupMetrics.errorType(k.getCode()) : "timeout");
                throw e;
            }
            if (created instanceof Created.Done done) {
                return createdAnswer(done.rr(), signal, deadline);
            }
            // a retried create whose first attempt got no answer may have been ours: the token tells
            RemediationRequest existing = context.read(name, deadline);
            if (existing == null) {
                continue; // deleted between our create and our read: the name is free again
            }
            Map<String, String> ann = existing.getMetadata().getAnnotations();
            if (ann != null && token.equals(ann.get(DedupRules.CREATION_TOKEN_ANNOTATION))) {
                return createdAnswer(existing, signal, deadline);
            }
            context.metrics().creationError("already_exists");
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
        context.metrics().created();
        context.recent().remember(created);
        String name = created.getMetadata().getName();
        // DEBUG: ingest logs each created RR once at INFO, with the signal's resource
        LOG.debugf("created rr=%s fingerprint=%s signal=%s supersedes=%s", name, signal.fingerprint(),
                signal.signalName(), created.getMetadata().getAnnotations() == null ? null
                        : created.getMetadata().getAnnotations().get(DedupRules.SUPERSEDES_ANNOTATION));
        DedupRules.Counted counted = occurrences.writeInitialStatus(created, signal.receivedTime(), deadline);
        // the creator's occurrence is the first of the RR, even if duplicates were stored before its status write:
        // every answer carries its own position, so the answers for one RR are exactly 1..occurrenceCount
        return new Step.Done(new Recorded(Recorded.Outcome.CREATED, name, settings.namespace(), 1,
                counted.firstSeenAt(), counted.lastSeenAt()));
    }

    private void release(Runnable releaseLease) {
        try {
            afterAnswer.execute(releaseLease);
        } catch (RejectedExecutionException shuttingDown) {
            releaseLease.run();
        }
    }
}
