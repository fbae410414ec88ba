package ai.kubernaut.testserver;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which resource types the embedded API server serves, and which answer as a real kube-apiserver's do around its
 * life cycle. Keyed by plural resource name (e.g. {@code remediationrequests}), in every namespace and API group.
 * <ul>
 *   <li>not served: the server's mux has no handler for the type (a CRD not yet established, or the first seconds
 *       after a restart), for a while or until resumed;</li>
 *   <li>awaiting its CRD: not served until {@link RealisticDispatcher#serveCrds} creates the CRD;</li>
 *   <li>watch cache initializing: the next N LISTs and WATCHes that a real server answers from its watch cache
 *       get 429.</li>
 * </ul>
 */
final class ResourceAvailability {

    private static final long UNTIL_RESUMED = Long.MAX_VALUE;

    private final Map<String, Long> notServedUntilNanos = new HashMap<>();
    private final Map<String, Integer> initializingAnswers = new HashMap<>();
    /** plural -> the CRD (JSON) to create when the CRDs are served */
    private final Map<String, String> awaitingCrds = new LinkedHashMap<>();

    /** {@code resource} is not served for {@code duration}, or until resumed when null. */
    synchronized void stopServing(String resource, Duration duration) {
        notServedUntilNanos.put(resource, duration == null ? UNTIL_RESUMED : System.nanoTime() + duration.toNanos());
    }

    synchronized void resumeServing(String resource) {
        notServedUntilNanos.remove(resource);
    }

    /** The next {@code answers} LISTs and WATCHes of {@code resource} from the watch cache answer 429 (0: none). */
    synchronized void initializing(String resource, int answers) {
        if (answers > 0) {
            initializingAnswers.put(resource, answers);
        } else {
            initializingAnswers.remove(resource);
        }
    }

    synchronized void awaitCrd(String plural, String crdJson) {
        awaitingCrds.put(plural, crdJson);
    }

    /** The CRDs waiting to be served, by plural, in the order they were read. */
    synchronized Map<String, String> awaitingCrds() {
        return new LinkedHashMap<>(awaitingCrds);
    }

    synchronized void crdServed(String plural) {
        awaitingCrds.remove(plural);
    }

    synchronized boolean served(String resource) {
        if (awaitingCrds.containsKey(resource)) {
            return false;
        }
        Long until = notServedUntilNanos.get(resource);
        if (until == null) {
            return true;
        }
        if (until != UNTIL_RESUMED && System.nanoTime() - until >= 0) {
            notServedUntilNanos.remove(resource);
            return true;
        }
        return false;
    }

    /** Whether this LIST or WATCH of {@code resource} gets a 429, counting it if so. */
    synchronized boolean takeInitializingAnswer(String resource) {
        Integer left = initializingAnswers.get(resource);
        if (left == null) {
            return false;
        }
        initializing(resource, left - 1);
        return true;
    }

    /** Ends the faults (not served, initializing); CRDs still awaited stay so. */
    synchronized void clearFaults() {
        notServedUntilNanos.clear();
        initializingAnswers.clear();
    }

    /** For the control endpoint: not served (milliseconds left, -1 until resumed), initializing, awaited CRDs. */
    synchronized Map<String, Object> state() {
        Map<String, Long> notServed = new LinkedHashMap<>();
        for (String resource : new ArrayList<>(notServedUntilNanos.keySet())) {
            if (!served(resource)) {
                long until = notServedUntilNanos.get(resource);
                notServed.put(resource, until == UNTIL_RESUMED ? -1 : (until - System.nanoTime()) / 1_000_000);
            }
        }
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("notServed", notServed);
        state.put("initializing", new LinkedHashMap<>(initializingAnswers));
        state.put("awaitingCrds", List.copyOf(awaitingCrds.keySet()));
        return state;
    }
}
