package ai.kubernaut.orchestrator.lock;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * An in-memory Lease store with the API server's conditional semantics (create fails on an existing name,
 * update and delete check the resourceVersion, as a real server and the project's embedded one do).
 * Tests can run an action before a verb (to interleave a competitor) or make a verb fail.
 */
final class FakeLeaseApi implements LeaseApi {

    private final KubernetesSerialization serialization = new KubernetesSerialization();
    private final Map<String, Lease> store = new HashMap<>();
    private final List<String> calls = new ArrayList<>();
    private final Map<String, Consumer<FakeLeaseApi>> before = new HashMap<>();
    private final Map<String, RuntimeException> failures = new HashMap<>();
    private long resourceVersion;
    private boolean loseCreateAnswer;

    /** Runs {@code action} once, right before the next call of {@code verb}. */
    synchronized void beforeNext(String verb, Consumer<FakeLeaseApi> action) {
        before.put(verb, action);
    }

    synchronized void failNext(String verb, RuntimeException failure) {
        failures.put(verb, failure);
    }

    /** The next create is carried out, but its answer is lost (the API server died right after committing it). */
    synchronized void loseNextCreateAnswer() {
        loseCreateAnswer = true;
    }

    synchronized List<String> calls() {
        return List.copyOf(calls);
    }

    synchronized Optional<Lease> stored(String name) {
        return Optional.ofNullable(store.get(name)).map(this::copy);
    }

    /** Writes directly, as another replica would (no conditions). */
    synchronized void put(Lease lease) {
        Lease copy = copy(lease);
        copy.getMetadata().setResourceVersion(Long.toString(++resourceVersion));
        store.put(copy.getMetadata().getName(), copy);
    }

    synchronized void remove(String name) {
        store.remove(name);
    }

    @Override
    public Optional<Lease> get(String name) {
        enter("get");
        synchronized (this) {
            return stored(name);
        }
    }

    @Override
    public Lease create(Lease lease) {
        enter("create");
        synchronized (this) {
            if (store.containsKey(lease.getMetadata().getName())) {
                throw new LeaseConflictException("exists", null);
            }
            put(lease);
            if (loseCreateAnswer) {
                loseCreateAnswer = false;
                throw new IllegalStateException("connection reset: no answer");
            }
            return stored(lease.getMetadata().getName()).orElseThrow();
        }
    }

    @Override
    public Lease update(Lease lease) {
        enter("update");
        synchronized (this) {
            Lease current = store.get(lease.getMetadata().getName());
            if (current == null || !current.getMetadata().getResourceVersion()
                    .equals(lease.getMetadata().getResourceVersion())) {
                throw new LeaseConflictException("stale", null);
            }
            put(lease);
            return stored(lease.getMetadata().getName()).orElseThrow();
        }
    }

    @Override
    public boolean delete(String name, String rv) {
        enter("delete");
        synchronized (this) {
            Lease current = store.get(name);
            if (current == null) {
                return false;
            }
            if (!current.getMetadata().getResourceVersion().equals(rv)) {
                throw new LeaseConflictException("precondition", null);
            }
            store.remove(name);
            return true;
        }
    }

    private void enter(String verb) {
        Consumer<FakeLeaseApi> action;
        RuntimeException failure;
        synchronized (this) {
            calls.add(verb);
            action = before.remove(verb);
            failure = failures.remove(verb);
        }
        if (action != null) {
            action.accept(this);
        }
        if (failure != null) {
            throw failure;
        }
    }

    private Lease copy(Lease lease) {
        return serialization.clone(lease);
    }
}
