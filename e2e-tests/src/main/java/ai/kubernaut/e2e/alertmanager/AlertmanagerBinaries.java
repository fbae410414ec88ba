package ai.kubernaut.e2e.alertmanager;

import ai.kubernaut.e2e.process.ExternalBinaries;
import java.nio.file.Path;
import java.util.List;

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
        return ExternalBinaries.find("e2e.alertmanager.home", List.of("alertmanager", "prometheus-alertmanager"))
                .orElseThrow(() -> new IllegalStateException("no alertmanager binary found: " + INSTALL));
    }

    public static Path amtool() {
        return ExternalBinaries.find("e2e.alertmanager.home", List.of("amtool"))
                .orElseThrow(() -> new IllegalStateException("no amtool binary found: " + INSTALL));
    }
}
