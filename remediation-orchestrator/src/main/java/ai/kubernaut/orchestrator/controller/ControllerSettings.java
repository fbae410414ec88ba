package ai.kubernaut.orchestrator.controller;

import ai.kubernaut.backoff.BackoffPolicy;
import ai.kubernaut.orchestrator.reconcile.ReconcileSettings;
import ai.kubernaut.orchestrator.retention.RetentionSettings;
import ai.kubernaut.orchestrator.sharding.MembershipSettings;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything one controller instance needs to know, immutable.
 *
 * @param namespace        the controller namespace (POD_NAMESPACE): RRs, WFEs, Leases, Events live there
 * @param podName          this replica's identity (POD_NAME): the Lease holder prefix
 * @param workers          concurrent reconciles (different RRs; one RR is never reconciled twice at once)
 * @param leaseDuration    target Lease duration
 * @param requeueBackoff   delays for requeues after contention, conflicts and errors
 * @param resyncPeriod     periodic re-reconcile of every RR, a safety net only (zero disables)
 * @param membership       member Lease timing: how replicas find each other and divide the targets
 * @param reconcile        phase timeouts and cooldown
 * @param retention        what the retention sweep keeps, and when Leases count as left behind
 */
public record ControllerSettings(String namespace, String podName, int workers, Duration leaseDuration,
        BackoffPolicy requeueBackoff, Duration resyncPeriod, MembershipSettings membership, ReconcileSettings reconcile,
        RetentionSettings retention) {

    public ControllerSettings {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(podName, "podName");
        Objects.requireNonNull(leaseDuration, "leaseDuration");
        Objects.requireNonNull(requeueBackoff, "requeueBackoff");
        Objects.requireNonNull(resyncPeriod, "resyncPeriod");
        Objects.requireNonNull(membership, "membership");
        Objects.requireNonNull(reconcile, "reconcile");
        Objects.requireNonNull(retention, "retention");
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1 but was " + workers);
        }
    }

    public ControllerSettings withReconcile(ReconcileSettings otherReconcile) {
        return new ControllerSettings(namespace, podName, workers, leaseDuration, requeueBackoff, resyncPeriod,
                membership, otherReconcile, retention);
    }

    public ControllerSettings withLeaseDuration(Duration otherDuration) {
        return new ControllerSettings(namespace, podName, workers, otherDuration, requeueBackoff, resyncPeriod,
                membership, reconcile, retention);
    }

    public ControllerSettings withMembership(MembershipSettings otherMembership) {
        return new ControllerSettings(namespace, podName, workers, leaseDuration, requeueBackoff, resyncPeriod,
                otherMembership, reconcile, retention);
    }
}
