package ai.kubernaut.e2e.cluster;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the repository's files are: the CRDs, each service's RBAC and its packaged app. */
public final class RepoPaths {

    private RepoPaths() {
    }

    /** The repository root: {@code -De2e.repo.root}, else the nearest ancestor of the working directory holding deploy/crds. */
    public static Path root() {
        String configured = System.getProperty("e2e.repo.root");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            if (Files.isDirectory(dir.resolve("deploy/crds"))) {
                return dir;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("cannot find the repository root (no deploy/crds above "
                + Path.of("").toAbsolutePath() + "); set -De2e.repo.root");
    }

    public static Path crds() {
        return root().resolve("deploy/crds");
    }

    /** {@code deploy/base/<service>/rbac.yaml}. */
    public static Path rbac(String service) {
        return root().resolve("deploy/base").resolve(service).resolve("rbac.yaml");
    }

    /** The directory for process logs: {@code -De2e.logs}, else e2e-tests/target/e2e-logs. */
    public static Path logs() {
        String configured = System.getProperty("e2e.logs");
        Path dir = configured != null && !configured.isBlank()
                ? Path.of(configured)
                : root().resolve("e2e-tests/target/e2e-logs");
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return dir;
    }
}
