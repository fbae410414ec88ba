package ai.kubernaut.gateway.dedup;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** The reference's gateway_* dedup/CRD metrics plus status writes (Prometheus names end in _total). */
final class DedupMetrics {

    private final MeterRegistry registry;
    private final Counter created;
    private final Counter deduplicated;

    DedupMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.created = Counter.builder("gateway.crds.created").description("RemediationRequests created")
                .register(registry);
        // no signal_name label: alert names are unbounded (any rule, any sender), one series per name would grow
        // without limit; which alerts repeat is on the RRs (spec.signalName, status.deduplication)
        this.deduplicated = Counter.builder("gateway.signals.deduplicated")
                .description("Signals counted on an active RemediationRequest").register(registry);
        for (String result : new String[] {"stored", "conflict", "error"}) {
            statusWrites(result);
        }
        for (String type : ERROR_TYPES) {
            creationErrors(type); // visible at 0 from the start, so rate() and alerts work before the first error
        }
    }

    void deduplicated() {
        deduplicated.increment();
    }

    void created() {
        created.increment();
    }

    /**
     * @param errorType already_exists (the fence: a concurrent or stale creator), forbidden, invalid,
     *                  server_error, timeout, other
     */
    void creationError(String errorType) {
        creationErrors(errorType).increment();
    }

    static final String[] ERROR_TYPES = {"already_exists", "forbidden", "invalid", "server_error", "timeout", "other"};

    private Counter creationErrors(String errorType) {
        return Counter.builder("gateway.crd.creation.errors").tag("error_type", errorType)
                .description("RemediationRequest creates that did not create one").register(registry);
    }

    /** @param result stored, conflict (409, re-read and retried), error */
    void statusWrite(String result) {
        statusWrites(result).increment();
    }

    /** @param result written, superseded (a later write carries it), gone, gave_up */
    void statusRepair(String result) {
        Counter.builder("gateway.status.repairs").tag("result", result)
                .description("Initial status writes finished after the answer (the request path could not)")
                .register(registry).increment();
    }

    private Counter statusWrites(String result) {
        return Counter.builder("gateway.status.writes").tag("result", result)
                .description("Writes of RemediationRequest status.deduplication (one may carry many occurrences)")
                .register(registry);
    }

    static String errorType(int httpCode) {
        if (httpCode == 409) {
            return "already_exists";
        }
        if (httpCode == 401 || httpCode == 403) {
            return "forbidden";
        }
        if (httpCode == 400 || httpCode == 422) {
            return "invalid";
        }
        if (httpCode <= 0) {
            return "timeout";
        }
        if (httpCode >= 500 || httpCode == 429) {
            return "server_error";
        }
        return "other";
    }
}
