package ai.kubernaut.testserver;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Faults the chaos scenarios inject into the embedded API server, set over {@code /__e2e/faults}:
 * <ul>
 *   <li>{@code delayMillis}: the request is carried out, but its answer is held back, so the caller sits
 *       inside its critical section (e.g. holding a Lease it just created) for as long as the test needs to
 *       pause or kill it there;</li>
 *   <li>{@code respondWith}: the request is not carried out and answered with that status instead
 *       (an API server fault).</li>
 * </ul>
 * A rule matches a caller's service (and the namespace of its ServiceAccount, and its pod, if given), a verb, a
 * resource and a name prefix, {@code times} times; only successful requests fire a delay rule. A rule given a caller
 * namespace belongs to that namespace's scenario: {@link #clear(String)} removes only those, so that scenarios running
 * side by side on one server (each its services in its own namespace) neither fault nor clear each other. And a freeze ({@code freezeMillis}): for that long every
 * request of every caller is carried out but its answer held until the freeze ends, as when the API server
 * stops answering (open watches stay open).
 */
public final class Faults {

    /** A fault to inject. Empty strings match anything. */
    public record Rule(long id, String service, String callerNamespace, String pod, String verb, String resource,
                       String namePrefix, long delayMillis, int respondWith, int times) {

        boolean matches(Caller caller, RequestAttributes attrs, String name) {
            return (service.isEmpty() || (caller != null && service.equals(caller.service())))
                    && (callerNamespace.isEmpty() || (caller != null && callerNamespace.equals(caller.namespace())))
                    && (pod.isEmpty() || (caller != null && pod.equals(caller.pod())))
                    && (verb.isEmpty() || verb.equals(attrs.verb()))
                    && (resource.isEmpty() || resource.equals(attrs.resourceWithSubresource()))
                    && (namePrefix.isEmpty() || name.startsWith(namePrefix));
        }
    }

    /** A rule that fired: which replica's request, on which object, when. */
    public record Fired(long ruleId, String service, String callerNamespace, String pod, String verb, String resource,
                        String name, long epochMillis) {
    }

    private final AtomicLong ids = new AtomicLong();
    private volatile long frozenUntilNanos;
    private volatile boolean frozen;
    private final List<Rule> rules = new ArrayList<>();
    private final List<Rule> remaining = new ArrayList<>();
    private final List<Integer> counts = new ArrayList<>();
    private final List<Fired> fired = new ArrayList<>();

    public synchronized Rule add(String service, String callerNamespace, String pod, String verb, String resource,
                                 String namePrefix, long delayMillis, int respondWith, int times) {
        Rule rule = new Rule(ids.incrementAndGet(), service, callerNamespace, pod, verb, resource, namePrefix,
                delayMillis, respondWith, times);
        rules.add(rule);
        remaining.add(rule);
        counts.add(times);
        return rule;
    }

    /** The first armed rule matching this request, counted as fired. {@code beforeStore}: respondWith rules only. */
    public synchronized Optional<Rule> fire(Caller caller, RequestAttributes attrs, String name, boolean beforeStore) {
        for (int i = 0; i < remaining.size(); i++) {
            Rule rule = remaining.get(i);
            boolean kind = beforeStore ? rule.respondWith() > 0 : rule.respondWith() == 0;
            if (kind && counts.get(i) > 0 && rule.matches(caller, attrs, name)) {
                counts.set(i, counts.get(i) - 1);
                fired.add(new Fired(rule.id(), caller == null ? "" : caller.service(),
                        caller == null ? "" : caller.namespace(), caller == null ? "" : caller.pod(),
                        attrs.verb(), attrs.resourceWithSubresource(), name, System.currentTimeMillis()));
                return Optional.of(rule);
            }
        }
        return Optional.empty();
    }

    /** Every answer from now on is held until {@code millis} from now. */
    public void freezeFor(long millis) {
        frozenUntilNanos = System.nanoTime() + millis * 1_000_000;
        frozen = true;
    }

    /** How much longer answers are held (0: not frozen). */
    public long frozenForMillis() {
        if (!frozen) {
            return 0;
        }
        long left = (frozenUntilNanos - System.nanoTime()) / 1_000_000;
        return Math.max(0, left);
    }

    public synchronized boolean isEmpty() {
        for (int c : counts) {
            if (c > 0) {
                return false;
            }
        }
        return true;
    }

    public synchronized List<Rule> rules() {
        return List.copyOf(rules);
    }

    public synchronized List<Fired> fired() {
        return List.copyOf(fired);
    }

    /** Removes the rules given {@code callerNamespace} and what they fired; other rules and a freeze stay. */
    public synchronized void clear(String callerNamespace) {
        java.util.Set<Long> removed = new java.util.HashSet<>();
        for (int i = remaining.size() - 1; i >= 0; i--) {
            if (remaining.get(i).callerNamespace().equals(callerNamespace)) {
                removed.add(remaining.get(i).id());
                remaining.remove(i);
                counts.remove(i);
            }
        }
        rules.removeIf(r -> removed.contains(r.id()));
        fired.removeIf(f -> removed.contains(f.ruleId()));
    }

    public synchronized void clear() {
        frozen = false;
        rules.clear();
        remaining.clear();
        counts.clear();
        fired.clear();
    }
}
