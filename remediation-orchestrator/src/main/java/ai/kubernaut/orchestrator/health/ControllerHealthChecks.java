package ai.kubernaut.orchestrator.health;

import ai.kubernaut.orchestrator.controller.ControllerLifecycle;
import ai.kubernaut.orchestrator.controller.RemediationController;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/** Readiness: informers listed and watching (the API server is reachable) and the catalog loaded. Liveness: workers run. */
@ApplicationScoped
public class ControllerHealthChecks {

    @Inject
    ControllerLifecycle lifecycle;

    @Produces
    @Readiness
    HealthCheck ready() {
        return () -> {
            Optional<RemediationController> controller = lifecycle.controller();
            HealthCheckResponseBuilder response = HealthCheckResponse.named("remediation-controller-ready")
                    .status(controller.map(RemediationController::isReady).orElse(false));
            controller.ifPresent(c -> c.healthData().forEach((k, v) -> response.withData(k, String.valueOf(v))));
            return response.build();
        };
    }

    @Produces
    @Liveness
    HealthCheck alive() {
        return () -> HealthCheckResponse.named("remediation-controller-workers")
                .status(lifecycle.controller().map(RemediationController::isAlive).orElse(false)).build();
    }
}
