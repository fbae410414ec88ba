package ai.kubernaut.orchestrator.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class PodIdentityTest {

    @Test
    void bothAreRequiredWithAMessageThatSaysWhereToSetThem() {
        var noPod = assertThrows(IllegalStateException.class,
                () -> PodIdentity.from(Optional.empty(), Optional.of("kubernaut-system")));
        assertTrue(noPod.getMessage().startsWith("POD_NAME is not set"), noPod.getMessage());
        assertTrue(noPod.getMessage().contains("metadata.name"));
        var blankNamespace = assertThrows(IllegalStateException.class,
                () -> PodIdentity.from(Optional.of("ro-0"), Optional.of(" ")));
        assertTrue(blankNamespace.getMessage().startsWith("POD_NAMESPACE is not set"), blankNamespace.getMessage());
        assertEquals(new PodIdentity("ro-0", "kubernaut-system"),
                PodIdentity.from(Optional.of("ro-0"), Optional.of("kubernaut-system")));
    }
}
