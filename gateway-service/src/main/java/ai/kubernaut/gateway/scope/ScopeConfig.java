package ai.kubernaut.gateway.scope;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.List;
import java.util.Optional;

/** Which namespaces the Gateway remediates. */
@ConfigMapping(prefix = "gateway.scope")
public interface ScopeConfig {

    /** Namespaces accepted (exact names, or a prefix ending in '*'); empty = every namespace. */
    Optional<List<String>> allowNamespaces();

    /** Namespaces refused even when allowed (same syntax); deny wins over allow. */
    Optional<List<String>> denyNamespaces();

    /** Whether signals about cluster-scoped resources (Node, PersistentVolume...) are accepted. */
    @WithDefault("true")
    boolean allowClusterScoped();
}
