package ai.kubernaut.gateway.dedup;

import ai.kubernaut.gateway.model.RemediationRequest;

/**
 * What the recorder's parts share: the settings, the RR calls (each with bounded retries inside the deadline), the
 * metrics and this replica's recent writes.
 */
record RecorderContext(RecorderSettings settings, RemediationRequestApi rrs, ApiCalls api, DedupMetrics metrics,
        RecentWrites recent) {

    /** GET by name (a single-key read, retried on transient faults); null when a 404 names it. */
    RemediationRequest read(String name, Deadline deadline) {
        return api.call("reading RemediationRequest " + name, deadline, t -> rrs.get(name, t));
    }
}
