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
    private final boolean crdsServedLater;

    private EmbeddedCluster(ManagedProcess process, String url, boolean crdsServedLater) {
        this.process = process;
        this.url = url;
        this.crdsServedLater = crdsServedLater;
        this.admin = new KubernetesClientBuilder().withConfig(EmbeddedApiServer.clientConfig(url, Caller.ADMIN_TOKEN)).build();
        this.control = new ApiServerControl(url);
    }

    public static EmbeddedCluster start() {
        return builder().start();
    }

    public static EmbeddedCluster start(Path log) {
        return builder().log(log).start();
    }

    /** For a scenario that needs its own cluster started a particular way (see {@link Builder}). */
    public static Builder builder() {
        return new Builder();
    }

    /** How to start an embedded cluster; {@link #start()} with nothing set is {@link EmbeddedCluster#start()}. */
    public static final class Builder {
        private Path log = RepoPaths.logs().resolve("embedded-api-server.log");
        private boolean serveCrdsLater;

        private Builder() {
        }

        /** Where the API server process writes its output (appended). */
        public Builder log(Path file) {
            this.log = file;
            return this;
        }

        /**
         * Starts before the CRDs exist, as a cluster does while {@code kubectl apply} of CRDs and Deployments is under
         * way: their types answer 404 page not found until {@link EmbeddedCluster#serveCrds(int)} (the server's
         * {@code --serve-crds-later}). Built-in types (namespaces, Leases, ConfigMaps, RBAC) are served at once.
         */
        public Builder serveCrdsLater() {
            this.serveCrdsLater = true;
            return this;
        }

        public EmbeddedCluster start() {
            return EmbeddedCluster.start(log, serveCrdsLater);
        }
    }

    private static EmbeddedCluster start(Path log, boolean serveCrdsLater) {
        Path portFile;
        List<String> args = new ArrayList<>(List.of("--port", "0", "--crds", RepoPaths.crds().toString()));
        if (serveCrdsLater) {
            args.add("--serve-crds-later");
        }
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
            return new EmbeddedCluster(process, "http://127.0.0.1:" + port, serveCrdsLater);
        } catch (RuntimeException | IOException e) {
            String tail = process.logTail(40);
            process.close();
            throw new IllegalStateException("the embedded API server did not start:\n" + tail, e);
        }
    }

    /**
     * For a cluster started with {@link Builder#serveCrdsLater()}: creates the CRDs and serves their types now, their
     * first {@code initializingAnswers} LISTs and WATCHes each answered 429 "storage is (re)initializing" (as a real
     * 1.32 did seconds after the CRDs were established). Returns the plurals now served.
     */
    public List<String> serveCrds(int initializingAnswers) {
        if (!crdsServedLater) {
            throw new IllegalStateException("this cluster served its CRDs from the start (no serveCrdsLater())");
        }
        return control.serveCrds(initializingAnswers);
    }

    public String url() {
        return url;
    }

    public ManagedProcess process() {
        return process;
    }

    @Override
    public String description() {
        return "embedded (" + url + ", pid " + process.pid() + (crdsServedLater ? ", CRDs served later" : "") + ")";
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
    public boolean runsControllers() {
        return false;
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
