package ai.kubernaut.gateway.ingest;

import ai.kubernaut.gateway.dedup.Recorded;
import ai.kubernaut.gateway.dedup.RecordingFailure;
import ai.kubernaut.gateway.dedup.SignalRecorder;
import ai.kubernaut.gateway.fingerprint.Fingerprints;
import ai.kubernaut.gateway.fingerprint.OwnerResolver;
import ai.kubernaut.gateway.scope.NamespaceScope;
import ai.kubernaut.gateway.signal.Signal;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * One signal from candidate to answer: scope, owner resolution, fingerprint, then the {@link SignalRecorder}
 * (dedup and RemediationRequest creation). Never throws: every failure becomes a FAILED outcome, so that one
 * alert of a batch cannot take the others down.
 */
@ApplicationScoped
class SignalProcessor {

    private static final Logger LOG = Logger.getLogger(SignalProcessor.class);
    private static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(1);

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

    SignalOutcome process(ParsedItem item, Instant receivedAt) {
        if (item.invalid() != null) {
            metrics.rejected("invalid_signal");
            return SignalOutcome.failed(400, null, "invalid_signal", "invalid signal", item.invalid().getMessage(),
                    null, "invalid-signal", "Invalid signal", item.invalid().field());
        }
        if (item.rejection() != null) {
            metrics.rejected(item.rejection().reason());
            return SignalOutcome.rejected(null, item.rejection().reason(), item.rejection().message());
        }
        return process(item.candidate(), receivedAt);
    }

    private SignalOutcome process(SignalCandidate c, Instant receivedAt) {
        metrics.received(c.signalType(), c.severity());
        Optional<String> outOfScope = scope.rejection(c.resource());
        if (outOfScope.isPresent()) {
            metrics.rejected("out_of_scope");
            LOG.debugf("signal %s rejected: %s", c.signalName(), outOfScope.get());
            return SignalOutcome.rejected(null, "out_of_scope", outOfScope.get());
        }
        String fingerprint = null;
        try {
            Signal.Resource resource = owners.resolve(c.resource());
            fingerprint = Fingerprints.of(c.clusterId(), resource);
            Signal signal = new Signal(fingerprint, c.signalName(), c.severity(), c.signalType(), c.signalSource(),
                    resource, c.clusterId(), c.firingTime(), receivedAt, c.labels(), c.annotations(),
                    c.originalPayload());
            Recorded recorded = recorders.get().record(signal);
            if (recorded.outcome() == Recorded.Outcome.CREATED) {
                LOG.infof("signal %s created RemediationRequest %s/%s (fingerprint=%s, resource=%s %s/%s)",
                        c.signalName(), recorded.rrNamespace(), recorded.rrName(), fingerprint, resource.kind(),
                        resource.namespace(), resource.name());
            } else {
                LOG.debugf("signal %s counted on RemediationRequest %s/%s, occurrence %d (fingerprint=%s)",
                        c.signalName(), recorded.rrNamespace(), recorded.rrName(), recorded.occurrenceCount(),
                        fingerprint);
            }
            return SignalOutcome.recorded(fingerprint, recorded);
        } catch (RecordingFailure f) {
            LOG.warnf("signal %s not recorded (fingerprint=%s): %s %s", c.signalName(), fingerprint, f.reason(),
                    f.getMessage());
            return failure(fingerprint, f);
        } catch (RuntimeException e) {
            LOG.errorf(e, "signal %s not recorded (fingerprint=%s): unexpected error", c.signalName(), fingerprint);
            return SignalOutcome.failed(500, fingerprint, "internal_error", "signal not recorded",
                    "internal error (" + e.getClass().getSimpleName() + ")", null, "internal-error",
                    "Internal error", null);
        }
    }

    /** LOCK_TIMEOUT 503 + Retry-After; KUBERNETES_DEADLINE 504; API_ERROR 503 when the server said 5xx, else 500. */
    static SignalOutcome failure(String fingerprint, RecordingFailure f) {
        String message = f.getMessage() == null ? f.reason().name() : f.getMessage();
        return switch (f.reason()) {
            case LOCK_TIMEOUT -> SignalOutcome.failed(503, fingerprint, "lock_timeout", "signal not recorded",
                    message, retryAfter(f), "lock-timeout", "Lock contention, retry later", null);
            case KUBERNETES_DEADLINE -> SignalOutcome.failed(504, fingerprint, "kubernetes_deadline",
                    "signal not recorded", message, null, "kubernetes-deadline", "Kubernetes deadline exceeded",
                    null);
            case API_UNAVAILABLE -> SignalOutcome.failed(503, fingerprint, "api_error", "signal not recorded",
                    message, retryAfter(f), "kubernetes-unavailable", "Kubernetes API unavailable", null);
            case API_ERROR -> serverSide(f)
                    ? SignalOutcome.failed(503, fingerprint, "api_error", "signal not recorded", message,
                            retryAfter(f), "kubernetes-unavailable", "Kubernetes API unavailable", null)
                    : SignalOutcome.failed(500, fingerprint, "api_error", "signal not recorded", message, null,
                            "kubernetes-error", "Kubernetes API error", null);
        };
    }

    private static boolean serverSide(RecordingFailure f) {
        for (Throwable t = f.getCause(); t != null; t = t.getCause()) {
            if (t instanceof KubernetesClientException k && k.getCode() >= 500) {
                return true;
            }
        }
        return false;
    }

    private static Duration retryAfter(RecordingFailure f) {
        return f.retryAfter() == null || f.retryAfter().isNegative() || f.retryAfter().isZero()
                ? DEFAULT_RETRY_AFTER : f.retryAfter();
    }
}
