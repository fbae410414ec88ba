package ai.kubernaut.orchestrator.retention;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * An in-memory API server for sweeps: pages of {@code limit} with continue tokens, DELETEs that check uid and
 * resourceVersion preconditions (as a real server and the strict test server do), every write moving the version.
 */
final class FakeRetentionApi implements RetentionApi {

    final Map<String, Stored.Request> requests = new ConcurrentHashMap<>();
    final Map<String, Stored.Execution> executions = new ConcurrentHashMap<>();
    final Map<String, Stored.LeaseCopy> leases = new ConcurrentHashMap<>();
    /** The shard of each RR and WFE by name (what the label selector filters on). */
    final Map<String, String> shards = new ConcurrentHashMap<>();
    final List<String> calls = new ArrayList<>();
    private final AtomicLong versions = new AtomicLong(100);
    /** Runs before a DELETE is judged (a test's concurrent writer); by name. */
    Consumer<String> beforeDelete = name -> { };

    String nextVersion() {
        return Long.toString(versions.incrementAndGet());
    }

    void put(Stored.Request rr, String shard) {
        requests.put(rr.name(), rr);
        shards.put(rr.name(), shard);
    }

    void put(Stored.Execution wfe, String shard) {
        executions.put(wfe.name(), wfe);
        shards.put(wfe.name(), shard);
    }

    /** Another writer changed the RR: a new resourceVersion. */
    void touch(String name) {
        requests.computeIfPresent(name, (n, rr) -> new Stored.Request(rr.name(), rr.uid(), nextVersion(),
                rr.fingerprint(), rr.supersedes(), rr.created(), rr.terminal(), rr.labelledTerminal(),
                rr.terminalSince(), rr.targetKey()));
    }

    long count(String verb) {
        return calls.stream().filter(c -> c.startsWith(verb + " ")).count();
    }

    @Override
    public synchronized Page<Stored.Request> requests(Collection<String> inShards, boolean labelledTerminal, int limit,
            String continueToken) {
        calls.add("list rr " + (labelledTerminal ? "terminal" : "other") + (continueToken == null ? "" : " " + continueToken));
        return page(requests.values().stream().filter(rr -> inShards.contains(shards.get(rr.name()))
                && rr.labelledTerminal() == labelledTerminal).toList(), Stored.Request::name, limit, continueToken);
    }

    @Override
    public synchronized Page<Stored.Execution> executions(Collection<String> inShards, int limit, String continueToken) {
        calls.add("list wfe" + (continueToken == null ? "" : " " + continueToken));
        return page(executions.values().stream().filter(w -> inShards.contains(shards.get(w.name()))).toList(),
                Stored.Execution::name, limit, continueToken);
    }

    @Override
    public synchronized Page<Stored.LeaseCopy> leases(int limit, String continueToken) {
        calls.add("list lease" + (continueToken == null ? "" : " " + continueToken));
        return page(List.copyOf(leases.values()), Stored.LeaseCopy::name, limit, continueToken);
    }

    private static <T> Page<T> page(List<T> all, Function<T, String> name, int limit, String continueToken) {
        List<T> sorted = all.stream().sorted(Comparator.comparing(name)).toList();
        int from = continueToken == null ? 0 : Integer.parseInt(continueToken);
        int to = Math.min(sorted.size(), from + limit);
        return new Page<>(sorted.subList(from, to), to < sorted.size() ? Integer.toString(to) : null);
    }

    @Override
    public synchronized Deletion deleteRequest(String name, String uid, String resourceVersion) {
        return delete("rr", requests, name, uid, resourceVersion, Stored.Request::uid, Stored.Request::resourceVersion);
    }

    @Override
    public synchronized Deletion deleteExecution(String name, String uid, String resourceVersion) {
        return delete("wfe", executions, name, uid, resourceVersion, Stored.Execution::uid,
                Stored.Execution::resourceVersion);
    }

    @Override
    public synchronized Deletion deleteLease(String name, String uid, String resourceVersion) {
        return delete("lease", leases, name, uid, resourceVersion, Stored.LeaseCopy::uid,
                Stored.LeaseCopy::resourceVersion);
    }

    /** A DELETE with uid and resourceVersion preconditions, as the API server judges it. */
    private <T> Deletion delete(String kind, Map<String, T> store, String name, String uid, String resourceVersion,
            Function<T, String> uidOf, Function<T, String> versionOf) {
        calls.add("delete " + kind + " " + name);
        beforeDelete.accept(name);
        T stored = store.get(name);
        if (stored == null) {
            return Deletion.GONE;
        }
        if (!uidOf.apply(stored).equals(uid) || !versionOf.apply(stored).equals(resourceVersion)) {
            return Deletion.CHANGED;
        }
        store.remove(name);
        return Deletion.DELETED;
    }

    @Override
    public synchronized boolean labelTerminal(String name) {
        calls.add("label rr " + name);
        Stored.Request rr = requests.get(name);
        if (rr == null) {
            return false;
        }
        requests.put(name, new Stored.Request(rr.name(), rr.uid(), nextVersion(), rr.fingerprint(), rr.supersedes(),
                rr.created(), rr.terminal(), true, rr.terminalSince(), rr.targetKey()));
        return true;
    }

    @Override
    public synchronized boolean requestExists(String name) {
        calls.add("get rr " + name);
        return requests.containsKey(name);
    }

    @Override
    public synchronized boolean executionExists(String name) {
        calls.add("get wfe " + name);
        return executions.containsKey(name);
    }
}
