package ai.kubernaut.e2e.system;

import ai.kubernaut.e2e.cluster.Cluster;
import ai.kubernaut.e2e.executor.TestWorkflowExecutor;
import ai.kubernaut.e2e.replica.Replica;
import ai.kubernaut.e2e.replica.ReplicaGroup;
import ai.kubernaut.e2e.replica.ServiceKind;
import ai.kubernaut.testserver.ApiServerControl;
import ai.kubernaut.testserver.catalog.TestWorkflowCatalog;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The system under test in one namespace: N Gateway replicas, M RemediationOrchestrator replicas, the
 * workflow catalog and, optionally, the test workflow executor. Closing it stops everything it started.
 */
public final class KubernautSystem implements AutoCloseable {

    private final Cluster cluster;
    private final String namespace;
    private final ReplicaGroup gateways;
    private final ReplicaGroup orchestrators;
    private final Duration executorRunTime;
    private volatile TestWorkflowExecutor executor;
    private final Map<ServiceKind, Map<String, String>> env;

    private KubernautSystem(Cluster cluster, String namespace, ReplicaGroup gateways, ReplicaGroup orchestrators,
                            Duration executorRunTime, Map<ServiceKind, Map<String, String>> env) {
        this.cluster = cluster;
        this.namespace = namespace;
        this.gateways = gateways;
        this.orchestrators = orchestrators;
        this.executorRunTime = executorRunTime;
        this.env = env;
    }

    /**
     * Waits until every replica is ready (failing at once if one exits), then starts the test workflow executor if
     * the builder asked for one and it is not running yet. {@link Builder#start()} does this; after
     * {@link Builder#launch()} the scenario calls it.
     */
    public synchronized KubernautSystem awaitReady(Duration timeout) {
        // every replica polled side by side, so that each one's Replica.readyAfter is its own
        List<Replica> all = replicas();
        try {
            org.awaitility.Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(100))
                    .until(() -> all.stream().allMatch(Replica::isReady) || all.stream().anyMatch(r -> !r.isAlive()));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // the per-replica waits below say which replica and why
        }
        for (Replica replica : all) {
            replica.awaitReady(timeout);
        }
        if (executorRunTime != null && executor == null) {
            executor = new TestWorkflowExecutor(cluster.admin(), namespace, executorRunTime).start();
        }
        return this;
    }

    public static Builder in(Cluster cluster) {
        return new Builder(cluster);
    }

    public Cluster cluster() {
        return cluster;
    }

    /**
     * Fault injection for this system only (embedded cluster; empty on a real one): rules that match only callers of
     * its namespace, its own fired faults, a clear that ends only its rules. Scenarios beside each other on the suite's
     * server use this, never the server-wide {@code cluster().control()} faults.
     */
    public Optional<ApiServerControl> faults() {
        return cluster.control().map(c -> c.scopedTo(namespace));
    }

    public String namespace() {
        return namespace;
    }

    public ReplicaGroup gateways() {
        return gateways;
    }

    public ReplicaGroup orchestrators() {
        return orchestrators;
    }

    /** The executor, once started (at once by {@link Builder#start()}, else by {@link #awaitReady(Duration)}). */
    public Optional<TestWorkflowExecutor> executor() {
        return Optional.ofNullable(executor);
    }

    /** Every replica of both services. */
    public List<Replica> replicas() {
        List<Replica> all = new ArrayList<>(gateways.replicas());
        all.addAll(orchestrators.replicas());
        return all;
    }

    /** Starts one more replica of {@code kind} (named {@code <short>-<n>}) with the same settings, and waits for it. */
    public Replica addReplica(ServiceKind kind, Duration readyTimeout) {
        return addReplica(kind, Map.of(), readyTimeout);
    }

    /** As {@link #addReplica(ServiceKind, Duration)}, with some settings changed for this replica only. */
    public Replica addReplica(ServiceKind kind, Map<String, String> otherSettings, Duration readyTimeout) {
        ReplicaGroup group = kind == ServiceKind.GATEWAY ? gateways : orchestrators;
        Map<String, String> settings = new LinkedHashMap<>(env.get(kind));
        settings.putAll(otherSettings);
        Replica replica = Replica.launch(kind, kind.shortName() + "-" + group.size(), namespace, cluster, settings);
        group.add(replica);
        return replica.awaitReady(readyTimeout);
    }

    @Override
    public void close() {
        try {
            TestWorkflowExecutor started = executor;
            if (started != null) {
                started.close();
            }
        } finally {
            // both services at once: each group stops its replicas in parallel too
            Thread gatewaysStopping = new Thread(gateways::close, "stop-gateways-" + namespace);
            gatewaysStopping.start();
            try {
                orchestrators.close();
            } finally {
                try {
                    gatewaysStopping.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    gateways.close();
                }
            }
        }
    }

    /** Settings for {@link KubernautSystem}. */
    public static final class Builder {
        private final Cluster cluster;
        private String namespacePrefix = "e2e";
        private int gatewayCount;
        private int orchestratorCount;
        private final Map<ServiceKind, Map<String, String>> env = new LinkedHashMap<>();
        private Duration executorRunTime;
        private String catalog = WorkflowCatalog.DEFAULT;
        private Duration readyTimeout = Duration.ofSeconds(120);
        private java.util.function.Consumer<String> beforeReplicas = namespace -> {
        };

        private Builder(Cluster cluster) {
            this.cluster = cluster;
            env.put(ServiceKind.GATEWAY, new LinkedHashMap<>());
            env.put(ServiceKind.ORCHESTRATOR, new LinkedHashMap<>());
        }

        public Builder namespacePrefix(String prefix) {
            this.namespacePrefix = prefix;
            return this;
        }

        public Builder gateways(int count) {
            this.gatewayCount = count;
            return this;
        }

        public Builder orchestrators(int count) {
            this.orchestratorCount = count;
            return this;
        }

        /** A setting for every replica of {@code kind}, e.g. {@code GATEWAY_LOCK_LEASE_DURATION=5s}. */
        public Builder env(ServiceKind kind, String name, String value) {
            env.get(kind).put(name, value);
            return this;
        }

        /** Runs the test workflow executor, completing each WFE {@code runTime} after it starts. */
        public Builder executor(Duration runTime) {
            this.executorRunTime = runTime;
            return this;
        }

        public Builder catalog(String catalogYaml) {
            this.catalog = catalogYaml;
            return this;
        }

        public Builder readyTimeout(Duration timeout) {
            this.readyTimeout = timeout;
            return this;
        }

        /** Runs with the new namespace (catalog applied) before any replica starts, e.g. to fill it. */
        public Builder beforeReplicas(java.util.function.Consumer<String> fill) {
            this.beforeReplicas = fill;
            return this;
        }

        /** Starts everything and waits until every replica is ready; then starts the executor (if asked for). */
        public KubernautSystem start() {
            KubernautSystem system = launch();
            try {
                return system.awaitReady(readyTimeout);
            } catch (RuntimeException e) {
                system.close();
                throw e;
            }
        }

        /**
         * Creates the namespace and the catalog and starts every replica process, without waiting for any to be
         * ready: for scenarios that watch replicas start against a cluster that is not ready for them yet (CRDs not
         * served). Call {@link KubernautSystem#awaitReady(Duration)} next; it also starts the executor. The caller
         * closes the system, also when that fails.
         */
        public KubernautSystem launch() {
            String namespace = cluster.createNamespace(namespacePrefix);
            TestWorkflowCatalog.apply(cluster.admin(), namespace, catalog);
            beforeReplicas.accept(namespace);
            ReplicaGroup gateways = null;
            try {
                // launch every process first so the JVMs start side by side
                gateways = ReplicaGroup.launch(ServiceKind.GATEWAY, gatewayCount, namespace, cluster, env.get(ServiceKind.GATEWAY));
                ReplicaGroup orchestrators = ReplicaGroup.launch(ServiceKind.ORCHESTRATOR, orchestratorCount, namespace,
                        cluster, env.get(ServiceKind.ORCHESTRATOR));
                return new KubernautSystem(cluster, namespace, gateways, orchestrators, executorRunTime, env);
            } catch (RuntimeException e) {
                if (gateways != null) {
                    gateways.close();
                }
                throw e;
            }
        }
    }
}
