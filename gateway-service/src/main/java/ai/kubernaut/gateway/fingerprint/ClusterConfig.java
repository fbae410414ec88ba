package ai.kubernaut.gateway.fingerprint;

import io.smallrye.config.ConfigMapping;
import java.util.Optional;

/** Identity of the cluster the signals come from. */
@ConfigMapping(prefix = "gateway.cluster")
public interface ClusterConfig {

    /**
     * Cluster id used when a signal does not carry one (alert label {@code cluster}, or
     * {@code commonLabels.cluster}); unset means no cluster prefix in the fingerprint.
     */
    Optional<String> id();
}
