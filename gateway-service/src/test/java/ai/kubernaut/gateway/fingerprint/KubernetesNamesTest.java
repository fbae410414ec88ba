package ai.kubernaut.gateway.fingerprint;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.kubernaut.gateway.signal.InvalidSignalException;
import org.junit.jupiter.api.Test;

class KubernetesNamesTest {

    @Test
    void wellKnownKindsNeedDnsSubdomainNamesOthersAValidPathSegment() {
        assertDoesNotThrow(() -> KubernetesNames.requireName("Pod", "web-1.abc", "f"));
        assertThrows(InvalidSignalException.class, () -> KubernetesNames.requireName("Pod", "Web", "f"));
        assertThrows(InvalidSignalException.class, () -> KubernetesNames.requireName("Pod", "a".repeat(254), "f"));
        assertDoesNotThrow(() -> KubernetesNames.requireName("ClusterRole", "system:aggregate-to-admin", "f"));
        assertThrows(InvalidSignalException.class, () -> KubernetesNames.requireName("ClusterRole", "..", "f"));
        assertThrows(InvalidSignalException.class, () -> KubernetesNames.requireName("Widget", "a/b", "f"));
        assertThrows(InvalidSignalException.class, () -> KubernetesNames.requireName("Widget", "a b", "f"));
    }

    @Test
    void namespacesKindsAndApiVersions() {
        assertDoesNotThrow(() -> KubernetesNames.requireNamespace("kube-system", "f"));
        assertThrows(InvalidSignalException.class, () -> KubernetesNames.requireNamespace("a.b", "f"));
        assertDoesNotThrow(() -> KubernetesNames.requireKind("HorizontalPodAutoscaler", "f"));
        assertThrows(InvalidSignalException.class, () -> KubernetesNames.requireKind("pod/x", "f"));
        assertDoesNotThrow(() -> KubernetesNames.requireApiVersion("v1", "f"));
        assertDoesNotThrow(() -> KubernetesNames.requireApiVersion("argoproj.io/v1alpha1", "f"));
        assertThrows(InvalidSignalException.class, () -> KubernetesNames.requireApiVersion("apps", "f"));
    }

    @Test
    void quotedValuesAreShortAndEscaped() {
        assertEquals("\"a\\u0000b\"", KubernetesNames.quote("a\u0000b"));
        assertEquals(64 + 5, KubernetesNames.quote("x".repeat(1000)).length());
    }
}
