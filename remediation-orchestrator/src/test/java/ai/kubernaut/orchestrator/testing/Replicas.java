package ai.kubernaut.orchestrator.testing;

import ai.kubernaut.orchestrator.catalog.CatalogWorkflowSelector;
import ai.kubernaut.orchestrator.controller.ControllerSettings;
import ai.kubernaut.orchestrator.controller.RemediationController;
import ai.kubernaut.orchestrator.metrics.OrchestratorMetrics;
import ai.kubernaut.orchestrator.reconcile.CreationHook;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Extra controller instances in the test JVM, each with its own client, catalog selector and pod name: the
 * "replicas" of an active-active deployment sharing one API server.
 */
public final class Replicas implements AutoCloseable {

    private final List<RemediationController> controllers = new ArrayList<>();
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final Supplier<KubernetesClient> clients;
    private final OrchestratorMetrics metrics;

    public Replicas(Supplier<KubernetesClient> clients, OrchestratorMetrics metrics) {
        this.clients = clients;
        this.metrics = metrics;
    }

    public RemediationController start(ControllerSettings settings, CreationHook hook) {
        KubernetesClient client = clients.get();
        CatalogWorkflowSelector selector = new CatalogWorkflowSelector(client, settings.namespace(),
                CatalogWorkflowSelector.CONFIG_MAP_NAME).start();
        RemediationController controller = new RemediationController(client, settings, selector, metrics,
                Clock.systemUTC(), hook).start();
        controllers.add(controller);
        resources.add(controller);
        resources.add(selector);
        resources.add(client);
        return controller;
    }

    /** Stops the {@code index}-th replica started (as a pod shut down: its member Lease is deleted). */
    public void stop(int index) {
        for (int i = 3 * index; i < 3 * index + 3; i++) {
            try {
                resources.get(i).close();
                resources.set(i, () -> { });
            } catch (Exception e) {
                throw new IllegalStateException("could not stop replica " + index, e);
            }
        }
    }

    public List<RemediationController> controllers() {
        return List.copyOf(controllers);
    }

    public boolean allReady() {
        return controllers.stream().allMatch(RemediationController::isReady);
    }

    @Override
    public void close() {
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (Exception e) {
                throw new IllegalStateException("could not stop a replica's " + resource, e);
            }
        }
        resources.clear();
        controllers.clear();
    }
}
