package ai.kubernaut.gateway.ingest;

import ai.kubernaut.gateway.dedup.Recorded;
import ai.kubernaut.gateway.dedup.RecordingFailure;
import ai.kubernaut.gateway.dedup.SignalRecorder;
import ai.kubernaut.gateway.fingerprint.Fingerprints;
import ai.kubernaut.gateway.fingerprint.OwnerResolver;
import ai.kubernaut.gateway.kube.ApiFaults;
import ai.kubernaut.gateway.kube.KubernetesDeadlineException;
import ai.kubernaut.gateway.kube.KubernetesUnavailableException;
import ai.kubernaut.gateway.kube.RequestDeadline;
import ai.kubernaut.gateway.scope.NamespaceScope;
import ai.kubernaut.gateway.signal.Signal;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * One signal from candidate to answer: scope, owner resolution, fingerprint, then the {@link SignalRecorder}
 * (dedup and RemediationRequest creation), both within the request's {@link RequestDeadline}. Never throws: every
 * failure becomes a {@link SignalOutcome.Failed}, so that one alert of a batch cannot take the others down.
 */
@ApplicationScoped
class SignalProcessor {

    private static final Logger LOG = Logger.getLogger(SignalProcessor.class);

    private final NamespaceScope scope;
    private final OwnerResolver owners;
    private final Instance<SignalRecorder> recorders;
    private final IngestMetrics metrics;

    @Inject
    SignalProcessor(NamespaceScope scope, OwnerResolver owners, Instance<SignalRecorder> recorders,
            IngestMetrics metrics) {
        this.scope = scope;
        this.owners = owners;
        this.recorders = recorders;
        this.metrics = metrics;
    }

    /** Fails start-up with a clear message when no module provides the recorder (dedup implementation). */
    void requireRecorder(@Observes StartupEvent event) {
        if (!recorders.isResolvable()) {
            throw new IllegalStateException("no usable " + SignalRecorder.class.getName()
                    + " bean: the dedup module must provide exactly one implementation");
        }
    }

    /** @param deadline the request's Kubernetes deadline, shared with its token review and its other signals */
    SignalOutcome process(ParsedItem item, Instant receivedAt, RequestDeadline deadline) {
        if (item.invalid() != null) {
            metrics.rejected("invalid_signal");
            return new SignalOutcome.Failed(null, ProblemType.INVALID_SIGNAL, item.invalid().getMessage(),
                    item.invalid().field(), null);
        }
        if (item.rejection() != null) {
            metrics.rejected(item.rejection().reason());
            return new SignalOutcome.Rejected(null, item.rejection().reason(), item.rejection().message());
        }
        return process(item.candidate(), receivedAt, deadline);
    }

    private SignalOutcome process(SignalCandidate c, Instant receivedAt, RequestDeadline deadline) {
        metrics.received(c.signalType(), c.severity());
        Optional<String> outOfScope = scope.rejection(c.resource());
        if (outOfScope.isPresent()) {
            metrics.rejected("out_of_scope");
            LOG.debugf("signal %s rejected: %s", c.signalName(), outOfScope.get());
            return new SignalOutcome.Rejected(null, "out_of_scope", outOfScope.get());
        }
        String fingerprint = null;
        try {
            Signal.Resource resource = owners.resolve(c.resource(), c.labels(), deadline);
            fingerprint = Fingerprints.of(c.clusterId(), resource);
            Signal signal = new Signal(fingerprint, c.signalName(), c.severity(), c.signalType(), c.signalSource(),
                    resource, c.clusterId(), c.firingTime(), receivedAt, c.labels(), c.annotations(),
                    c.originalPayload());
            Recorded recorded = recorders.get().record(signal, deadline);
            if (recorded.outcome() == Recorded.Outcome.CREATED) {
                LOG.infof("signal %s created RemediationRequest %s/%s (fingerprint=%s, resource=%s %s/%s)",
                        c.signalName(), recorded.rrNamespace(), recorded.rrName(), fingerprint, resource.kind(),
                        resource.namespace(), resource.name());
            } else {
                LOG.debugf("signal %s counted on RemediationRequest %s/%s, occurrence %d (fingerprint=%s)",
                        c.signalName(), recorded.rrNamespace(), recorded.rrName(), recorded.occurrenceCount(),
                        fingerprint);
            }
            return new SignalOutcome.Counted(fingerprint, recorded);
        } catch (RecordingFailure f) {
            LOG.warnf("signal %s not recorded (fingerprint=%s): %s %s", c.signalName(), fingerprint, f.reason(),
                    f.getMessage());
            return failure(fingerprint, f);
        } catch (KubernetesDeadlineException | KubernetesUnavailableException e) {
            // an owner lookup: one that got no answer because the deadline came is the deadline's 504
            boolean late = e instanceof KubernetesDeadlineException || deadline.expired();
            LOG.warnf("signal %s not recorded: %s", c.signalName(), e.getMessage());
            return new SignalOutcome.Failed(fingerprint, late ? ProblemType.KUBERNETES_DEADLINE
                    : ProblemType.KUBERNETES_UNAVAILABLE, late && e instanceof KubernetesUnavailableException
                    ? deadline.describe("looking up the owner (" + e.getMessage() + ")") : e.getMessage(), null,
                    null);
        } catch (RuntimeException e) {
            LOG.errorf(e, "signal %s not recorded (fingerprint=%s): unexpected error", c.signalName(), fingerprint);
            return new SignalOutcome.Failed(fingerprint, ProblemType.INTERNAL_ERROR,
                    "internal error (" + e.getClass().getSimpleName() + ")", null, null);
        }
    }

    /**
     * LOCK_TIMEOUT 503, KUBERNETES_DEADLINE 504, API_UNAVAILABLE 503, API_ERROR 500 unless {@link ApiFaults} calls
     * its cause transient (503). The failure's Retry-After is kept (null: the configured default).
     */
    static SignalOutcome.Failed failure(String fingerprint, RecordingFailure f) {
        String message = f.getMessage() == null ? f.reason().name() : f.getMessage();
        ProblemType type = switch (f.reason()) {
            case LOCK_TIMEOUT -> ProblemType.LOCK_TIMEOUT;
            case KUBERNETES_DEADLINE -> ProblemType.KUBERNETES_DEADLINE;
            case API_UNAVAILABLE -> ProblemType.KUBERNETES_UNAVAILABLE;
            case API_ERROR -> ApiFaults.isTransient(f) ? ProblemType.KUBERNETES_UNAVAILABLE
                    : ProblemType.KUBERNETES_ERROR;
        };
        return new SignalOutcome.Failed(fingerprint, type, message, null, type.retryable() ? f.retryAfter() : null);
    }
}
