package ai.kubernaut.gateway.scope;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.gateway.signal.Signal;
import java.util.List;
import org.junit.jupiter.api.Test;

class NamespaceScopeTest {

    private static Signal.Resource pod(String ns) {
        return new Signal.Resource("Pod", "p", ns, "v1");
    }

    @Test
    void emptyAllowListMeansEveryNamespace() {
        NamespaceScope scope = new NamespaceScope(List.of(), List.of(), true);
        assertTrue(scope.rejection(pod("anything")).isEmpty());
        assertTrue(scope.rejection(new Signal.Resource("Node", "n1", "", "v1")).isEmpty());
    }

    @Test
    void denyWinsOverAllowAndPrefixPatternsMatch() {
        NamespaceScope scope = new NamespaceScope(List.of("team-*", "shop"), List.of("team-secret", " "), true);
        assertTrue(scope.rejection(pod("shop")).isEmpty());
        assertTrue(scope.rejection(pod("team-a")).isEmpty());
        assertTrue(scope.rejection(pod("team-secret")).orElseThrow().contains("deny-namespaces"));
        assertTrue(scope.rejection(pod("other")).orElseThrow().contains("allow-namespaces"));
        assertFalse(scope.rejection(pod("shopping")).isEmpty(), "exact names are not prefixes");
    }

    @Test
    void clusterScopedResourcesCanBeExcluded() {
        NamespaceScope scope = new NamespaceScope(List.of("shop"), List.of(), false);
        assertTrue(scope.rejection(new Signal.Resource("Node", "n1", "", "v1")).isPresent());
        assertTrue(new NamespaceScope(List.of("shop"), List.of(), true)
                .rejection(new Signal.Resource("Node", "n1", "", "v1")).isEmpty());
    }

    @Test
    void aNamespaceResourceIsJudgedByItsOwnName() {
        NamespaceScope scope = new NamespaceScope(List.of(), List.of("kube-*"), true);
        assertTrue(scope.rejection(new Signal.Resource("Namespace", "kube-system", "", "v1")).isPresent());
        assertTrue(scope.rejection(new Signal.Resource("Namespace", "shop", "", "v1")).isEmpty());
    }
}
