package ai.kubernaut.gateway.dedup;

import ai.kubernaut.backoff.BackoffPolicy;
import ai.kubernaut.gateway.lock.LockConfig;
import ai.kubernaut.gateway.pod.PodIdentity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import jakarta.interceptor.Interceptor;
import org.jboss.logging.Logger;

/** Wires the replica's {@link SignalRecorder} from configuration. */
@ApplicationScoped
public class SignalRecorderProducer {

    private static final Logger LOG = Logger.getLogger(SignalRecorderProducer.class);

    @Produces
    @Singleton
    DeduplicatingSignalRecorder signalRecorder(KubernetesClient client, MeterRegistry registry, PodIdentity pod,
            DedupConfig dedup, LockConfig lock) {
        RecorderSettings settings = new RecorderSettings(pod.namespace(), pod.name(),
                dedup.kubernetesDeadline(), dedup.apiMaxAttempts(), dedup.apiRetryAfter(), lock.enabled(),
                lock.leaseDuration(), lock.retryAfter(), lock.localWait(), lock.holderWait(), BackoffPolicy.adr052(),
                RecorderSettings.defaultStatusPolicy());
        if (!lock.enabled()) {
            LOG.warn("gateway.lock.enabled=false: NO Lease is taken around RemediationRequest creation. Only the "
                    + "in-process exclusion and the fenced RR name prevent duplicates (expect 409s). Comparison runs "
                    + "only.");
        }
        LOG.infof("signal recorder: pod=%s namespace=%s lease=%s deadline=%s", pod.name(),
                pod.namespace(), lock.enabled() ? lock.leaseDuration() : "off",
                dedup.kubernetesDeadline());
        return new DeduplicatingSignalRecorder(settings, client, registry);
    }

    /**
     * At shutdown, after the HTTP drain and after {@code SignalExecutor} let the running signals finish (it observes
     * at the default priority): release the Leases while the Kubernetes client is still open. Bean destruction comes
     * later and in no set order; there the client was already closed ("Client is closed") and Leases were left to
     * expire, blocking their fingerprints for the lease duration.
     */
    void releaseAtShutdown(@Observes @Priority(Interceptor.Priority.APPLICATION + 1000) ShutdownEvent event,
            DeduplicatingSignalRecorder recorder) {
        recorder.close();
    }

    void close(@Disposes DeduplicatingSignalRecorder recorder) {
        recorder.close(); // idempotent; a no-op after releaseAtShutdown
    }
}
