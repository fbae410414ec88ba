package ai.kubernaut.e2e.replica;

import ai.kubernaut.e2e.cluster.Cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** Several replicas of one service in one namespace, started together and stopped together. */
public final class ReplicaGroup implements AutoCloseable {

    private final ServiceKind kind;
    private final List<Replica> replicas; // grows when replacements are added
    private final AtomicInteger next = new AtomicInteger();

    private ReplicaGroup(ServiceKind kind, List<Replica> replicas) {
        this.kind = kind;
        this.replicas = new java.util.concurrent.CopyOnWriteArrayList<>(replicas);
    }

    /**
     * Starts {@code count} replicas named {@code <short>-<i>} at once and waits until every one is ready.
     * If one fails to start, the ones already started are stopped.
     */
    public static ReplicaGroup start(ServiceKind kind, int count, String namespace, Cluster cluster,
                                     Map<String, String> env, Duration readyTimeout) {
        return launch(kind, count, namespace, cluster, env).awaitReady(readyTimeout);
    }

    /** Starts the processes without waiting for them; call {@link #awaitReady(Duration)} next. */
    public static ReplicaGroup launch(ServiceKind kind, int count, String namespace, Cluster cluster,
                                      Map<String, String> env) {
        List<Replica> started = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                started.add(Replica.launch(kind, kind.shortName() + "-" + i, namespace, cluster, env));
            }
            return new ReplicaGroup(kind, started);
        } catch (RuntimeException e) {
            started.forEach(Replica::close);
            throw e;
        }
    }

    /** Waits until every replica is ready; on failure stops them all and rethrows. */
    public ReplicaGroup awaitReady(Duration readyTimeout) {
        try {
            for (Replica replica : replicas) {
                replica.awaitReady(readyTimeout);
            }
            return this;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    public ServiceKind kind() {
        return kind;
    }

    public List<Replica> replicas() {
        return List.copyOf(replicas);
    }

    public Replica get(int i) {
        return replicas.get(i);
    }

    public int size() {
        return replicas.size();
    }

    /** Round robin over the live replicas. */
    public Replica nextLive() {
        for (int tries = 0; tries < replicas.size(); tries++) {
            Replica r = replicas.get(Math.floorMod(next.getAndIncrement(), replicas.size()));
            if (r.isAlive()) {
                return r;
            }
        }
        throw new IllegalStateException("no live " + kind.serviceName() + " replica");
    }

    /** Adds a replica started later (e.g. to replace a killed one). */
    public void add(Replica replica) {
        replicas.add(replica);
    }

    @Override
    public void close() {
        // stop in parallel: each may take a few seconds to shut down
        List<Thread> stoppers = new ArrayList<>();
        for (Replica r : replicas) {
            Thread t = new Thread(r::close, "stop-" + r.podName());
            t.start();
            stoppers.add(t);
        }
        for (Thread t : stoppers) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                replicas.forEach(Replica::close);
                return;
            }
        }
    }
}
