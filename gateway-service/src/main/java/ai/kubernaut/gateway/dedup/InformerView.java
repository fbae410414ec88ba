package ai.kubernaut.gateway.dedup;

import ai.kubernaut.gateway.kube.InformerRestarts;
import ai.kubernaut.gateway.kube.SupervisedInformer;
import ai.kubernaut.gateway.model.RemediationRequest;
import ai.kubernaut.gateway.model.RemediationRequestSpec;
import ai.kubernaut.gateway.model.RemediationRequestStatus;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.Map;
import java.util.Optional;

/**
 * The watch-backed view: a fabric8 informer on the RRs of the controller namespace, whose item store
 * ({@link ViewStore}) keeps by {@code spec.signalFingerprint} what deduplication reads: active RRs as slim copies
 * ({@link #slim}), terminal ones as links of their fingerprint's supersedes chain. Its lists (the first, and a
 * relist after a broken watch) are read in pages, each item slimmed as it is stored, and are the only LISTs of RRs
 * the Gateway makes. A namespace may hold months of RRs: what it costs is in docs/operations.md.
 */
final class InformerView implements RemediationRequestView, AutoCloseable {

    private final SupervisedInformer<ViewedRemediationRequest> informer;
    private final ViewStore store;

    private InformerView(SupervisedInformer<ViewedRemediationRequest> informer, ViewStore store) {
        this.informer = informer;
        this.store = store;
    }

    /**
     * Starts watching and returns at once; {@link #synced()} turns true once the first LIST is stored. A failed list
     * or watch (a 429 while the API server's cache initializes, a 404 before the CRD is served, no answer) is
     * retried for as long as it takes ({@link SupervisedInformer}).
     */
    static InformerView start(KubernetesClient client, String namespace, InformerRestarts restarts) {
        ViewStore store = new ViewStore(client.getKubernetesSerialization());
        return new InformerView(SupervisedInformer.start("RemediationRequest",
                client.resources(ViewedRemediationRequest.class).inNamespace(namespace), 0, store, informer -> {
                }, restarts), store);
    }

    @Override
    public List<RemediationRequest> ofFingerprint(String fingerprint) {
        return store.ofFingerprint(fingerprint);
    }

    @Override
    public boolean knowsTerminal(String fingerprint, String name) {
        return store.knowsTerminal(fingerprint, name);
    }

    /** Woken by the informer as soon as it stores an RR of the fingerprint. */
    @Override
    public ViewArrivals.Waiter expect(String fingerprint) {
        return store.arrivals().expect(fingerprint);
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

    /** RRs known right now, active or as links (the gauge; the benchmark waits on it). */
    int size() {
        return store.size();
    }

    /**
     * What dedup reads of an RR, nothing else: name, namespace, resourceVersion, creationTimestamp, the supersedes
     * annotation; spec fingerprint and receivedTime; status phase and deduplication.
     */
    static RemediationRequest slim(RemediationRequest rr) {
        RemediationRequest s = new RemediationRequest();
        s.setMetadata(slimMetadata(rr.getMetadata()));
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

    /** The metadata dedup reads: name, namespace, resourceVersion, creationTimestamp, the supersedes annotation. */
    static ObjectMeta slimMetadata(ObjectMeta from) {
        ObjectMeta m = new ObjectMeta();
        m.setName(from.getName());
        m.setNamespace(from.getNamespace());
        m.setResourceVersion(from.getResourceVersion());
        m.setCreationTimestamp(from.getCreationTimestamp());
        String supersedes = from.getAnnotations() == null ? null
                : from.getAnnotations().get(DedupRules.SUPERSEDES_ANNOTATION);
        if (supersedes != null) {
            m.setAnnotations(Map.of(DedupRules.SUPERSEDES_ANNOTATION, supersedes));
        }
        return m;
    }

    @Override
    public void close() {
        informer.close();
    }
}
