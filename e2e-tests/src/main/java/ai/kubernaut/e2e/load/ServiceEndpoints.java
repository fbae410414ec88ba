package ai.kubernaut.e2e.load;

import ai.kubernaut.e2e.replica.Endpoints;
import ai.kubernaut.e2e.replica.Replica;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The endpoints of a Service as one client sees them, changed by the test at any time (a rollout adds a ready pod
 * and, late, removes a terminating one); each request goes to the next one, round robin.
 */
public final class ServiceEndpoints implements Endpoints {

    /** One endpoint: the pod's name and where it listens. */
    public record Endpoint(String name, String host, int port) {
        public static Endpoint of(Replica replica) {
            URI url = URI.create(replica.url());
            return new Endpoint(replica.podName(), url.getHost(), url.getPort());
        }
    }

    private volatile List<Endpoint> current = List.of();
    private final AtomicInteger next = new AtomicInteger();

    public ServiceEndpoints(Collection<Replica> initial) {
        initial.forEach(this::add);
    }

    @Override
    public void add(Replica replica) {
        add(Endpoint.of(replica));
    }

    public synchronized void add(Endpoint endpoint) {
        if (current.stream().noneMatch(e -> e.name().equals(endpoint.name()))) {
            List<Endpoint> changed = new ArrayList<>(current);
            changed.add(endpoint);
            current = List.copyOf(changed);
        }
    }

    @Override
    public void remove(Replica replica) {
        remove(replica.podName());
    }

    public synchronized void remove(String name) {
        current = current.stream().filter(e -> !e.name().equals(name)).toList();
    }

    public List<Endpoint> current() {
        return current;
    }

    /** The endpoint for the next request; empty when there is none. */
    public Optional<Endpoint> pick() {
        List<Endpoint> now = current;
        return now.isEmpty() ? Optional.empty() : Optional.of(now.get(Math.floorMod(next.getAndIncrement(), now.size())));
    }
}
