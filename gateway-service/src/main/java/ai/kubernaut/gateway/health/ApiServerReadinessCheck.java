package ai.kubernaut.gateway.health;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.RequestConfigBuilder;
import io.fabric8.kubernetes.client.VersionInfo;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Not ready while the API server cannot be reached: every signal needs it (auth reviews, owner lookups,
 * RemediationRequests). The check is {@code GET /version} without retries; any HTTP answer below 500 counts
 * as reachable (a 401/403 is still an answering server). Results are reused for a few seconds.
 */
@Readiness
@ApplicationScoped
public class ApiServerReadinessCheck implements HealthCheck {

    static final String NAME = "kubernetes-api-server";

    private final ApiServerProbe probe;

    @Inject
    public ApiServerReadinessCheck(KubernetesClient client, HealthConfig config) {
        KubernetesClient quick = client.newClient(new RequestConfigBuilder(client.getConfiguration().getRequestConfig())
                .withRequestTimeout((int) Math.max(1, config.apiServerTimeout().toMillis()))
                .withRequestRetryBackoffLimit(0)
                .build()).adapt(KubernetesClient.class);
        this.probe = new ApiServerProbe(() -> versionOf(quick), config.apiServerTimeout(),
                config.apiServerCacheTtl(), Clock.systemUTC());
    }

    static String versionOf(KubernetesClient client) {
        try {
            VersionInfo v = client.getKubernetesVersion();
            return v == null ? "answered" : "version " + v.getGitVersion();
        } catch (KubernetesClientException e) {
            if (e.getCode() > 0 && e.getCode() < 500) {
                return "answered HTTP " + e.getCode();
            }
            throw e;
        }
    }

    @Override
    public HealthCheckResponse call() {
        ApiServerProbe.Result r = probe.result();
        return HealthCheckResponse.named(NAME).status(r.up()).withData("detail", r.detail())
                .withData("checkedAt", r.at().toString()).build();
    }

    @PreDestroy
    void close() {
        probe.close();
    }
}
