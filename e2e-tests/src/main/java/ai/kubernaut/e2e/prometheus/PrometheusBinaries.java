package ai.kubernaut.e2e.prometheus;

import ai.kubernaut.e2e.process.ExternalBinaries;
import java.nio.file.Path;
import java.util.List;

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
        return ExternalBinaries.find("e2e.prometheus.home", List.of("prometheus"))
                .orElseThrow(() -> new IllegalStateException("no prometheus binary found: " + INSTALL));
    }

    public static Path promtool() {
        return ExternalBinaries.find("e2e.prometheus.home", List.of("promtool"))
                .orElseThrow(() -> new IllegalStateException("no promtool binary found: " + INSTALL));
    }
}
