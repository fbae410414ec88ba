package ai.kubernaut.e2e.prometheus;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where the real Prometheus and promtool are: {@code -De2e.prometheus.home=<dir>} (an upstream release unpacked),
 * else PATH (Debian's {@code prometheus} package has both). Missing binaries fail the tests that need them with the
 * install instructions, never skip them: {@code .ci/run} installs the Debian package where apt is available.
 */
public final class PrometheusBinaries {

    static final String INSTALL = "install Prometheus >= 2.37 with promtool (Debian/Ubuntu: apt-get install prometheus;"
            + " .ci/run does this when run as root with apt), or unpack a release from"
            + " https://github.com/prometheus/prometheus/releases and pass -De2e.prometheus.home=<its directory>";

    private PrometheusBinaries() {
    }

    public static Path prometheus() {
        return find("prometheus").orElseThrow(() -> new IllegalStateException("no prometheus binary found: " + INSTALL));
    }

    public static Path promtool() {
        return find("promtool").orElseThrow(() -> new IllegalStateException("no promtool binary found: " + INSTALL));
    }

    private static Optional<Path> find(String name) {
        String home = System.getProperty("e2e.prometheus.home", "");
        List<String> dirs = home.isBlank()
                ? List.of(Optional.ofNullable(System.getenv("PATH")).orElse("").split(File.pathSeparator))
                : List.of(home);
        for (String dir : dirs) {
            if (dir.isBlank()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
