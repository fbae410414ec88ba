package ai.kubernaut.orchestrator.model;

import io.quarkus.runtime.annotations.RegisterForReflection;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every class generated from deploy/crds is registered for reflection in native images (see ModelReflection). */
class ModelReflectionTest {

    @Test
    void everyGeneratedModelClassIsRegistered() throws IOException {
        Path root = Path.of("target/classes");
        Path model = root.resolve("ai/kubernaut/orchestrator/model");
        Set<String> generated;
        try (Stream<Path> files = Files.walk(model)) {
            generated = files.map(p -> root.relativize(p).toString())
                    .filter(p -> p.endsWith(".class") && !p.contains("$"))
                    .map(p -> p.substring(0, p.length() - ".class".length()).replace('/', '.'))
                    .filter(n -> !n.equals(ModelReflection.class.getName()))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        assertTrue(generated.size() > 3, "no generated model classes under " + model.toAbsolutePath());
        Set<String> registered = Arrays.stream(ModelReflection.class.getAnnotation(RegisterForReflection.class).targets())
                .map(Class::getName).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(generated, registered, "add the new generated classes to ModelReflection");
    }
}
