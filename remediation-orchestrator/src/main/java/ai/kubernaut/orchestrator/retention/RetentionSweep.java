package ai.kubernaut.orchestrator.retention;

import ai.kubernaut.orchestrator.workflow.WorkflowExecutions;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * One replica's retention sweep over the shards it owns (ADR-052-002/-003, "Retention"): finds candidates by paged
 * LISTs ({@code kubernaut.ai/terminal=true} and the owned shards; the other RRs and the WFEs of those shards as
 * context), labels terminal RRs that lack the label, and deletes what {@link RetentionPlan} allows, paced and
 * bounded per sweep, each DELETE carrying uid and resourceVersion preconditions. Runs on the caller's thread (the
 * retention thread); holds a target Lease only around the delete of that target's newest WFE.
 */
public final class RetentionSweep {

    private static final Logger LOG = Logger.getLogger(RetentionSweep.class);
    static final String RR = "RemediationRequest";
    static final String WFE = "WorkflowExecution";

    private final RetentionApi api;
    private final Supplier<SortedSet<String>> ownedShards;
    private final TargetLocks locks;
    private final RetentionSettings settings;
    private final Clock clock;
    private final Pacer pacer;
    private final RetentionObserver observer;

    /** What one sweep did. */
    public record Result(int labelled, int deleted, int changed, boolean bounded) {
    }

    public RetentionSweep(RetentionApi api, Supplier<SortedSet<String>> ownedShards, TargetLocks locks,
            RetentionSettings settings, Clock clock, Pacer.Sleeper sleeper, RetentionObserver observer) {
        this.api = api;
        this.ownedShards = ownedShards;
        this.locks = locks;
        this.settings = settings;
        this.clock = clock;
        this.pacer = new Pacer(clock, sleeper, settings.deletesPerSecond());
        this.observer = observer;
    }

    /** One sweep of the shards owned now (nothing when none). */
    public Result sweep() throws InterruptedException {
        SortedSet<String> shards = ownedShards.get();
        if (shards.isEmpty()) {
            return new Result(0, 0, 0, false);
        }
        Budget budget = new Budget(settings.maxDeletesPerSweep());
        List<Stored.Request> candidates = all((limit, token) -> api.requests(shards, true, limit, token));
        List<Stored.Request> others = all((limit, token) -> api.requests(shards, false, limit, token));
        int labelled = 0;
        for (Stored.Request rr : others) {
            if (rr.terminal() && !rr.labelledTerminal() && budget.take()) {
                pacer.await();
                if (api.labelTerminal(rr.name())) {
                    labelled++;
                    observer.retentionLabelled();
                }
            }
        }
        Run run = new Run(budget);
        if (settings.deletesHistory() && !budget.exhausted()) {
            Map<String, Stored.Request> requests = new LinkedHashMap<>();
            others.forEach(rr -> requests.put(rr.name(), rr));
            candidates.forEach(rr -> requests.put(rr.name(), rr)); // a copy listed in both: the labelled one
            List<Stored.Execution> executions = all((limit, token) -> api.executions(shards, limit, token));
            List<RetentionPlan.Chain> plan = RetentionPlan.plan(List.copyOf(requests.values()), executions,
                    clock.instant(), settings);
            run.remember(requests.values(), executions);
            for (RetentionPlan.Chain chain : plan) {
                if (budget.exhausted()) {
                    break;
                }
                run.chain(chain);
            }
        }
        Result result = new Result(labelled, run.deleted, run.changed, budget.exhausted());
        if (result.labelled() + result.deleted() + result.changed() > 0) {
            LOG.infof("retention sweep of %d shards: %d labelled terminal, %d deleted, %d changed meanwhile (kept)%s",
                    shards.size(), result.labelled(), result.deleted(), result.changed(),
                    result.bounded() ? ", per-sweep limit reached" : "");
        }
        observer.retentionSweep(result.bounded() ? "bounded" : "complete");
        return result;
    }

    /** Deletes of one sweep, tracking what is left of each fingerprint and each target as they happen. */
    private final class Run {
        final Budget budget;
        final Map<String, Set<String>> rrsLeft = new HashMap<>();
        final Map<String, Set<String>> wfesLeft = new HashMap<>();
        int deleted;
        int changed;

        Run(Budget budget) {
            this.budget = budget;
        }

        void remember(Collection<Stored.Request> requests, List<Stored.Execution> executions) {
            requests.forEach(rr -> rrsLeft.computeIfAbsent(RetentionPlan.chainKey(rr), k -> new HashSet<>())
                    .add(rr.name()));
            executions.stream().filter(w -> w.targetHash() != null).forEach(w -> wfesLeft
                    .computeIfAbsent(w.targetHash(), k -> new HashSet<>()).add(w.name()));
        }

        /** The units of one chain in order, stopping at the first that cannot go (the rest waits behind it). */
        void chain(RetentionPlan.Chain chain) throws InterruptedException {
            for (RetentionPlan.Unit unit : chain.units()) {
                if (!unit(chain.fingerprint(), unit)) {
                    return;
                }
            }
        }

        private boolean unit(String chainKey, RetentionPlan.Unit unit) throws InterruptedException {
            Stored.Request rr = unit.request();
            if (unit.head() && !Set.of(rr.name()).equals(rrsLeft.get(chainKey))) {
                return false; // the head goes last
            }
            for (Stored.Execution wfe : unit.executions()) {
                if (!delete(WFE, wfe.name(), wfe.uid(), wfe.resourceVersion(), wfesLeft.get(wfe.targetHash()))) {
                    return false;
                }
            }
            Stored.Execution newest = unit.headExecution();
            if (newest != null && !deleteNewestExecution(newest)) {
                return false;
            }
            if (unit.head() && rr.fingerprint() != null && !budget.exhausted()
                    && api.requestExists(successorName(rr.fingerprint(), rr.name()))) {
                LOG.debugf("retention: rr=%s has a successor created since the sweep listed: not a head any more",
                        rr.name());
                return false;
            }
            return delete(RR, rr.name(), rr.uid(), rr.resourceVersion(), rrsLeft.get(chainKey));
        }

        /**
         * A target's newest WFE, when it is the last WFE of its target: under the target Lease (no create on the
         * target runs meanwhile in any replica that respects it) and only if the next name is still free.
         */
        private boolean deleteNewestExecution(Stored.Execution wfe) throws InterruptedException {
            Set<String> left = wfesLeft.get(wfe.targetHash());
            if (left == null || !Set.of(wfe.name()).equals(left) || wfe.targetKey() == null || budget.exhausted()) {
                return false;
            }
            // paced before the Lease is taken: it is held for one GET and one DELETE, never for a wait
            if (!reserve()) {
                return false;
            }
            var lock = locks.tryLock(wfe.targetKey());
            if (lock.isEmpty()) {
                return false;
            }
            try (AutoCloseable held = lock.get()) {
                if (api.executionExists(WorkflowExecutions.name(wfe.targetHash(), wfe.sequence() + 1))) {
                    return false;
                }
                return send(WFE, wfe.name(), wfe.uid(), wfe.resourceVersion(), left);
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                if (e instanceof RuntimeException runtime) {
                    throw runtime;
                }
                throw new IllegalStateException(e);
            }
        }

        private boolean delete(String kind, String name, String uid, String resourceVersion, Set<String> left)
                throws InterruptedException {
            return reserve() && send(kind, name, uid, resourceVersion, left);
        }

        /** One write of the sweep's budget, at the sweep's pace; false when the budget is spent. */
        private boolean reserve() throws InterruptedException {
            if (!budget.take()) {
                return false;
            }
            pacer.await();
            return true;
        }

        /** The DELETE itself (budget and pace already taken). */
        private boolean send(String kind, String name, String uid, String resourceVersion, Set<String> left) {
            RetentionApi.Deletion outcome = kind.equals(RR) ? api.deleteRequest(name, uid, resourceVersion)
                    : api.deleteExecution(name, uid, resourceVersion);
            switch (outcome) {
                case DELETED -> {
                    deleted++;
                    observer.retentionDeleted(kind);
                    LOG.debugf("retention: deleted %s %s", kind, name);
                }
                case GONE -> LOG.debugf("retention: %s %s already gone", kind, name);
                case CHANGED -> {
                    changed++;
                    observer.retentionChanged(kind);
                    LOG.debugf("retention: %s %s changed since the sweep listed it: kept", kind, name);
                    return false;
                }
                default -> throw new IllegalStateException("unknown deletion outcome " + outcome);
            }
            if (left != null) {
                left.remove(name);
            }
            return true;
        }
    }

    /** The writes one sweep may still make. */
    private static final class Budget {
        private int left;

        Budget(int max) {
            left = max;
        }

        boolean take() {
            if (left <= 0) {
                return false;
            }
            left--;
            return true;
        }

        boolean exhausted() {
            return left <= 0;
        }
    }

    /** A paged LIST, all pages. */
    interface Pages<T> {
        RetentionApi.Page<T> page(int limit, String continueToken);
    }

    private <T> List<T> all(Pages<T> pages) {
        List<T> items = new ArrayList<>();
        String token = null;
        do {
            RetentionApi.Page<T> page = pages.page(settings.pageSize(), token);
            items.addAll(page.items());
            token = page.continueToken();
        } while (token != null && !token.isEmpty());
        return items;
    }

    /**
     * The name the Gateway gives the RR that supersedes {@code predecessor} (docs/contracts.md, ADR-052-002):
     * {@code rr-<first 12 of fp>-<8 hex of sha256(fp + "|" + predecessor)>}.
     */
    static String successorName(String fingerprint, String predecessor) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((fingerprint + "|" + predecessor).getBytes(StandardCharsets.UTF_8));
            return "rr-" + fingerprint.substring(0, Math.min(12, fingerprint.length())) + "-"
                    + HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
