package ai.kubernaut.gateway.dedup;

import ai.kubernaut.gateway.model.RemediationRequest;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Group commit of duplicate occurrences inside one replica: concurrent duplicates of the same RR queue up, and
 * one status write carries all those queued while the previous write was in flight. Each caller returns only
 * after the write that carries its occurrence succeeded, with its own position in the count.
 *
 * <p>No extra threads: the first caller of an idle RR writes (the leader); callers arriving meanwhile wait; when
 * a write ends the leader answers its batch and hands the next batch to the first waiter, so nobody writes for
 * others longer than one write. The write is bounded by the writing thread's own deadline, and a waiter whose
 * deadline passes leaves at once: no caller is answered past its deadline. A caller that leaves while its
 * occurrence is in a write is answered 504 although the write may still store it (the documented semantics: a
 * 5xx occurrence may or may not have been counted; a 202 one always was).
 */
final class OccurrenceBatcher {

    /** What one caller gets. */
    sealed interface Result permits Result.Stored, Result.NotActive {
        /** Stored: the RR's count including this occurrence, and the RR's first/last seen after the write. */
        record Stored(String rrName, long count, Instant firstSeenAt, Instant lastSeenAt) implements Result {
        }

        /**
         * The RR is terminal or gone: nothing stored, handle the signal as new.
         *
         * @param latest the RR as last read (terminal), null when it is gone
         */
        record NotActive(RemediationRequest latest) implements Result {
        }
    }

    /** Stores several occurrences on one RR with one status write. */
    interface BatchWriter {
        /**
         * @param knownCopy the freshest copy this replica has (may be stale: the write is version-guarded)
         * @return what was written, or that the RR is no longer active
         * @throws RuntimeException when it could not be stored (it may or may not have been, see RecordingFailure)
         */
        Batch write(String rrName, RemediationRequest knownCopy, List<Instant> occurrences, Deadline deadline);
    }

    /** What one batch write did. */
    sealed interface Batch permits Written, Inactive {
    }

    /** A successful batch write: the counts and the RR as written (the next batch's known copy). */
    record Written(DedupRules.Counted counted, RemediationRequest rr) implements Batch {
    }

    /** Nothing written: the RR is terminal ({@code latest}) or gone (null). */
    record Inactive(RemediationRequest latest) implements Batch {
    }

    private static final class Waiter {
        final Instant seenAt;
        final Deadline deadline;
        final CompletableFuture<Void> turn = new CompletableFuture<>();
        final CompletableFuture<Result> done = new CompletableFuture<>();

        Waiter(Instant seenAt, Deadline deadline) {
            this.seenAt = seenAt;
            this.deadline = deadline;
        }
    }

    private static final class Lane {
        final String rrName;
        final ArrayDeque<Waiter> queue = new ArrayDeque<>();
        boolean writing;
        RemediationRequest latest;

        Lane(String rrName) {
            this.rrName = rrName;
        }
    }

    private final BatchWriter writer;
    private final Object lock = new Object();
    private final Map<String, Lane> lanes = new HashMap<>();

    OccurrenceBatcher(BatchWriter writer) {
        this.writer = writer;
    }

    /** RRs with occurrences queued or being written right now. */
    int busyLanes() {
        synchronized (lock) {
            return lanes.size();
        }
    }

    /** Occurrences waiting for a write right now. */
    int queued() {
        synchronized (lock) {
            return lanes.values().stream().mapToInt(l -> l.queue.size()).sum();
        }
    }

    Result add(RemediationRequest rr, Instant seenAt, Deadline deadline) {
        String name = rr.getMetadata().getName();
        Waiter me = new Waiter(seenAt, deadline);
        Lane lane;
        boolean lead;
        synchronized (lock) {
            lane = lanes.computeIfAbsent(name, Lane::new);
            if (lane.latest == null) {
                lane.latest = rr;
            }
            lane.queue.add(me);
            lead = !lane.writing;
            if (lead) {
                lane.writing = true;
            }
        }
        if (!lead) {
            lead = awaitTurn(lane, me);
        }
        if (lead) {
            writeBatch(lane, me.deadline);
        }
        return result(me);
    }

    /** @return true when this waiter must write the next batch, false when its occurrence was answered */
    private boolean awaitTurn(Lane lane, Waiter me) {
        CompletableFuture<Object> either = CompletableFuture.anyOf(me.turn, me.done);
        try {
            either.get(Math.max(1, me.deadline.remaining().toNanos()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            return false; // done completed exceptionally: result() rethrows it
        } catch (TimeoutException | InterruptedException e) {
            boolean handOn;
            synchronized (lock) {
                if (me.done.isDone()) {
                    return false; // answered just now
                }
                boolean queued = lane.queue.remove(me);
                // given the turn just now: pass it on rather than write with no time left
                handOn = me.turn.isDone() && queued;
            }
            if (handOn) {
                handOn(lane);
            }
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                throw new RecordingFailure(RecordingFailure.Reason.API_UNAVAILABLE,
                        "interrupted while waiting to store a duplicate occurrence", null, e);
            }
            // still queued: nothing stored; in a write already: it may still be stored (a 5xx may have counted)
            throw me.deadline.passed("waiting to store a duplicate occurrence on " + lane.rrName);
        }
        return !me.done.isDone();
    }

    private void writeBatch(Lane lane, Deadline deadline) {
        List<Waiter> batch;
        RemediationRequest known;
        synchronized (lock) {
            batch = new ArrayList<>(lane.queue);
            lane.queue.clear();
            known = lane.latest;
        }
        try {
            // the writing thread answers after the write: its own deadline bounds it
            Batch outcome = writer.write(lane.rrName, known, batch.stream().map(w -> w.seenAt).toList(), deadline);
            if (outcome instanceof Inactive inactive) {
                setLatest(lane, null);
                batch.forEach(w -> w.done.complete(new Result.NotActive(inactive.latest())));
            } else {
                Written written = (Written) outcome;
                setLatest(lane, written.rr());
                DedupRules.Counted c = written.counted();
                for (int i = 0; i < batch.size(); i++) {
                    batch.get(i).done.complete(new Result.Stored(lane.rrName, c.before() + i + 1, c.firstSeenAt(),
                            c.lastSeenAt()));
                }
            }
        } catch (RuntimeException | Error e) {
            setLatest(lane, null);
            batch.forEach(w -> w.done.completeExceptionally(e));
        } finally {
            handOn(lane);
        }
    }

    /** Gives the next batch to the first waiter, or frees the lane. */
    private void handOn(Lane lane) {
        synchronized (lock) {
            if (lane.queue.isEmpty()) {
                lane.writing = false;
                lanes.remove(lane.rrName);
            } else {
                lane.queue.peek().turn.complete(null);
            }
        }
    }

    private void setLatest(Lane lane, RemediationRequest rr) {
        synchronized (lock) {
            lane.latest = rr;
        }
    }

    private static Result result(Waiter me) {
        try {
            return me.done.join();
        } catch (java.util.concurrent.CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RecordingFailure f) {
                // a copy per caller: the stack trace shows this caller's path
                throw new RecordingFailure(f.reason(), f.getMessage(), f.retryAfter(), f);
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw (RuntimeException) cause; // the recorder classifies it
        }
    }
}
