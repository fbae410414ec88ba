package ai.kubernaut.gateway.pod;

import io.smallrye.config.ConfigMapping;
import java.util.Optional;

/**
 * Who this replica is. Both come from the Downward API through {@code POD_NAME} and {@code POD_NAMESPACE}
 * ({@code gateway.pod.name=${POD_NAME:}} in application.properties); {@link PodIdentity} refuses to start
 * without them.
 */
@ConfigMapping(prefix = "gateway.pod")
public interface PodConfig {

    /** The pod name: first half of every Lease holder identity. */
    Optional<String> name();

    /** The controller namespace: RemediationRequests and Leases live here. */
    Optional<String> namespace();
}
