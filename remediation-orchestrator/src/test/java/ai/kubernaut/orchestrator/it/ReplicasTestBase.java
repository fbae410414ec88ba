package ai.kubernaut.orchestrator.it;

import ai.kubernaut.orchestrator.cluster.TestApiServerResource;
import ai.kubernaut.orchestrator.cluster.TestCatalog;
import ai.kubernaut.orchestrator.config.OrchestratorConfig;
import ai.kubernaut.orchestrator.config.PodIdentity;
import ai.kubernaut.orchestrator.controller.ControllerLifecycle;
import ai.kubernaut.orchestrator.controller.ControllerSettings;
import ai.kubernaut.orchestrator.metrics.OrchestratorMetrics;
import ai.kubernaut.orchestrator.testing.ClusterOps;
import ai.kubernaut.orchestrator.testing.Replicas;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;

/**
 * Tests that run their own controller instances ("replicas") in a namespace of their own, next to the
 * application's controller, against the shared test API server. Stops them, and any hook, after each test.
 */
abstract class ReplicasTestBase {

    static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    OrchestratorConfig config;

    @Inject
    OrchestratorMetrics metrics;

    @Inject
    MeterRegistry registry;

    Replicas replicas;
    KubernetesClient client;

    /** A client, the test catalog and an empty replica set for {@code namespace}. */
    ClusterOps inNamespace(String namespace) {
        client = TestApiServerResource.server().adminClient();
        TestCatalog.install(client, namespace);
        replicas = new Replicas(() -> TestApiServerResource.orchestratorClient(namespace), metrics);
        return new ClusterOps(client, namespace);
    }

    /** The application's configured settings for another pod in {@code namespace}. */
    ControllerSettings settings(String namespace, String pod) {
        return ControllerLifecycle.settings(config, new PodIdentity(pod, namespace));
    }

    double counter(String name) {
        return registry.get(name).counter().count();
    }

    @AfterEach
    void stopReplicas() throws Exception {
        TestApiServerResource.server().hook(null);
        if (replicas != null) {
            replicas.close();
        }
        if (client != null) {
            client.close();
        }
    }
}
