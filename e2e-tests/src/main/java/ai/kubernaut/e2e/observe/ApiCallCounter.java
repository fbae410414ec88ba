package ai.kubernaut.e2e.observe;

import ai.kubernaut.testserver.RequestRecord;
import ai.kubernaut.testserver.ApiServerControl;
import ai.kubernaut.e2e.metrics.Metrics;
import ai.kubernaut.e2e.replica.Replica;
import ai.kubernaut.e2e.replica.ServiceKind;
import ai.kubernaut.e2e.system.KubernautSystem;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Counts the Lease API calls and status writes a service made in a window: from the embedded API server's
 * request log when there is one, else from the services' own counters ({@code gateway_lease_api_calls_total},
 * {@code gateway_status_writes_total}, {@code orchestrator_lease_api_calls_total}), summed over the live
 * replicas (a real cluster has no request log we can read).
 */
public final class ApiCallCounter {

    /** A point in time to count from. */
    public record Mark(long requestSeq, Map<ServiceKind, Metrics> metrics) {
    }

    /**
     * What a service did between a mark and now.
     *
     * @param rrLists  LISTs of RemediationRequests (the informer's relists included), -1 when not observable
     * @param requests every API request of the service (watches counted once, when opened), -1 when not observable
     */
    public record Counts(long leaseCalls, long statusWrites, Map<String, Long> leaseCallsByVerb, long rrLists,
                         long requests, String source) {
        /** True when the counts come from the API server's own request log (every request seen). */
        public boolean fromRequestLog() {
            return rrLists >= 0;
        }
    }

    private final KubernautSystem system;
    private final Optional<ApiServerControl> control;

    public ApiCallCounter(KubernautSystem system) {
        this.system = system;
        this.control = system.cluster().control();
    }

    public Mark mark() {
        if (control.isPresent()) {
            return new Mark(control.get().mark(), Map.of());
        }
        return new Mark(-1, Map.of(ServiceKind.GATEWAY, scrape(system.gateways().replicas()),
                ServiceKind.ORCHESTRATOR, scrape(system.orchestrators().replicas())));
    }

    public Counts since(Mark mark, ServiceKind kind) {
        if (control.isPresent()) {
            List<RequestRecord> records = control.get().since(mark.requestSeq()).stream()
                    .filter(r -> r.caller().equals(kind.serviceName()) && r.callerNamespace().equals(system.namespace()))
                    .toList();
            Map<String, Long> byVerb = new java.util.TreeMap<>();
            // the lock's calls (get, create, update, delete): not the Lease sweeps' paged LISTs (issue 19) nor the RO's
            // member informer, which the services' own lease-call counters leave out too
            records.stream().filter(r -> r.isLease() && !r.verb().equals("list") && !r.verb().equals("watch"))
                    .forEach(r -> byVerb.merge(r.verb(), 1L, Long::sum));
            long statusWrites = records.stream().filter(r -> r.isStatusWrite() && r.succeeded()).count();
            long rrLists = records.stream().filter(r -> r.resource().equals("remediationrequests")
                    && r.verb().equals("list")).count();
            return new Counts(byVerb.values().stream().mapToLong(Long::longValue).sum(), statusWrites, byVerb,
                    rrLists, records.size(), "API server request log");
        }
        List<Replica> replicas = kind == ServiceKind.GATEWAY ? system.gateways().replicas() : system.orchestrators().replicas();
        Metrics now = scrape(replicas);
        Metrics before = mark.metrics().getOrDefault(kind, Metrics.empty());
        String prefix = kind == ServiceKind.GATEWAY ? "gateway" : "orchestrator";
        String leaseMetric = prefix + "_lease_api_calls_total";
        Map<String, Long> byVerb = new java.util.TreeMap<>();
        now.sumBy(leaseMetric, "verb").forEach((verb, value) ->
                byVerb.put(verb, Math.round(value - before.sumBy(leaseMetric, "verb").getOrDefault(verb, 0.0))));
        long statusWrites = Math.round(now.sum(prefix + "_status_writes_total") - before.sum(prefix + "_status_writes_total"));
        return new Counts(byVerb.values().stream().mapToLong(Long::longValue).sum(), statusWrites, byVerb, -1, -1,
                "service metrics");
    }

    /**
     * The requests a service sent in a window, from the embedded API server's request log; empty on a real
     * cluster (no request log to read).
     */
    public Optional<List<RequestRecord>> requests(Mark mark, ServiceKind kind) {
        return control.map(c -> c.since(mark.requestSeq()).stream()
                .filter(r -> r.caller().equals(kind.serviceName()) && r.callerNamespace().equals(system.namespace()))
                .toList());
    }

    /**
     * The requests the test itself sent to this system's namespace in a window (admin token: fixtures, the test
     * workflow executor); empty on a real cluster (no request log to read).
     */
    public Optional<List<RequestRecord>> adminRequests(Mark mark) {
        return control.map(c -> c.since(mark.requestSeq()).stream()
                .filter(r -> !r.byService() && r.namespace().equals(system.namespace()))
                .toList());
    }

    private static Metrics scrape(List<Replica> replicas) {
        return Metrics.merge(replicas.stream().filter(Replica::isAlive).map(Replica::metrics).toList());
    }
}
