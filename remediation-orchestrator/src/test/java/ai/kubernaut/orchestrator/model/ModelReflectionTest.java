package ai.kubernaut.orchestrator.model;

import ai.kubernaut.testserver.model.ModelContract;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Every class generated from deploy/crds is registered for reflection in native images (see ModelReflection). */
class ModelReflectionTest {

    @Test
    void everyGeneratedModelClassIsRegistered() throws IOException {
        ModelContract.assertEveryClassRegistered(Path.of("target/classes"), ModelReflection.class,
                ModelReflection.class.getAnnotation(RegisterForReflection.class).targets(), 4);
    }
}
