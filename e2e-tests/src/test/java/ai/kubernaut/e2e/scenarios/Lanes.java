package ai.kubernaut.e2e.scenarios;

/**
 * How the scenarios share the 2-core machine (JUnit's parallel execution, see junit-platform.properties): a main lane
 * runs the scenarios one at a time in {@code @Order}; beside it a side lane runs, one at a time, those marked
 * {@code @Execution(CONCURRENT)} and locked on {@link #SIDE}: scenarios that spend most of their time waiting (on
 * Alertmanager's group interval, on Prometheus' scrapes) and assert
 * bounds of tens of seconds, not of one. Scenarios beside each other on the suite's server inject faults only through
 * {@code KubernautSystem.faults()} (rules matching their own namespace's callers) and count only their own requests.
 */
final class Lanes {

    /**
     * Held by each side-lane scenario (so they run one at a time, their test methods in order on one thread: a class
     * marked CONCURRENT would otherwise run its methods at once) and by the scenarios never run beside another, at the
     * end of the main lane: ApiServerFreezeIT (its answers must leave within deadline + 1 s, which CPU taken by another
     * breaks: seen 5.2 s), InstallAndRestartIT (beside the main lane once, its RR watch replay showed two active RRs
     * of one fingerprint across a restart's watch gap: kube-test-server replays a resumed watch's changes as latest
     * states, not events) and RetentionIT (on a real server nothing holds a Gateway inside its critical section: the
     * test must kill it there by timing, which another scenario's load broke once).
     */
    static final String SIDE = "kubernaut.e2e.side-lane";

    /**
     * Held by the scenarios whose Gateways review tokens (AlertmanagerIT) and by TokenSprayIT, which counts every
     * TokenReview the API server got (on a real server its metrics cannot tell whose).
     */
    static final String TOKEN_REVIEWS = "kubernaut.e2e.token-reviews";

    private Lanes() {
    }
}
