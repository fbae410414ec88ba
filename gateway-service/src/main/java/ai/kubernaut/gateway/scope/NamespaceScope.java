package ai.kubernaut.gateway.scope;

import ai.kubernaut.gateway.signal.Signal;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Optional;

/**
 * Decides whether a signal's resource is in scope. Out-of-scope signals are answered 200 {@code rejected} and
 * never reach the cluster. A {@code Namespace} resource is judged by its own name.
 */
@ApplicationScoped
public class NamespaceScope {

    private final List<String> allow;
    private final List<String> deny;
    private final boolean allowClusterScoped;

    @Inject
    public NamespaceScope(ScopeConfig config) {
        this(config.allowNamespaces().orElse(List.of()), config.denyNamespaces().orElse(List.of()),
                config.allowClusterScoped());
    }

    public NamespaceScope(List<String> allow, List<String> deny, boolean allowClusterScoped) {
        this.allow = clean(allow);
        this.deny = clean(deny);
        this.allowClusterScoped = allowClusterScoped;
    }

    /** @return why the resource is out of scope, or empty when it is in scope */
    public Optional<String> rejection(Signal.Resource resource) {
        String namespace = resource.namespace();
        if (namespace.isEmpty() && "Namespace".equals(resource.kind())) {
            namespace = resource.name();
        }
        if (namespace.isEmpty()) {
            return allowClusterScoped ? Optional.empty()
                    : Optional.of("cluster-scoped resources are out of scope (gateway.scope.allow-cluster-scoped=false)");
        }
        if (matchesAny(deny, namespace)) {
            return Optional.of("namespace " + namespace + " is denied by gateway.scope.deny-namespaces");
        }
        if (!allow.isEmpty() && !matchesAny(allow, namespace)) {
            return Optional.of("namespace " + namespace + " is not in gateway.scope.allow-namespaces");
        }
        return Optional.empty();
    }

    private static boolean matchesAny(List<String> patterns, String namespace) {
        for (String p : patterns) {
            if (p.endsWith("*") ? namespace.startsWith(p.substring(0, p.length() - 1)) : namespace.equals(p)) {
                return true;
            }
        }
        return false;
    }

    private static List<String> clean(List<String> patterns) {
        return patterns.stream().map(String::trim).filter(p -> !p.isEmpty()).toList();
    }
}
