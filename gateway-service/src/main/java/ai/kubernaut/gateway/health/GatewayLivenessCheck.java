package ai.kubernaut.gateway.health;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Alive as long as the process answers HTTP. Deliberately does not depend on the API server: an outage there
 * must make replicas unready, not restart them all.
 */
@Liveness
@ApplicationScoped
public class GatewayLivenessCheck implements HealthCheck {

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.up("gateway");
    }
}
