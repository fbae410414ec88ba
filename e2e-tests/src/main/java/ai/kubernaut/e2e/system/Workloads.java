package ai.kubernaut.e2e.system;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.util.ArrayList;
import java.util.List;

/**
 * The applications the alerts are about, as owner chains in an application namespace, so the Gateway's
 * owner resolution has something to walk: Pod -> ReplicaSet -> Deployment, Pod -> StatefulSet,
 * Pod -> DaemonSet, Pod -> Job -> CronJob. Made by hand, so only on a cluster where no controller acts on them
 * ({@code Cluster.runsControllers()} false: the embedded one, or a bare kube-apiserver + etcd); with controllers
 * they would start real pods of their own. Every object is a valid one, as a real API server's validation wants
 * (selectors matching their pod templates, containers, restart policies), not only what the embedded server takes.
 */
public final class Workloads {

    /** A pod and the top-level owner the Gateway should resolve it to. */
    public record PodOf(String pod, String ownerKind, String ownerName) {
    }

    private Workloads() {
    }

    /** Creates Deployment {@code name} with ReplicaSet {@code name-7d9f8b6c5} and {@code pods} Pods; returns the pod names. */
    public static List<String> deployment(KubernetesClient admin, String namespace, String name, int pods) {
        HasMetadata deployment = admin.apps().deployments().inNamespace(namespace).resource(new DeploymentBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).addToLabels("app", name).endMetadata()
                .withNewSpec().withReplicas(pods).withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata().withNewSpec()
                .addNewContainer().withName("app").withImage("registry.k8s.io/pause:3.9").endContainer()
                .endSpec().endTemplate().endSpec().build()).create();
        String rsName = name + "-7d9f8b6c5";
        HasMetadata rs = admin.apps().replicaSets().inNamespace(namespace).resource(new ReplicaSetBuilder()
                .withNewMetadata().withName(rsName).withNamespace(namespace).addToLabels("app", name)
                .withOwnerReferences(owner(deployment)).endMetadata()
                .withNewSpec().withReplicas(pods).withNewSelector().addToMatchLabels("app", name).endSelector()
                .withTemplate(template(name)).endSpec()
                .build()).create();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < pods; i++) {
            String pod = rsName + "-" + suffix(i);
            pod(admin, namespace, pod, name, rs);
            names.add(pod);
        }
        return names;
    }

    /** StatefulSet {@code name} with pod {@code name-0}. */
    public static String statefulSet(KubernetesClient admin, String namespace, String name) {
        HasMetadata sts = admin.apps().statefulSets().inNamespace(namespace).resource(new StatefulSetBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .withNewSpec().withReplicas(1).withServiceName(name).withNewSelector().addToMatchLabels("app", name)
                .endSelector().withTemplate(template(name)).endSpec().build()).create();
        return pod(admin, namespace, name + "-0", name, sts);
    }

    /** DaemonSet {@code name} with one pod. */
    public static String daemonSet(KubernetesClient admin, String namespace, String name) {
        HasMetadata ds = admin.apps().daemonSets().inNamespace(namespace).resource(new DaemonSetBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).endMetadata().withNewSpec()
                .withNewSelector().addToMatchLabels("app", name).endSelector().withTemplate(template(name)).endSpec()
                .build()).create();
        return pod(admin, namespace, name + "-" + suffix(7), name, ds);
    }

    /** CronJob {@code name}, Job {@code name-28930125} and its pod. */
    public static String cronJob(KubernetesClient admin, String namespace, String name) {
        CronJob spec = new CronJobBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .withNewSpec().withSchedule("*/5 * * * *").withNewJobTemplate().withNewSpec()
                .withTemplate(jobTemplate(name)).endSpec().endJobTemplate().endSpec().build();
        HasMetadata cron;
        try {
            cron = admin.batch().v1().cronjobs().inNamespace(namespace).resource(spec).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw e;
            }
            // before Kubernetes 1.21 CronJob is served as batch/v1beta1 only, with the same fields
            GenericKubernetesResource beta = admin.getKubernetesSerialization()
                    .convertValue(spec, GenericKubernetesResource.class);
            beta.setApiVersion("batch/v1beta1");
            cron = admin.genericKubernetesResources("batch/v1beta1", "CronJob").inNamespace(namespace)
                    .resource(beta).create();
        }
        String jobName = name + "-28930125";
        HasMetadata job = admin.batch().v1().jobs().inNamespace(namespace).resource(new JobBuilder()
                .withNewMetadata().withName(jobName).withNamespace(namespace).withOwnerReferences(owner(cron)).endMetadata()
                .withNewSpec().withTemplate(jobTemplate(name)).endSpec().build()).create();
        return pod(admin, namespace, jobName + "-" + suffix(3), name, job);
    }

    /**
     * What the ReplicaSet controller does when a pod of a Deployment is deleted: {@code pod} is deleted and a new
     * pod of the same ReplicaSet, with a new generated name, takes its place. Returns the new pod's name.
     */
    public static String replacePod(KubernetesClient admin, String namespace, String pod) {
        io.fabric8.kubernetes.api.model.Pod old = admin.pods().inNamespace(namespace).withName(pod).get();
        if (old == null) {
            throw new IllegalStateException("no pod " + namespace + "/" + pod + " to replace");
        }
        OwnerReference rs = old.getMetadata().getOwnerReferences().stream()
                .filter(o -> Boolean.TRUE.equals(o.getController())).findFirst()
                .orElseThrow(() -> new IllegalStateException(pod + " has no controller"));
        admin.pods().inNamespace(namespace).withName(pod).withGracePeriod(0).delete();
        defaultServiceAccount(admin, namespace);
        String app = old.getMetadata().getLabels() == null ? rs.getName() : old.getMetadata().getLabels().get("app");
        String next = rs.getName() + "-" + suffix(Math.floorMod(pod.hashCode(), 997) + 1000);
        admin.pods().inNamespace(namespace).resource(new PodBuilder()
                .withNewMetadata().withName(next).withNamespace(namespace).addToLabels("app", app)
                .withOwnerReferences(rs).endMetadata()
                .withNewSpec().withAutomountServiceAccountToken(false)
                .addNewContainer().withName("app").withImage("registry.k8s.io/pause:3.9").endContainer()
                .endSpec().build()).create();
        return next;
    }

    private static String pod(KubernetesClient admin, String namespace, String pod, String app, HasMetadata owner) {
        defaultServiceAccount(admin, namespace);
        admin.pods().inNamespace(namespace).resource(new PodBuilder()
                .withNewMetadata().withName(pod).withNamespace(namespace).addToLabels("app", app)
                .withOwnerReferences(owner(owner)).endMetadata()
                .withNewSpec().withAutomountServiceAccountToken(false)
                .addNewContainer().withName("app").withImage("registry.k8s.io/pause:3.9").endContainer()
                .endSpec().build()).create();
        return pod;
    }

    /**
     * The ServiceAccount {@code default} of the namespace, which a real API server's admission wants before it
     * admits a pod that names none: the controller-manager makes it in every namespace, a bare control plane has none.
     * The pods here also mount no token (a 1.20 server wants the token Secret that controller would make too).
     */
    private static void defaultServiceAccount(KubernetesClient admin, String namespace) {
        if (admin.serviceAccounts().inNamespace(namespace).withName("default").get() == null) {
            try {
                admin.serviceAccounts().inNamespace(namespace).resource(new ServiceAccountBuilder().withNewMetadata()
                        .withName("default").withNamespace(namespace).endMetadata().build()).create();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e; // 409: made meanwhile, by a controller or another test thread
                }
            }
        }
    }

    /** A pod template that runs nowhere (no node carries the selected label), labelled {@code app=<app>}. */
    private static PodTemplateSpec template(String app) {
        return new PodTemplateSpecBuilder().withNewMetadata().addToLabels("app", app).endMetadata().withNewSpec()
                .addToNodeSelector("kubernaut.ai/e2e-no-such-node", "true")
                .addNewContainer().withName("app").withImage("registry.k8s.io/pause:3.9").endContainer().endSpec()
                .build();
    }

    /** {@link #template} with the restart policy a Job's pods must have. */
    private static PodTemplateSpec jobTemplate(String app) {
        PodTemplateSpec t = template(app);
        t.getSpec().setRestartPolicy("Never");
        return t;
    }

    private static OwnerReference owner(HasMetadata owner) {
        return new OwnerReferenceBuilder().withApiVersion(owner.getApiVersion()).withKind(owner.getKind())
                .withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid())
                .withController(true).withBlockOwnerDeletion(true).build();
    }

    private static String suffix(int i) {
        String alphabet = "bcdfghjklmnpqrstvwxz2456789";
        StringBuilder s = new StringBuilder();
        int v = i * 7919 + 12345;
        for (int k = 0; k < 5; k++) {
            s.append(alphabet.charAt(Math.floorMod(v, alphabet.length())));
            v = v / alphabet.length();
        }
        return s.toString();
    }
}
