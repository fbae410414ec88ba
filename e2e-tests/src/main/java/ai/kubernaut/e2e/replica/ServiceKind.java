package ai.kubernaut.e2e.replica;

import ai.kubernaut.e2e.cluster.RepoPaths;

import java.nio.file.Files;
import java.nio.file.Path;

/** The two services the suite runs, and where their packaged apps are. */
public enum ServiceKind {
    GATEWAY("gateway-service", "gw", "e2e.gateway.jar"),
    ORCHESTRATOR("remediation-orchestrator", "ro", "e2e.orchestrator.jar");

    private final String serviceName;
    private final String shortName;
    private final String jarProperty;

    ServiceKind(String serviceName, String shortName, String jarProperty) {
        this.serviceName = serviceName;
        this.shortName = shortName;
        this.jarProperty = jarProperty;
    }

    /** The module and ServiceAccount name, e.g. {@code gateway-service}. */
    public String serviceName() {
        return serviceName;
    }

    /** For pod names: {@code gw}, {@code ro}. */
    public String shortName() {
        return shortName;
    }

    /** {@code -De2e.gateway.jar} / {@code -De2e.orchestrator.jar}, else {@code <module>/target/quarkus-app/quarkus-run.jar}. */
    public Path jar() {
        String configured = System.getProperty(jarProperty);
        return configured != null && !configured.isBlank()
                ? Path.of(configured)
                : RepoPaths.root().resolve(serviceName).resolve("target/quarkus-app/quarkus-run.jar");
    }

    public boolean isBuilt() {
        return Files.isRegularFile(jar());
    }
}
