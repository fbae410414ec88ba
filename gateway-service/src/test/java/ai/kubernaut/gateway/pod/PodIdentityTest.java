package ai.kubernaut.gateway.pod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class PodIdentityTest {

    static PodConfig settings(String name, String namespace) {
        return new PodConfig() {
            @Override
            public Optional<String> name() {
                return Optional.ofNullable(name);
            }

            @Override
            public Optional<String> namespace() {
                return Optional.ofNullable(namespace);
            }
        };
    }

    @Test
    void nameAndNamespaceComeFromSettings() {
        PodIdentity p = new PodIdentity(settings(" gateway-7d9f-x2 ", "kubernaut-system"));
        assertEquals("gateway-7d9f-x2", p.name());
        assertEquals("kubernaut-system", p.namespace());
    }

    @Test
    void aMissingPodNameSaysWhatToSet() {
        var e = assertThrows(IllegalStateException.class, () -> new PodIdentity(settings(null, "ns")));
        assertTrue(e.getMessage().startsWith("POD_NAME is not set"), e.getMessage());
        assertTrue(e.getMessage().contains("metadata.name"));
        assertThrows(IllegalStateException.class, () -> new PodIdentity(settings("  ", "ns")));
    }

    @Test
    void aMissingNamespaceSaysWhatToSet() {
        var e = assertThrows(IllegalStateException.class, () -> new PodIdentity(settings("gw-0", null)));
        assertTrue(e.getMessage().startsWith("POD_NAMESPACE is not set"), e.getMessage());
        assertTrue(e.getMessage().contains("metadata.namespace"));
    }

    @Test
    void aSlashWouldBreakTheHolderIdentity() {
        assertThrows(IllegalStateException.class, () -> new PodIdentity(settings("a/b", "ns")));
    }
}
