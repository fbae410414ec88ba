package ai.kubernaut.e2e.process;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Finds an external tool's binary: in the directory a {@code -D} property names, else on PATH. */
public final class ExternalBinaries {

    private ExternalBinaries() {
    }

    /** The first of {@code names} (in order) that is an executable file in {@code -D<homeProperty>} or on PATH. */
    public static Optional<Path> find(String homeProperty, List<String> names) {
        String home = System.getProperty(homeProperty, "");
        List<String> dirs = home.isBlank()
                ? List.of(Optional.ofNullable(System.getenv("PATH")).orElse("").split(File.pathSeparator))
                : List.of(home);
        for (String name : names) {
            for (String dir : dirs) {
                if (dir.isBlank()) {
                    continue;
                }
                Path candidate = Path.of(dir, name);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }
}
