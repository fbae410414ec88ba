package ai.kubernaut.e2e.deploy;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Images follow the Quarkus conventions and run non-root; CI runs the README's command on JDK 17. */
class ImagesAndPipelineTest {

    @ParameterizedTest
    @ValueSource(strings = {"gateway-service", "remediation-orchestrator"})
    void jvmImageIsUbiFastJarRunningAs185(String service) {
        String df = DeployFiles.read(DeployFiles.ROOT.resolve(service + "/src/main/docker/Dockerfile.jvm"));
        assertTrue(df.contains("\nFROM registry.access.redhat.com/ubi9/openjdk-17-runtime:"), service + ": UBI OpenJDK 17 runtime base");
        assertTrue(df.contains("\nUSER 185\n"), service + ": non-root user 185");
        assertTrue(df.contains("target/quarkus-app/lib/") && df.contains("/deployments/quarkus-run.jar"), service + ": Quarkus fast-jar layout");
        assertTrue(df.contains("EXPOSE") && df.contains("9000"), service + ": exposes the management port");
        assertPomHasNativeProfile(service);
    }

    @ParameterizedTest
    @ValueSource(strings = {"gateway-service", "remediation-orchestrator"})
    void nativeImageIsUbiMinimalRunningAs1001(String service) {
        String df = DeployFiles.read(DeployFiles.ROOT.resolve(service + "/src/main/docker/Dockerfile.native"));
        assertTrue(df.contains("\nFROM registry.access.redhat.com/ubi9/ubi-minimal:"), service + ": UBI minimal base");
        assertTrue(df.contains("\nUSER 1001\n"), service + ": non-root user 1001");
        assertTrue(df.contains("target/*-runner"), service + ": copies the native runner");
        assertTrue(df.contains("-Dquarkus.native.container-build=true"), service + ": documents the container build command");
    }

    private static void assertPomHasNativeProfile(String service) {
        String pom = DeployFiles.read(DeployFiles.ROOT.resolve(service + "/pom.xml"));
        assertTrue(pom.contains("<id>native</id>"), service + ": native profile");
        assertTrue(pom.contains("<quarkus.native.enabled>true</quarkus.native.enabled>"), service + ": the profile turns native on");
    }

    @Test
    @SuppressWarnings("unchecked")
    void ciWorkflowRunsDotCiRunOnJdk17AndGatesTheNativeJob() throws Exception {
        Path file = DeployFiles.ROOT.resolve(".github/workflows/ci.yml");
        Map<String, Object> workflow = new YAMLMapper().readValue(file.toFile(), Map.class);
        Map<String, Object> jobs = (Map<String, Object>) workflow.get("jobs");
        List<Map<String, Object>> verify = (List<Map<String, Object>>) ((Map<String, Object>) jobs.get("verify")).get("steps");
        Map<String, Object> java = verify.stream().filter(s -> String.valueOf(s.get("uses")).startsWith("actions/setup-java@")).findFirst().orElseThrow();
        Map<String, Object> with = (Map<String, Object>) java.get("with");
        assertEquals("temurin", with.get("distribution"));
        assertEquals("17", String.valueOf(with.get("java-version")));
        assertEquals("maven", with.get("cache"));
        assertTrue(verify.stream().anyMatch(s -> "bash .ci/run".equals(s.get("run"))), "the verify job runs exactly .ci/run");
        assertTrue(DeployFiles.read(DeployFiles.ROOT.resolve(".ci/run")).contains("./mvnw -B verify"), ".ci/run runs the README's test command");

        Map<String, Object> nativeJob = (Map<String, Object>) jobs.get("native");
        String condition = String.valueOf(nativeJob.get("if"));
        assertTrue(condition.contains("workflow_dispatch") && condition.contains("native"), "the native job is opt-in: " + condition);
        String steps = String.valueOf(nativeJob.get("steps"));
        assertTrue(steps.contains("-Pnative") && steps.contains("-Dquarkus.native.container-build=true"), "in-container native build");
    }
}
