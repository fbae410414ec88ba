package ai.kubernaut.orchestrator.catalog;

import ai.kubernaut.orchestrator.kube.InformerRestarts;
import ai.kubernaut.orchestrator.kube.SupervisedInformer;
import ai.kubernaut.orchestrator.model.RemediationRequest;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * The default {@link WorkflowSelector}: the workflow catalog ConfigMap, watched by an informer and re-parsed on
 * every change (hot reload). A malformed update keeps the last good catalog and logs why; a deleted ConfigMap
 * empties the catalog (every RR then fails with NoMatchingWorkflow, which is what the cluster says).
 */
public final class CatalogWorkflowSelector implements WorkflowSelector, AutoCloseable {

    public static final String CONFIG_MAP_NAME = "kubernaut-workflow-catalog";
    public static final String CATALOG_KEY = "catalog.yaml";

    private static final Logger LOG = Logger.getLogger(CatalogWorkflowSelector.class);

    private final KubernetesClient client;
    private final String namespace;
    private final String configMapName;
    private final AtomicReference<WorkflowCatalog> catalog = new AtomicReference<>(WorkflowCatalog.EMPTY);
    private volatile String lastError;
    private volatile SupervisedInformer<ConfigMap> informer;
    private final InformerRestarts restarts = InformerRestarts.standard("ro-catalog-informer");

    public CatalogWorkflowSelector(KubernetesClient client, String namespace, String configMapName) {
        this.client = client;
        this.namespace = namespace;
        this.configMapName = configMapName;
    }

    /**
     * Starts watching the ConfigMap; does not wait for the first list (see {@link #isReady()}); a failed list or
     * watch is retried for as long as it takes ({@link SupervisedInformer}).
     */
    public CatalogWorkflowSelector start() {
        ResourceEventHandler<ConfigMap> reload = new ResourceEventHandler<>() {
            @Override
            public void onAdd(ConfigMap cm) {
                load(cm);
            }

            @Override
            public void onUpdate(ConfigMap old, ConfigMap cm) {
                load(cm);
            }

            @Override
            public void onDelete(ConfigMap cm, boolean unknownFinalState) {
                catalog.set(WorkflowCatalog.EMPTY);
                LOG.warnf("workflow catalog ConfigMap %s/%s deleted: no workflow matches until it is back",
                        namespace, configMapName);
            }
        };
        informer = SupervisedInformer.start("workflow catalog ConfigMap",
                client.configMaps().inNamespace(namespace).withName(configMapName), 0,
                started -> started.addEventHandler(reload), restarts);
        return this;
    }

    void load(ConfigMap cm) {
        String yaml = cm.getData() == null ? null : cm.getData().get(CATALOG_KEY);
        try {
            WorkflowCatalog parsed = WorkflowCatalog.parse(yaml, client.getKubernetesSerialization());
            catalog.set(parsed);
            lastError = null;
            LOG.infof("workflow catalog loaded: configMap=%s/%s resourceVersion=%s entries=%d", namespace,
                    configMapName, cm.getMetadata().getResourceVersion(), parsed.entries().size());
        } catch (IllegalArgumentException e) {
            lastError = e.getMessage();
            LOG.errorf("workflow catalog %s/%s key %s rejected, keeping the previous one: %s", namespace,
                    configMapName, CATALOG_KEY, e.getMessage());
        }
    }

    @Override
    public Optional<WorkflowSelection> select(RemediationRequest request) {
        var spec = request.getSpec();
        return spec == null ? Optional.empty() : catalog.get().match(spec.getSignalName(), spec.getSeverity());
    }

    @Override
    public boolean isReady() {
        SupervisedInformer<ConfigMap> current = informer;
        return current != null && current.hasSynced();
    }

    @Override
    public Optional<String> waitingFor() {
        SupervisedInformer<ConfigMap> current = informer;
        return current == null ? Optional.of("workflow catalog ConfigMap: not started") : current.waitingFor();
    }

    /** The last parse error of the ConfigMap, if its current content is rejected. */
    public Optional<String> lastError() {
        return Optional.ofNullable(lastError);
    }

    public WorkflowCatalog catalog() {
        return catalog.get();
    }

    @Override
    public void close() {
        SupervisedInformer<ConfigMap> current = informer;
        if (current != null) {
            current.close();
        }
        restarts.timer().shutdownNow();
    }
}
