package ai.kubernaut.e2e.alertmanager;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where the real Alertmanager and amtool are: {@code -De2e.alertmanager.home=<dir>} (an upstream release
 * unpacked), else PATH ({@code alertmanager}, or Debian's {@code prometheus-alertmanager}; {@code amtool}).
 * Missing binaries fail the tests that need them with the install instructions, never skip them:
 * {@code .ci/run} installs the Debian package where apt is available.
 */
public final class AlertmanagerBinaries {

    static final String INSTALL = "install Alertmanager >= 0.25 (Debian/Ubuntu: apt-get install prometheus-alertmanager;"
            + " .ci/run does this when run as root with apt), or unpack a release from"
            + " https://github.com/prometheus/alertmanager/releases and pass -De2e.alertmanager.home=<its directory>";

    private AlertmanagerBinaries() {
    }

    public static Path alertmanager() {
        return find(List.of("alertmanager", "prometheus-alertmanager"))
                .orElseThrow(() -> new IllegalStateException("no alertmanager binary found: " + INSTALL));
    }

    public static Path amtool() {
        return find(List.of("amtool")).orElseThrow(() -> new IllegalStateException("no amtool binary found: " + INSTALL));
    }

    private static Optional<Path> find(List<String> names) {
        String home = System.getProperty("e2e.alertmanager.home", "");
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
