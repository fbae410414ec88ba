package ai.kubernaut.gateway.dedup;

import ai.kubernaut.gateway.model.RemediationRequest;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * What one request knows about its fingerprint's RRs: the view, this replica's recent writes, and what this request
 * itself read (fresher than the view) or found gone (ADR-052-002 addendum, "why a stale view cannot make a wrong
 * decision"). Used by one thread: the request's.
 */
final class KnownRrs {

    private static final Logger LOG = Logger.getLogger(KnownRrs.class);

    private final String fingerprint;
    private final RemediationRequestView view;
    private final RecentWrites recent;
    private final Map<String, RemediationRequest> read = new HashMap<>();
    private final Set<String> gone = new HashSet<>();

    KnownRrs(String fingerprint, RemediationRequestView view, RecentWrites recent) {
        this.fingerprint = fingerprint;
        this.view = view;
        this.recent = recent;
    }

    DedupRules.View decide() {
        Map<String, RemediationRequest> all = new HashMap<>();
        recent.merge(fingerprint, view.ofFingerprint(fingerprint), name -> view.knowsTerminal(fingerprint, name))
                .forEach(rr -> all.put(rr.getMetadata().getName(), rr));
        read.forEach((name, rr) -> all.merge(name, rr,
                (other, mine) -> RecentWrites.progress(other) > RecentWrites.progress(mine) ? other : mine));
        gone.forEach(all::remove);
        DedupRules.View v = DedupRules.view(fingerprint, List.copyOf(all.values()));
        if (v.activeCount() > 1) {
            LOG.warnf("fingerprint=%s has %d active RemediationRequests; counting on the oldest rr=%s",
                    fingerprint, v.activeCount(), v.active().getMetadata().getName());
        }
        return v;
    }

    /**
     * A wait for an RR of the fingerprint to reach the view, registered now: {@link #decide()} after this, then wait
     * on it, and no RR stored in between is missed.
     */
    ViewArrivals.Waiter expectArrival() {
        return view.expect(fingerprint);
    }

    /** An RR this request read: it overrides the view from now on (and this replica's next requests see it). */
    void learn(RemediationRequest rr) {
        read.put(rr.getMetadata().getName(), rr);
        gone.remove(rr.getMetadata().getName());
        recent.remember(rr);
    }

    /** An RR found deleted: left out of every later decision of this request. */
    void lost(String name) {
        read.remove(name);
        gone.add(name);
        recent.forget(fingerprint, name);
    }
}
