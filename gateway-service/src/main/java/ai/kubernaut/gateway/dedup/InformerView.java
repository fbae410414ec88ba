package ai.kubernaut.gateway.dedup;

import ai.kubernaut.gateway.kube.InformerRestarts;
import ai.kubernaut.gateway.kube.SupervisedInformer;
import ai.kubernaut.gateway.model.RemediationRequest;
import ai.kubernaut.gateway.model.RemediationRequestSpec;
import ai.kubernaut.gateway.model.RemediationRequestStatus;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.Map;
import java.util.Optional;

/**
 * The watch-backed view: a fabric8 SharedIndexInformer on the RRs of the controller namespace, indexed by
 * {@code spec.signalFingerprint}. Its initial LIST and the relists after a broken watch are the only LISTs of RRs the
 * Gateway makes, read in pages. The store keeps a slim copy of each RR (see {@link #slim}): the namespace may hold thousands, and
 * dedup needs neither the payload, nor labels, nor signal labels/annotations.
 */
final class InformerView implements RemediationRequestView, AutoCloseable {

    static final String BY_FINGERPRINT = "fingerprint";

    private final SupervisedInformer<RemediationRequest> informer;

    private InformerView(SupervisedInformer<RemediationRequest> informer) {
        this.informer = informer;
    }

    /**
     * Starts watching and returns at once; {@link #synced()} turns true once the first LIST is stored. A failed list
     * or watch (a 429 while the API server's cache initializes, a 404 before the CRD is served, no answer) is
     * retried for as long as it takes ({@link SupervisedInformer}).
     */
    static InformerView start(KubernetesClient client, String namespace, InformerRestarts restarts) {
        return new InformerView(SupervisedInformer.start("RemediationRequest",
                client.resources(RemediationRequest.class).inNamespace(namespace), 0, informer -> {
            informer.addIndexers(Map.of(BY_FINGERPRINT, rr -> rr.getSpec() == null
                    || rr.getSpec().getSignalFingerprint() == null ? List.of()
                    : List.of(rr.getSpec().getSignalFingerprint())));
            informer.itemStore(new BasicItemStore<RemediationRequest>(Cache::metaNamespaceKeyFunc) {
                @Override
                public RemediationRequest put(String key, RemediationRequest rr) {
                    return super.put(key, slim(rr));
                }
            });
        }, restarts));
    }

    @Override
    public List<RemediationRequest> ofFingerprint(String fingerprint) {
        return informer.indexer().byIndex(BY_FINGERPRINT, fingerprint);
    }

    @Override
    public boolean synced() {
        return informer.hasSynced();
    }

    @Override
    public boolean awaitSynced(Duration max) {
        if (!informer.hasSynced()) {
            try {
                informer.firstSync().get(Math.max(1, max.toMillis()), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                // not synced yet: the caller answers 503 (the supervisor keeps the informer retrying)
            }
        }
        return informer.hasSynced();
    }

    /** What the view still waits for (its first list, or a restart after a failed list or watch). */
    @Override
    public Optional<String> waitingFor() {
        return informer.waitingFor();
    }

    /** RRs held right now (for the memory measurement and the gauge). */
    int size() {
        return informer.store().list().size();
    }

    /**
     * What dedup reads of an RR, nothing else: name, namespace, resourceVersion, creationTimestamp, the supersedes
     * annotation; spec fingerprint and receivedTime; status phase and deduplication.
     */
    static RemediationRequest slim(RemediationRequest rr) {
        RemediationRequest s = new RemediationRequest();
        ObjectMeta m = new ObjectMeta();
        ObjectMeta from = rr.getMetadata();
        m.setName(from.getName());
        m.setNamespace(from.getNamespace());
        m.setResourceVersion(from.getResourceVersion());
        m.setCreationTimestamp(from.getCreationTimestamp());
        String supersedes = from.getAnnotations() == null ? null
                : from.getAnnotations().get(DedupRules.SUPERSEDES_ANNOTATION);
        if (supersedes != null) {
            m.setAnnotations(Map.of(DedupRules.SUPERSEDES_ANNOTATION, supersedes));
        }
        s.setMetadata(m);
        if (rr.getSpec() != null) {
            RemediationRequestSpec spec = new RemediationRequestSpec();
            spec.setSignalFingerprint(rr.getSpec().getSignalFingerprint());
            spec.setReceivedTime(rr.getSpec().getReceivedTime());
            s.setSpec(spec);
        }
        if (rr.getStatus() != null) {
            RemediationRequestStatus status = new RemediationRequestStatus();
            status.setOverallPhase(rr.getStatus().getOverallPhase());
            status.setDeduplication(rr.getStatus().getDeduplication());
            s.setStatus(status);
        }
        return s;
    }

    @Override
    public void close() {
        informer.close();
    }
}
