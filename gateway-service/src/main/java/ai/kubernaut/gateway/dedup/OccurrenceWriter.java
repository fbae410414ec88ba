package ai.kubernaut.gateway.dedup;

import ai.kubernaut.backoff.BackoffPolicy;
import ai.kubernaut.gateway.dedup.RemediationRequestApi.StatusWrite;
import ai.kubernaut.gateway.kube.ApiFaults;
import ai.kubernaut.gateway.model.RemediationRequest;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;

/**
 * Counting occurrences without losing one (ADR-052-002 section 4): every write of {@code status.deduplication}.
 *
 * <ul>
 * <li>Duplicates: group-committed by the {@link OccurrenceBatcher}, one version-guarded status patch per batch;
 * 409 -> re-read, recompute, retry within the deadline; a terminal or deleted RR takes no occurrence.</li>
 * <li>The creator's initial status: Pending and the first occurrence, merged so it never lowers a count duplicates
 * already raised; if it cannot be written before the answer it is repaired after it, in the background, until it
 * lands or a later write supersedes it.</li>
 * <li>A write that got no answer is ambiguous: re-read; unchanged -> not applied, write again; changed -> 503
 * (the occurrence may or may not have been counted, never under-counted).</li>
 * </ul>
 */
final class OccurrenceWriter {

    private static final Logger LOG = Logger.getLogger(OccurrenceWriter.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Background attempts at an initial status write that failed on the request path, and their budget each. */
    static final int STATUS_REPAIR_ATTEMPTS = 20;
    static final Duration STATUS_REPAIR_CALL_BUDGET = Duration.ofSeconds(10);
    static final BackoffPolicy STATUS_REPAIR_BACKOFF = BackoffPolicy.builder().baseDelay(Duration.ofMillis(500))
            .maxDelay(Duration.ofSeconds(30)).jitter(0.1).build();

    private final RecorderContext context;
    private final RecorderSettings settings;
    private final DedupMetrics metrics;
    private final RecentWrites recent;
    private final Clock clock;
    private final LongSupplier nanoClock;
    private final ScheduledExecutorService background;
    private final OccurrenceBatcher batcher;

    /** @param background runs the initial status repairs after the answer (owned by the caller) */
    OccurrenceWriter(RecorderContext context, Clock clock, LongSupplier nanoClock,
            ScheduledExecutorService background) {
        this.context = context;
        this.settings = context.settings();
        this.metrics = context.metrics();
        this.recent = context.recent();
        this.clock = clock;
        this.nanoClock = nanoClock;
        this.background = background;
        this.batcher = new OccurrenceBatcher(this::writeOccurrences);
    }

    /** Counts one duplicate occurrence on {@code rr}, group-committed with the others queued on it meanwhile. */
    OccurrenceBatcher.Result countDuplicate(RemediationRequest rr, Instant seenAt, Deadline deadline) {
        return batcher.add(rr, seenAt, deadline);
    }

    /**
     * Status is dropped on create by a real server: write Pending and the first occurrence through /status,
     * merged with what duplicates of other replicas may have written since (never lowering their count). If it
     * cannot be written now the RR still stands for this occurrence (201); the write goes on in the background.
     */
    DedupRules.Counted writeInitialStatus(RemediationRequest created, Instant receivedAt, Deadline deadline) {
        String name = created.getMetadata().getName();
        try {
            Optional<DedupRules.Counted> written = writeInitial(name, created, receivedAt, deadline);
            if (written.isPresent()) {
                return written.get();
            }
        } catch (RuntimeException e) {
            LOG.warnf("initial status of rr=%s not written yet (%s); retrying after the answer", name,
                    e.getMessage());
            scheduleStatusRepair(name, receivedAt, 1);
        }
        return DedupRules.initial(created, receivedAt);
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
                cur = context.read(name, deadline);
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
            RemediationRequest cur = context.read(name, deadline);
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
                cur = context.read(name, deadline);
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
        Duration d = deadline.cap(settings.statusPolicy().delay(attempt, ThreadLocalRandom.current()));
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
            StatusWrite w = context.rrs().patchStatus(cur, patch,
                    deadline.forCall("writing the status of " + name));
            metrics.statusWrite(w instanceof StatusWrite.Conflict ? "conflict" : "stored");
            return w;
        } catch (KubernetesClientException e) {
            metrics.statusWrite("error");
            if (!ApiFaults.isTransient(e)) {
                throw e;
            }
            RemediationRequest now = context.read(name, deadline);
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
}
