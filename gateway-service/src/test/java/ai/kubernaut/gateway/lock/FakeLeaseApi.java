package ai.kubernaut.gateway.lock;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * An in-memory Lease store with API-server semantics: 409 on create of an existing name, compare-and-swap
 * updates, DELETE preconditions. Logs every call.
 */
final class FakeLeaseApi implements LeaseApi {

    private final Map<String, LeaseRecord> leases = new HashMap<>();
    private final List<String> calls = new ArrayList<>();
    private long version = 100;
    /** Runs just before an update is applied (to let a competitor sneak in). */
    private Consumer<String> beforeUpdate = name -> { };
    private RuntimeException failNextCreate;
    private boolean loseNextCreateAnswer;
    private RuntimeException failNextDelete;
    /** Runs once, just before the next get is answered (to let a holder release in between). */
    private Runnable beforeNextGet = () -> { };

    synchronized void beforeUpdate(Consumer<String> hook) {
        this.beforeUpdate = hook;
    }

    synchronized void failNextCreate(RuntimeException e) {
        this.failNextCreate = e;
    }

    /** The next create is carried out, but its answer is lost (the API server died right after committing it). */
    synchronized void loseNextCreateAnswer() {
        this.loseNextCreateAnswer = true;
    }

    synchronized void failNextDelete(RuntimeException e) {
        this.failNextDelete = e;
    }

    synchronized void beforeNextGet(Runnable hook) {
        this.beforeNextGet = hook;
    }

    synchronized void remove(String name) {
        leases.remove(name);
    }

    synchronized List<String> calls() {
        return List.copyOf(calls);
    }

    synchronized void clearCalls() {
        calls.clear();
    }

    synchronized Optional<LeaseRecord> stored(String name) {
        return Optional.ofNullable(leases.get(name));
    }

    /** Puts a Lease as if another process wrote it. */
    synchronized LeaseRecord put(LeaseRecord r) {
        LeaseRecord stored = withVersion(r);
        leases.put(r.name(), stored);
        return stored;
    }

    @Override
    public synchronized Optional<LeaseRecord> get(String name, java.time.Duration timeout) {
        calls.add("get " + name);
        Runnable hook = beforeNextGet;
        beforeNextGet = () -> { };
        hook.run();
        return Optional.ofNullable(leases.get(name));
    }

    @Override
    public synchronized LeaseRecord create(LeaseRecord lease, java.time.Duration timeout) throws LeaseConflictException {
        calls.add("create " + lease.name());
        if (failNextCreate != null) {
            RuntimeException e = failNextCreate;
            failNextCreate = null;
            throw e;
        }
        if (leases.containsKey(lease.name())) {
            throw new LeaseConflictException("exists", null);
        }
        LeaseRecord created = put(lease);
        if (loseNextCreateAnswer) {
            loseNextCreateAnswer = false;
            throw new LeaseApiException("connection reset: no answer", 0, null);
        }
        return created;
    }

    @Override
    public LeaseRecord update(LeaseRecord lease, java.time.Duration timeout) throws LeaseConflictException {
        Consumer<String> hook;
        synchronized (this) {
            calls.add("update " + lease.name());
            hook = beforeUpdate;
        }
        hook.accept(lease.name());
        synchronized (this) {
            LeaseRecord current = leases.get(lease.name());
            if (current == null || !current.resourceVersion().equals(lease.resourceVersion())) {
                throw new LeaseConflictException("changed", null);
            }
            return put(lease);
        }
    }

    @Override
    public synchronized boolean delete(String name, String resourceVersion, java.time.Duration timeout) throws LeaseConflictException {
        calls.add("delete " + name);
        if (failNextDelete != null) {
            RuntimeException e = failNextDelete;
            failNextDelete = null;
            throw e;
        }
        LeaseRecord current = leases.get(name);
        if (current == null) {
            return false;
        }
        if (resourceVersion != null
                && !resourceVersion.equals(current.resourceVersion())) {
            throw new LeaseConflictException("precondition failed", null);
        }
        leases.remove(name);
        return true;
    }

    private LeaseRecord withVersion(LeaseRecord r) {
        return new LeaseRecord(r.name(), r.holderIdentity(), r.acquireTime(), r.renewTime(),
                r.leaseDurationSeconds(), r.leaseTransitions(), Long.toString(++version));
    }
}
