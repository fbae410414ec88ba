package ai.kubernaut.orchestrator.config;

import ai.kubernaut.orchestrator.catalog.CatalogWorkflowSelector;
import ai.kubernaut.orchestrator.catalog.WorkflowSelector;
import ai.kubernaut.orchestrator.metrics.OrchestratorMetrics;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** CDI wiring of the plain-Java parts. */
@Singleton
public class OrchestratorBeans {

    /** Fails start-up with a clear message when POD_NAME or POD_NAMESPACE is missing. */
    @Produces
    @Singleton
    PodIdentity podIdentity(OrchestratorConfig config) {
        return PodIdentity.from(config);
    }

    @Produces
    @Singleton
    OrchestratorMetrics metrics(MeterRegistry registry) {
        return new OrchestratorMetrics(registry);
    }

    /** The catalog ConfigMap selector, unless another WorkflowSelector bean (e.g. an AI one) is present. */
    @Produces
    @Singleton
    @DefaultBean
    WorkflowSelector workflowSelector(KubernetesClient client, PodIdentity identity, OrchestratorConfig config) {
        return new CatalogWorkflowSelector(client, identity.namespace(), config.catalog().configMap()).start();
    }

    void closeSelector(@Disposes WorkflowSelector selector) {
        if (selector instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                // shutting down: nothing to do about it
            }
        }
    }
}
