package ai.kubernaut.orchestrator.retention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.orchestrator.target.Target;
import ai.kubernaut.orchestrator.testing.MutableClock;
import ai.kubernaut.orchestrator.workflow.WorkflowExecutions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The retention sweep against an in-memory API server and a fake clock: heads kept, the rest of a chain deleted
 * tail first after {@code retention}, heads after {@code headRetention}, preconditions honoured, bounded and paced.
 */
class RetentionSweepTest {

    static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");
    static final Duration RETENTION = Duration.ofHours(24);
    static final Duration HEADS = Duration.ofDays(7);

    final MutableClock clock = new MutableClock(T0);
    final FakeRetentionApi api = new FakeRetentionApi();
    final List<Duration> slept = new ArrayList<>();
    final AtomicInteger locksTaken = new AtomicInteger();
    boolean lockFree = true;
    SortedSet<String> owned = all();
    RetentionSettings settings = RetentionSettings.defaults();

    static SortedSet<String> all() {
        return new TreeSet<>(List.of(ai.kubernaut.orchestrator.sharding.Shards.all()));
    }

    RetentionSweep sweep() {
        TargetLocks locks = key -> {
            if (!lockFree) {
                return Optional.empty();
            }
            locksTaken.incrementAndGet();
            return Optional.of(() -> { });
        };
        return new RetentionSweep(api, () -> owned, locks, settings, clock, d -> {
            slept.add(d);
            clock.advance(d);
        }, RetentionObserver.NONE);
    }

    /**
     * A chain of {@code n} RRs of one fingerprint on one target, as the Gateway names them, each with a Completed
     * WFE of the next sequence; RR i ended at {@code ended[i]}. Returns the RR names, oldest first.
     */
    List<String> chain(String id, Target target, Instant... ended) {
        String fp = Target.hash16("fp-" + id) + Target.hash16("fp2-" + id) + Target.hash16("fp3-" + id)
                + Target.hash16("fp4-" + id);
        List<String> names = new ArrayList<>();
        String previous = null;
        for (int i = 0; i < ended.length; i++) {
            String name = previous == null ? "rr-" + fp.substring(0, 12) + "-first" : RetentionSweep.successorName(fp, previous);
            String uid = "uid-" + name;
            api.put(new Stored.Request(name, uid, api.nextVersion(), fp, previous, ended[i].minusSeconds(60), true, true,
                    ended[i], target.key()), target.shard());
            api.put(new Stored.Execution(WorkflowExecutions.name(target, i + 1), "uid-w-" + name, api.nextVersion(),
                    target.hash(), target.key(), i + 1, name, uid, true, ended[i].minusSeconds(1)), target.shard());
            names.add(name);
            previous = name;
        }
        return names;
    }

    static Instant ago(Duration d) {
        return T0.minus(d);
    }

    @Test
    void nonHeadsGoAfterRetentionTailFirstAndTheHeadsStay() throws Exception {
        Target target = new Target("shop", "Deployment", "web");
        List<String> rrs = chain("web", target, ago(Duration.ofDays(3)), ago(Duration.ofDays(2)), ago(Duration.ofHours(30)),
                ago(Duration.ofHours(25)));
        Target young = new Target("shop", "Deployment", "young");
        List<String> recent = chain("young", young, ago(Duration.ofHours(5)), ago(Duration.ofHours(1)));

        RetentionSweep.Result result = sweep().sweep();

        assertEquals(Set.of(rrs.get(3), recent.get(0), recent.get(1)), api.requests.keySet(),
                "the head of each chain stays; what ended within retention stays");
        assertEquals(Set.of(WorkflowExecutions.name(target, 4), WorkflowExecutions.name(young, 1),
                WorkflowExecutions.name(young, 2)), api.executions.keySet(), "the newest WFE of each target stays");
        assertEquals(6, result.deleted());
        // tail first: each RR after the RR it supersedes, its WFE before it
        List<String> deletes = api.calls.stream().filter(c -> c.startsWith("delete ")).toList();
        assertEquals(List.of("delete wfe " + WorkflowExecutions.name(target, 1), "delete rr " + rrs.get(0),
                "delete wfe " + WorkflowExecutions.name(target, 2), "delete rr " + rrs.get(1),
                "delete wfe " + WorkflowExecutions.name(target, 3), "delete rr " + rrs.get(2)), deletes);
        assertEquals(0, locksTaken.get(), "no target Lease for WFEs that are not their target's newest");
    }

    @Test
    void headsGoAfterHeadRetentionAsTheLastOfTheirChainUnderTheTargetLease() throws Exception {
        Target target = new Target("shop", "Deployment", "web");
        List<String> rrs = chain("web", target, ago(Duration.ofDays(3)), ago(Duration.ofDays(2)));
        sweep().sweep();
        assertEquals(Set.of(rrs.get(1)), api.requests.keySet());
        Stored.Request head = api.requests.get(rrs.get(1));

        clock.advance(HEADS.minus(Duration.ofDays(2)).minusSeconds(1));
        sweep().sweep();
        assertEquals(Set.of(rrs.get(1)), api.requests.keySet(), "a second before head-retention: kept");

        clock.advance(Duration.ofSeconds(1));
        RetentionSweep.Result result = sweep().sweep();
        assertEquals(2, result.deleted());
        assertTrue(api.requests.isEmpty());
        assertTrue(api.executions.isEmpty());
        assertEquals(1, locksTaken.get(), "the target's newest WFE is deleted under the target Lease");
        assertTrue(api.calls.contains("get wfe " + WorkflowExecutions.name(target, 3)),
                "and only while the next WFE name is still free");
        assertTrue(api.calls.contains("get rr " + RetentionSweep.successorName(head.fingerprint(), head.name())),
                "the head RR likewise: only while no RR names it as its predecessor");
    }

    @Test
    void aHeadIsKeptWhileASuccessorAppearedOrTheTargetIsBusyOrLocked() throws Exception {
        Target target = new Target("shop", "Deployment", "web");
        List<String> rrs = chain("web", target, ago(Duration.ofDays(9)));
        Stored.Request head = api.requests.get(rrs.get(0));

        // an active RR on the target: its routing reads the newest WFE, which stays
        api.put(new Stored.Request("rr-active", "uid-a", api.nextVersion(), "f".repeat(64), null, T0, false, false, null,
                target.key()), target.shard());
        sweep().sweep();
        assertTrue(api.requests.containsKey(head.name()));
        assertTrue(api.executions.containsKey(WorkflowExecutions.name(target, 1)));
        api.requests.remove("rr-active");

        // the target Lease is held elsewhere (a create in progress): nothing goes
        lockFree = false;
        sweep().sweep();
        assertTrue(api.requests.containsKey(head.name()));
        lockFree = true;

        // the next WFE name was taken since the sweep listed: the listed one is not the newest any more
        String next = WorkflowExecutions.name(target, 2);
        RetentionSweep nextTaken = racing(new RetentionApiDelegate(api) {
            @Override
            public boolean executionExists(String name) {
                return name.equals(next) || super.executionExists(name);
            }
        });
        assertEquals(0, nextTaken.sweep().deleted());
        assertTrue(api.executions.containsKey(WorkflowExecutions.name(target, 1)));

        // a successor RR appeared after the LIST: the head is not a head any more
        String successor = RetentionSweep.successorName(head.fingerprint(), head.name());
        RetentionSweep racing = racing(new RetentionApiDelegate(api) {
            @Override
            public boolean requestExists(String name) {
                return name.equals(successor) || super.requestExists(name);
            }
        });
        racing.sweep();
        assertTrue(api.requests.containsKey(head.name()), "a successor named after it exists");
        assertFalse(api.executions.containsKey(WorkflowExecutions.name(target, 1)),
                "its WFE was the target's last and old enough");
    }

    RetentionSweep racing(RetentionApi racingApi) {
        return new RetentionSweep(racingApi, () -> owned, key -> Optional.of(() -> { }), settings, clock, clock::advance,
                RetentionObserver.NONE);
    }

    @Test
    void aChangedResourceVersionKeepsTheObjectAndEverythingBehindIt() throws Exception {
        Target target = new Target("shop", "Deployment", "web");
        List<String> rrs = chain("web", target, ago(Duration.ofDays(4)), ago(Duration.ofDays(3)), ago(Duration.ofDays(2)));
        api.beforeDelete = name -> {
            if (name.equals(rrs.get(0))) {
                api.touch(name); // written by someone else between the LIST and the DELETE
            }
        };
        RetentionSweep.Result result = sweep().sweep();
        assertEquals(1, result.changed());
        assertEquals(1, result.deleted(), "only the first RR's WFE went");
        assertEquals(Set.copyOf(rrs), api.requests.keySet(), "the changed RR stays, and so does its successor");

        api.beforeDelete = name -> { };
        sweep().sweep();
        assertEquals(Set.of(rrs.get(2)), api.requests.keySet(), "the next sweep lists the new version");
    }

    @Test
    void anRrWhoseWorkflowStillRunsStaysAndSoDoesTheRestOfItsChain() throws Exception {
        Target target = new Target("shop", "Deployment", "web");
        List<String> rrs = chain("web", target, ago(Duration.ofDays(5)), ago(Duration.ofDays(4)), ago(Duration.ofDays(3)),
                ago(Duration.ofDays(2)));
        Stored.Execution second = api.executions.get(WorkflowExecutions.name(target, 2));
        api.put(new Stored.Execution(second.name(), second.uid(), api.nextVersion(), second.targetHash(),
                second.targetKey(), 2, second.requestName(), second.requestUid(), false, null), target.shard());

        sweep().sweep();

        assertEquals(Set.of(rrs.get(1), rrs.get(2), rrs.get(3)), api.requests.keySet());
        assertTrue(api.executions.containsKey(second.name()), "an active WFE is never deleted");
    }

    @Test
    void eachSweepIsBoundedAndPaced() throws Exception {
        settings = settings.withPace(5, 10);
        for (int t = 0; t < 4; t++) {
            Target target = new Target("shop", "Deployment", "app-" + t);
            chain("app-" + t, target, ago(Duration.ofDays(3)), ago(Duration.ofDays(2)));
        }
        Instant before = clock.instant();
        RetentionSweep.Result first = sweep().sweep();
        assertEquals(5, first.deleted());
        assertTrue(first.bounded());
        assertEquals(5, api.count("delete"), "nothing sent past the bound");
        assertEquals(Duration.ofMillis(400), Duration.between(before, clock.instant()),
                "5 deletes at 10 per second: 100 ms apart");
        assertTrue(slept.stream().allMatch(d -> d.compareTo(Duration.ofMillis(100)) <= 0));

        RetentionSweep.Result second = sweep().sweep();
        assertEquals(3, second.deleted());
        assertFalse(second.bounded());
        assertEquals(4, api.requests.size(), "one head per chain");
    }

    @Test
    void terminalRequestsWithoutTheLabelAreLabelledThenSweptLikeTheOthers() throws Exception {
        Target target = new Target("shop", "Deployment", "web");
        List<String> rrs = chain("web", target, ago(Duration.ofDays(3)), ago(Duration.ofDays(2)));
        Stored.Request old = api.requests.get(rrs.get(0));
        api.put(new Stored.Request(old.name(), old.uid(), old.resourceVersion(), old.fingerprint(), old.supersedes(),
                old.created(), true, false, old.terminalSince(), old.targetKey()), target.shard());
        api.put(new Stored.Request("rr-active", "uid-a", api.nextVersion(), "f".repeat(64), null, T0, false, false, null,
                "shop/Deployment/other"), target.shard());

        RetentionSweep.Result first = sweep().sweep();
        assertEquals(1, first.labelled());
        assertTrue(api.requests.get(rrs.get(0)).labelledTerminal());
        assertFalse(api.requests.get("rr-active").labelledTerminal(), "an active RR is never labelled");
        assertEquals(0, first.deleted(), "a candidate is listed by its label: the next sweep");

        sweep().sweep();
        assertFalse(api.requests.containsKey(rrs.get(0)));
    }

    @Test
    void everyPageIsReadAndOnlyOwnedShardsAreListed() throws Exception {
        settings = settings.withPageSize(2);
        Target target = new Target("shop", "Deployment", "web");
        List<String> rrs = chain("web", target, ago(Duration.ofDays(9)), ago(Duration.ofDays(8)), ago(Duration.ofDays(7)),
                ago(Duration.ofDays(6)), ago(Duration.ofDays(5)));
        sweep().sweep();
        assertEquals(Set.of(rrs.get(4)), api.requests.keySet());
        assertTrue(api.calls.contains("list rr terminal 4"), "the third page of candidates was read");

        Target elsewhere = new Target("shop", "Deployment", "elsewhere");
        List<String> other = chain("elsewhere", elsewhere, ago(Duration.ofDays(3)), ago(Duration.ofDays(2)));
        owned = new TreeSet<>(Set.of(target.shard()));
        if (!target.shard().equals(elsewhere.shard())) {
            sweep().sweep();
            assertTrue(api.requests.keySet().containsAll(other), "another replica's shard is not this sweep's");
        }
        owned = new TreeSet<>();
        api.calls.clear();
        sweep().sweep();
        assertEquals(List.of(), api.calls, "a replica that owns nothing lists nothing");
    }

    @Test
    void retentionZeroKeepsEverythingButStillLabels() throws Exception {
        settings = settings.withRetention(Duration.ZERO, HEADS);
        Target target = new Target("shop", "Deployment", "web");
        chain("web", target, ago(Duration.ofDays(30)), ago(Duration.ofDays(20)));
        RetentionSweep.Result result = sweep().sweep();
        assertEquals(0, result.deleted());
        assertEquals(2, api.requests.size());
        assertEquals(0, api.count("list wfe"), "nothing to delete: no WFE LIST either");
    }

    @Test
    void headRetentionZeroKeepsHeadsForever() throws Exception {
        settings = settings.withRetention(RETENTION, Duration.ZERO);
        Target target = new Target("shop", "Deployment", "web");
        List<String> rrs = chain("web", target, ago(Duration.ofDays(300)), ago(Duration.ofDays(200)));
        sweep().sweep();
        assertEquals(Set.of(rrs.get(1)), api.requests.keySet());
    }

    @Test
    void settingsRejectNonsense() {
        RetentionSettings d = RetentionSettings.defaults();
        assertThrows(IllegalArgumentException.class, () -> d.withRetention(Duration.ofDays(2), Duration.ofDays(1)));
        assertThrows(IllegalArgumentException.class, () -> d.withRetention(Duration.ofDays(-1), Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> d.withPace(0, 1));
        assertThrows(IllegalArgumentException.class, () -> d.withPace(1, 0));
        assertThrows(IllegalArgumentException.class, () -> d.withIntervals(Duration.ZERO, Duration.ZERO));
    }

    @Test
    void successorNamesAreTheGatewaysFencedNames() {
        // the same vector as the Gateway's DedupRulesTest (docs/contracts.md: RR names)
        String fp = "3f2a9c1d7b4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8";
        assertEquals("rr-3f2a9c1d7b4e-41da4831", RetentionSweep.successorName(fp, "rr-3f2a9c1d7b4e-7508e47e"));
    }

    /** A RetentionApi that passes every call on (tests override one). */
    static class RetentionApiDelegate implements RetentionApi {
        final RetentionApi api;

        RetentionApiDelegate(RetentionApi api) {
            this.api = api;
        }

        @Override
        public Page<Stored.Request> requests(java.util.Collection<String> shards, boolean labelledTerminal, int limit,
                String continueToken) {
            return api.requests(shards, labelledTerminal, limit, continueToken);
        }

        @Override
        public Page<Stored.Execution> executions(java.util.Collection<String> shards, int limit, String continueToken) {
            return api.executions(shards, limit, continueToken);
        }

        @Override
        public Page<Stored.LeaseCopy> leases(int limit, String continueToken) {
            return api.leases(limit, continueToken);
        }

        @Override
        public Deletion deleteRequest(String name, String uid, String resourceVersion) {
            return api.deleteRequest(name, uid, resourceVersion);
        }

        @Override
        public Deletion deleteExecution(String name, String uid, String resourceVersion) {
            return api.deleteExecution(name, uid, resourceVersion);
        }

        @Override
        public Deletion deleteLease(String name, String uid, String resourceVersion) {
            return api.deleteLease(name, uid, resourceVersion);
        }

        @Override
        public boolean labelTerminal(String name) {
            return api.labelTerminal(name);
        }

        @Override
        public boolean requestExists(String name) {
            return api.requestExists(name);
        }

        @Override
        public boolean executionExists(String name) {
            return api.executionExists(name);
        }
    }
}
