package ai.kubernaut.gateway.dedup;

import ai.kubernaut.gateway.model.RemediationRequest;
import java.util.List;

/**
 * What this replica believes the RemediationRequests of a fingerprint are, without asking the API server. It may be
 * behind (missing a just-created RR, showing an RR active that turned terminal, still showing a deleted one): the
 * recorder decides from it and keeps safety in guarded writes (see ADR-052-002, addendum "stale view").
 */
interface RemediationRequestView {

    /** The RRs whose {@code spec.signalFingerprint} is {@code fingerprint}, as last seen; possibly stale. */
    List<RemediationRequest> ofFingerprint(String fingerprint);

    /**
     * Whether the view holds {@code name} as a terminal RR of {@code fingerprint}, returned by {@link #ofFingerprint} or
     * not (a view may keep only the head of a fingerprint's terminal chain). Terminal is final: a copy of that RR from
     * anywhere else that is still active is stale.
     */
    default boolean knowsTerminal(String fingerprint, String name) {
        return false;
    }

    /** True once the view holds the full state of the namespace at least once (the first LIST has been stored). */
    boolean synced();

    /** Waits up to {@code max} for {@link #synced()}; the answer at the end. */
    default boolean awaitSynced(java.time.Duration max) {
        return synced();
    }

    /**
     * A wait for an RR of {@code fingerprint} to be stored in the view (added or changed), registered now: look at
     * the view after this, then wait on it (see {@link ViewArrivals}). A view that cannot tell answers a wait that
     * nothing wakes: it waits out its bound.
     */
    default ViewArrivals.Waiter expect(String fingerprint) {
        return ViewArrivals.unobserved(fingerprint);
    }

    /** What the view waits for while it is not synced or not watching (for readiness data); empty when current. */
    default java.util.Optional<String> waitingFor() {
        return java.util.Optional.empty();
    }
}
