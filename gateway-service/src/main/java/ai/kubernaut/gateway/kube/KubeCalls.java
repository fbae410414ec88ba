package ai.kubernaut.gateway.kube;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.RequestConfig;
import io.fabric8.kubernetes.client.RequestConfigBuilder;
import java.time.Duration;
import java.util.function.Function;

/** One Kubernetes request bounded by a timeout of its own, with fabric8's own retries off. */
public final class KubeCalls {

    private KubeCalls() {
    }

    /** Runs {@code op} on a client whose requests give up after {@code timeout} (at least 1 ms). */
    public static <T> T within(KubernetesClient client, Duration timeout, Function<KubernetesClient, T> op) {
        long ms = Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        NamespacedKubernetesClient namespaced = client.adapt(NamespacedKubernetesClient.class);
        RequestConfig rc = new RequestConfigBuilder(namespaced.getConfiguration().getRequestConfig())
                .withRequestTimeout((int) ms).withRequestRetryBackoffLimit(0).build();
        return namespaced.withRequestConfig(rc).call(op::apply);
    }
}
