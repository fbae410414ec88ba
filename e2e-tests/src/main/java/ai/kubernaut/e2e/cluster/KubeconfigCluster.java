package ai.kubernaut.e2e.cluster;

import ai.kubernaut.testserver.ApiServerControl;
import ai.kubernaut.testserver.rbac.ServicePolicy;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.awaitility.Awaitility;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * A real cluster (kind, k3d, minikube, a dev cluster) from a kubeconfig. On connect it applies the CRDs of
 * {@code deploy/crds} (unless they exist). Each {@link #createNamespace} makes a fresh namespace with the
 * services' ServiceAccounts and the Roles, RoleBindings, ClusterRoles and ClusterRoleBindings of their
 * rbac.yaml (cluster-scoped ones renamed per namespace), and the replicas authenticate with short-lived
 * ServiceAccount tokens (TokenRequest), so the real API server enforces the same RBAC the embedded cluster
 * does. {@link #close()} deletes every namespace, cluster-scoped RBAC object and CRD it created.
 * With {@code -De2e.kubeconfig.serviceAccounts=false} the replicas use the kubeconfig's own credentials.
 */
public final class KubeconfigCluster implements Cluster {

    private final Config config;
    private final KubernetesClient admin;
    private final boolean serviceAccounts;
    private final List<String> namespaces = new ArrayList<>();
    private final List<HasMetadata> clusterScoped = new ArrayList<>();
    private final List<CustomResourceDefinition> createdCrds = new ArrayList<>();
    private final Map<String, String> tokens = new ConcurrentHashMap<>();
    private Boolean runsControllers;

    private KubeconfigCluster(Config config) {
        this.config = config;
        this.admin = new KubernetesClientBuilder().withConfig(config).build();
        this.serviceAccounts = Boolean.parseBoolean(System.getProperty("e2e.kubeconfig.serviceAccounts", "true"));
    }

    /** {@code -De2e.kubeconfig=path}, else {@code $KUBECONFIG}, else {@code ~/.kube/config}. */
    public static Path kubeconfigPath() {
        String configured = System.getProperty("e2e.kubeconfig");
        if (configured == null || configured.isBlank()) {
            configured = System.getenv("KUBECONFIG");
        }
        if (configured == null || configured.isBlank()) {
            configured = Path.of(System.getProperty("user.home"), ".kube", "config").toString();
        }
        // KUBECONFIG may list several files; the first one is the one we use
        return Path.of(configured.split(java.io.File.pathSeparator)[0]);
    }

    public static KubeconfigCluster connect(Path kubeconfig) {
        try {
            Config config = Config.fromKubeconfig(System.getProperty("e2e.kubeconfig.context"),
                    Files.readString(kubeconfig), kubeconfig.toString());
            KubeconfigCluster cluster = new KubeconfigCluster(config);
            cluster.installCrds();
            return cluster;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read kubeconfig " + kubeconfig, e);
        }
    }

    private void installCrds() throws IOException {
        List<Path> files;
        try (Stream<Path> list = Files.list(RepoPaths.crds())) {
            files = list.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        for (Path file : files) {
            String yaml = Files.readString(file);
            if (!yaml.contains("kind: CustomResourceDefinition")) {
                continue; // e.g. the kustomization.yaml next to the CRDs
            }
            CustomResourceDefinition crd = Serialization.unmarshal(yaml, CustomResourceDefinition.class);
            var existing = admin.apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName());
            if (existing.get() == null) {
                createdCrds.add(admin.apiextensions().v1().customResourceDefinitions().resource(crd).create());
                // served once established: wait until the resource can be listed
                String apiVersion = crd.getSpec().getGroup() + "/" + crd.getSpec().getVersions().get(0).getName();
                String kind = crd.getSpec().getNames().getKind();
                Awaitility.await(kind + " served").atMost(Duration.ofSeconds(60)).ignoreExceptions()
                        .until(() -> admin.genericKubernetesResources(apiVersion, kind).inAnyNamespace().list() != null);
            }
        }
    }

    @Override
    public String description() {
        return "kubeconfig (" + config.getMasterUrl() + ", context "
                + (config.getCurrentContext() == null ? "-" : config.getCurrentContext().getName()) + ")";
    }

    @Override
    public KubernetesClient admin() {
        return admin;
    }

    @Override
    public synchronized String createNamespace(String prefix) {
        String name = prefix + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name)
                .addToLabels("kubernaut.ai/e2e", "true").endMetadata().build()).create();
        namespaces.add(name);
        if (serviceAccounts) {
            for (String service : EmbeddedCluster.SERVICES) {
                applyRbac(service, name);
            }
        }
        return name;
    }

    /** The service's rbac.yaml, moved into {@code namespace}; cluster-scoped objects get a per-namespace name. */
    private void applyRbac(String service, String namespace) {
        Path file = RepoPaths.rbac(service);
        ServicePolicy.load(service, file); // fail early, with the file name, if it does not parse
        List<HasMetadata> objects;
        try (InputStream in = Files.newInputStream(file)) {
            objects = admin.load(in).items();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> renamedClusterRoles = new LinkedHashMap<>();
        for (HasMetadata o : objects) {
            if (o instanceof ClusterRole role) {
                String renamed = role.getMetadata().getName() + "-" + namespace;
                renamedClusterRoles.put(role.getMetadata().getName(), renamed);
            }
        }
        for (HasMetadata o : objects) {
            if (o instanceof ServiceAccount sa) {
                sa.getMetadata().setNamespace(namespace);
                admin.resource(sa).inNamespace(namespace).create();
            } else if (o instanceof Role role) {
                role.getMetadata().setNamespace(namespace);
                admin.resource(role).inNamespace(namespace).create();
            } else if (o instanceof RoleBinding binding) {
                binding.getMetadata().setNamespace(namespace);
                String ref = binding.getRoleRef().getName();
                if (binding.getRoleRef().getKind().equals("ClusterRole") && renamedClusterRoles.containsKey(ref)) {
                    binding.getRoleRef().setName(renamedClusterRoles.get(ref));
                }
                binding.getSubjects().forEach(s -> moveSubject(s, namespace));
                admin.resource(binding).inNamespace(namespace).create();
            } else if (o instanceof ClusterRole role) {
                role.getMetadata().setName(renamedClusterRoles.get(role.getMetadata().getName()));
                clusterScoped.add(admin.resource(role).create());
            } else if (o instanceof ClusterRoleBinding binding) {
                binding.getMetadata().setName(binding.getMetadata().getName() + "-" + namespace);
                binding.getRoleRef().setName(renamedClusterRoles.getOrDefault(binding.getRoleRef().getName(),
                        binding.getRoleRef().getName()));
                binding.getSubjects().forEach(s -> moveSubject(s, namespace));
                clusterScoped.add(admin.resource(binding).create());
            }
        }
    }

    private static void moveSubject(Subject subject, String namespace) {
        if ("ServiceAccount".equals(subject.getKind())) {
            subject.setNamespace(namespace);
        }
    }

    @Override
    public Map<String, String> serviceEnvironment(String service, String namespace, String pod) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL", config.getMasterUrl());
        env.put("QUARKUS_KUBERNETES_CLIENT_NAMESPACE", namespace);
        env.put("KUBERNETES_AUTH_TRYKUBECONFIG", serviceAccounts ? "false" : "true");
        env.put("KUBERNETES_AUTH_TRYSERVICEACCOUNT", "false");
        if (serviceAccounts) {
            env.put("QUARKUS_KUBERNETES_CLIENT_TOKEN", tokens.computeIfAbsent(namespace + "/" + service,
                    k -> serviceAccountToken(service, namespace)));
        } else {
            env.put("KUBECONFIG", kubeconfigPath().toString());
        }
        if (config.isTrustCerts()) {
            env.put("QUARKUS_KUBERNETES_CLIENT_TRUST_CERTS", "true");
        }
        caCertData().ifPresent(ca -> env.put("QUARKUS_KUBERNETES_CLIENT_CA_CERT_DATA", ca));
        return env;
    }

    private Optional<String> caCertData() {
        if (config.getCaCertData() != null && !config.getCaCertData().isBlank()) {
            return Optional.of(config.getCaCertData());
        }
        if (config.getCaCertFile() != null && !config.getCaCertFile().isBlank()) {
            try {
                return Optional.of(Base64.getEncoder().encodeToString(Files.readAllBytes(Path.of(config.getCaCertFile()))));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the cluster CA " + config.getCaCertFile(), e);
            }
        }
        return Optional.empty();
    }

    private String serviceAccountToken(String service, String namespace) {
        // the ServiceAccount was just created: its token can be requested once it exists
        Awaitility.await("ServiceAccount " + namespace + "/" + service).atMost(Duration.ofSeconds(30))
                .until(() -> admin.serviceAccounts().inNamespace(namespace).withName(service).get() != null);
        TokenRequest request = new TokenRequestBuilder().withNewSpec().withExpirationSeconds(4 * 3600L).endSpec().build();
        TokenRequest answered = admin.serviceAccounts().inNamespace(namespace).withName(service).tokenRequest(request);
        if (answered.getStatus() == null || answered.getStatus().getToken() == null) {
            throw new IllegalStateException("the cluster issued no token for ServiceAccount " + namespace + "/" + service
                    + "; run with -De2e.kubeconfig.serviceAccounts=false to use the kubeconfig's credentials");
        }
        return answered.getStatus().getToken();
    }

    @Override
    public synchronized List<String> namespaces() {
        return List.copyOf(namespaces);
    }

    @Override
    public String signalSenderToken(String namespace) {
        return tokens.computeIfAbsent(namespace + "/" + EmbeddedCluster.SIGNAL_SENDER, k -> {
            String sender = EmbeddedCluster.SIGNAL_SENDER;
            admin.serviceAccounts().inNamespace(namespace).resource(new io.fabric8.kubernetes.api.model.ServiceAccountBuilder()
                    .withNewMetadata().withName(sender).endMetadata().build()).create();
            List<HasMetadata> roles;
            try (InputStream in = Files.newInputStream(RepoPaths.root().resolve("deploy/base/gateway-service/signal-senders.yaml"))) {
                roles = admin.load(in).items();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            for (HasMetadata o : roles) {
                if (o instanceof Role role) {
                    role.getMetadata().setNamespace(namespace);
                    admin.resource(role).inNamespace(namespace).create();
                    admin.rbac().roleBindings().inNamespace(namespace).resource(new io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder()
                            .withNewMetadata().withName(role.getMetadata().getName() + "-e2e").endMetadata()
                            .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("Role")
                            .withName(role.getMetadata().getName()).endRoleRef()
                            .addNewSubject().withKind("ServiceAccount").withName(sender).withNamespace(namespace).endSubject()
                            .build()).create();
                }
            }
            return serviceAccountToken(sender, namespace);
        });
    }

    @Override
    public String tokenOf(String service, String namespace) {
        return tokens.computeIfAbsent(namespace + "/" + service, k -> serviceAccountToken(service, namespace));
    }

    /**
     * {@code -De2e.kubeconfig.controllers=true|false}, else whether a kube-controller-manager has ever led this
     * cluster (its leader-election Lease in kube-system): a bare kube-apiserver + etcd has none.
     */
    @Override
    public synchronized boolean runsControllers() {
        if (runsControllers == null) {
            String configured = System.getProperty("e2e.kubeconfig.controllers", "");
            runsControllers = configured.isBlank()
                    ? admin.leases().inNamespace("kube-system").withName("kube-controller-manager").get() != null
                    : Boolean.parseBoolean(configured);
        }
        return runsControllers;
    }

    @Override
    public Optional<ApiServerControl> control() {
        return Optional.empty();
    }

    @Override
    public synchronized void close() {
        try {
            for (String ns : namespaces) {
                admin.namespaces().withName(ns).delete();
            }
            for (HasMetadata o : clusterScoped) {
                admin.resource(o).delete();
            }
            for (CustomResourceDefinition crd : createdCrds) {
                admin.apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName()).delete();
            }
        } finally {
            admin.close();
        }
    }
}
