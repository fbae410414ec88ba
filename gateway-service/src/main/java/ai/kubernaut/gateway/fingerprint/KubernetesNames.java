package ai.kubernaut.gateway.fingerprint;

import ai.kubernaut.gateway.signal.InvalidSignalException;
import java.util.Set;
import java.util.regex.Pattern;

/** Validation of the Kubernetes names a signal refers to, so that bad input is a 400 rather than an API error. */
public final class KubernetesNames {

    private static final Pattern DNS1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern DNS1123_SUBDOMAIN = Pattern
            .compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern KIND = Pattern.compile("[A-Za-z][A-Za-z0-9]{0,62}");
    private static final Pattern API_VERSION = Pattern.compile("([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?v[0-9]+[a-z0-9]*");

    /** Kinds whose names must be DNS-1123 subdomains; other kinds (RBAC, CRDs) only need a valid path segment. */
    private static final Set<String> SUBDOMAIN_NAMED_KINDS = Set.of("Pod", "Deployment", "StatefulSet", "DaemonSet",
            "ReplicaSet", "Job", "CronJob", "Node", "PersistentVolume", "PersistentVolumeClaim", "Service",
            "ConfigMap", "Secret", "Namespace", "HorizontalPodAutoscaler", "Ingress", "ServiceAccount");

    /** Built-in cluster-scoped kinds: their signals hash with an empty namespace. */
    private static final Set<String> CLUSTER_SCOPED_KINDS = Set.of("Node", "PersistentVolume", "Namespace",
            "StorageClass", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "PriorityClass",
            "CSIDriver", "CSINode", "VolumeAttachment", "MutatingWebhookConfiguration",
            "ValidatingWebhookConfiguration", "APIService", "CertificateSigningRequest", "IngressClass",
            "RuntimeClass");

    /** Built-in namespaced kinds: a signal about one of them without a namespace is incomplete. */
    private static final Set<String> NAMESPACED_KINDS = Set.of("Pod", "Deployment", "StatefulSet", "DaemonSet",
            "ReplicaSet", "Job", "CronJob", "PersistentVolumeClaim", "Service", "ConfigMap", "Secret",
            "HorizontalPodAutoscaler", "Ingress", "ServiceAccount", "Endpoints", "Role", "RoleBinding",
            "NetworkPolicy", "PodDisruptionBudget", "ResourceQuota", "LimitRange", "Lease", "Event");

    private KubernetesNames() {
    }

    public static boolean isClusterScoped(String kind) {
        return CLUSTER_SCOPED_KINDS.contains(kind);
    }

    public static boolean isNamespaced(String kind) {
        return NAMESPACED_KINDS.contains(kind);
    }

    public static void requireNamespace(String value, String field) {
        if (value.length() > 63 || !DNS1123_LABEL.matcher(value).matches()) {
            throw new InvalidSignalException(field, quote(value)
                    + " is not a valid namespace (DNS-1123 label: lowercase alphanumerics and '-', at most 63 characters)");
        }
    }

    public static void requireKind(String value, String field) {
        if (!KIND.matcher(value).matches()) {
            throw new InvalidSignalException(field, quote(value)
                    + " is not a valid kind (letters and digits, starting with a letter, at most 63 characters)");
        }
    }

    public static void requireApiVersion(String value, String field) {
        if (value.length() > 253 || !API_VERSION.matcher(value).matches()) {
            throw new InvalidSignalException(field, quote(value) + " is not a valid apiVersion (e.g. v1, apps/v1)");
        }
    }

    /** Names of well-known kinds must be DNS-1123 subdomains; any other kind needs a valid path segment. */
    public static void requireName(String kind, String value, String field) {
        if (value.length() > 253) {
            throw new InvalidSignalException(field, "name is longer than 253 characters");
        }
        if (SUBDOMAIN_NAMED_KINDS.contains(kind)) {
            if (!DNS1123_SUBDOMAIN.matcher(value).matches()) {
                throw new InvalidSignalException(field, quote(value) + " is not a valid " + kind
                        + " name (DNS-1123 subdomain: lowercase alphanumerics, '-' and '.', at most 253 characters)");
            }
            return;
        }
        if (value.isEmpty() || value.equals(".") || value.equals("..") || value.contains("/") || value.contains("%")
                || value.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
            throw new InvalidSignalException(field, quote(value)
                    + " is not a valid name (no '/', '%', whitespace or control characters, not '.' or '..')");
        }
    }

    /** Quotes a value for an error message, shortened so that a huge input is not echoed back. */
    public static String quote(String value) {
        String shown = value.length() > 64 ? value.substring(0, 64) + "..." : value;
        StringBuilder sb = new StringBuilder("\"");
        shown.codePoints().forEach(c -> {
            if (c < ' ' || c == 0x7f) {
                sb.append(String.format("\\u%04x", c));
            } else {
                sb.appendCodePoint(c);
            }
        });
        return sb.append('"').toString();
    }
}
