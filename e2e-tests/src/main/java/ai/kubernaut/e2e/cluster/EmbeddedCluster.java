package ai.kubernaut.e2e.cluster;

import ai.kubernaut.testserver.ApiServerControl;
import ai.kubernaut.testserver.Caller;
import ai.kubernaut.testserver.EmbeddedApiServer;
import ai.kubernaut.e2e.process.JavaCommand;
import ai.kubernaut.e2e.process.ManagedProcess;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.awaitility.Awaitility;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The default cluster: an {@link EmbeddedApiServer} in its own JVM on 127.0.0.1, enforcing the RBAC of
 * {@code deploy/base/<service>/rbac.yaml} per service token and logging every request.
 */
public final class EmbeddedCluster implements Cluster {

    /** The services whose RBAC the cluster enforces, and the identity that sends signals. */
    public static final List<String> SERVICES = List.of("gateway-service", "remediation-orchestrator");
    public static final String SIGNAL_SENDER = "alertmanager";

    private final ManagedProcess process;
    private final String url;
    private final KubernetesClient admin;
    private final ApiServerControl control;

    private EmbeddedCluster(ManagedProcess process, String url) {
        this.process = process;
        this.url = url;
        this.admin = new KubernetesClientBuilder().withConfig(EmbeddedApiServer.clientConfig(url, Caller.ADMIN_TOKEN)).build();
        this.control = new ApiServerControl(url);
    }

    public static EmbeddedCluster start() {
        return start(RepoPaths.logs().resolve("embedded-api-server.log"));
    }

    public static EmbeddedCluster start(Path log) {
        Path portFile;
        List<String> args = new ArrayList<>(List.of("--port", "0", "--crds", RepoPaths.crds().toString()));
        try {
            portFile = Files.createTempFile("e2e-api-server", ".port");
            Files.delete(portFile);
            args.addAll(List.of("--port-file", portFile.toString()));
            for (String service : SERVICES) {
                Path rbac = RepoPaths.rbac(service);
                if (!Files.isRegularFile(rbac)) {
                    throw new IllegalStateException("missing " + rbac + ": the embedded cluster enforces each service's "
                            + "RBAC and cannot run the service without it");
                }
                args.addAll(List.of("--rbac", service + "=" + rbac));
            }
            // who may send signals when the Gateway authenticates them (gateway.auth.mode=tokenreview)
            Path senders = RepoPaths.root().resolve("deploy/base/gateway-service/signal-senders.yaml");
            if (Files.isRegularFile(senders)) {
                args.addAll(List.of("--rbac", SIGNAL_SENDER + "=" + senders));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ManagedProcess process = ManagedProcess.start("embedded-api-server",
                JavaCommand.mainClass(EmbeddedApiServer.class,
                        List.of("-Xmx" + System.getProperty("e2e.apiServerHeap", "768m"), "-XX:+UseSerialGC", "-Djava.util.logging.manager=java.util.logging.LogManager",
                                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"), args),
                Map.of(), log);
        try {
            Awaitility.await("embedded API server start").atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(100))
                    .failFast("embedded API server exited", () -> !process.isAlive())
                    .until(() -> Files.isRegularFile(portFile));
            int port = Integer.parseInt(Files.readString(portFile).trim());
            Files.deleteIfExists(portFile);
            return new EmbeddedCluster(process, "http://127.0.0.1:" + port);
        } catch (RuntimeException | IOException e) {
            String tail = process.logTail(40);
            process.close();
            throw new IllegalStateException("the embedded API server did not start:\n" + tail, e);
        }
    }

    public String url() {
        return url;
    }

    public ManagedProcess process() {
        return process;
    }

    @Override
    public String description() {
        return "embedded (" + url + ", pid " + process.pid() + ")";
    }

    @Override
    public KubernetesClient admin() {
        return admin;
    }

    private final List<String> namespaces = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public List<String> namespaces() {
        return List.copyOf(namespaces);
    }

    @Override
    public String createNamespace(String prefix) {
        String name = prefix + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name)
                .addToLabels("kubernaut.ai/e2e", "true").endMetadata().build()).create();
        namespaces.add(name);
        return name;
    }

    @Override
    public Map<String, String> serviceEnvironment(String service, String namespace, String pod) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL", url);
        env.put("QUARKUS_KUBERNETES_CLIENT_TOKEN", Caller.serviceAccountToken(namespace, service, pod));
        env.put("QUARKUS_KUBERNETES_CLIENT_NAMESPACE", namespace);
        // never pick up a kubeconfig or in-cluster credentials from the machine
        env.put("KUBERNETES_AUTH_TRYKUBECONFIG", "false");
        env.put("KUBERNETES_AUTH_TRYSERVICEACCOUNT", "false");
        return env;
    }

    /**
     * The bearer token of a signal sender (Alertmanager) allowed by deploy/base/gateway-service/signal-senders.yaml
     * in {@code namespace} (the Role there is taken as bound to it in that namespace).
     */
    @Override
    public String signalSenderToken(String namespace) {
        return Caller.serviceAccountToken(namespace, SIGNAL_SENDER);
    }

    @Override
    public String tokenOf(String service, String namespace) {
        return Caller.serviceAccountToken(namespace, service);
    }

    @Override
    public Optional<ApiServerControl> control() {
        return Optional.of(control);
    }

    @Override
    public void close() {
        try {
            admin.close();
        } finally {
            process.close();
        }
    }
}
