package ai.kubernaut.e2e.system;

import ai.kubernaut.e2e.observe.KubernautObjects;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * RemediationRequests created directly, as the Gateway would create them (same labels and spec fields), for
 * scenarios that drive the orchestrator without going through a Gateway.
 */
public final class RemediationRequests {

    /** What an RR is about. {@code fingerprintSalt} makes RRs on one target distinct signals. */
    public record Spec(String namespace, String kind, String name, String signalName, String severity, int fingerprintSalt) {
    }

    private RemediationRequests() {
    }

    public static Spec onDeployment(String namespace, String deployment, String signalName, String severity, int salt) {
        return new Spec(namespace, "Deployment", deployment, signalName, severity, salt);
    }

    /** A distinct 64-hex fingerprint per (target, salt): several signals about one target from different clusters. */
    public static String fingerprint(Spec spec) {
        return sha256Hex("e2e-cluster-" + spec.fingerprintSalt() + ":" + spec.namespace() + ":" + spec.kind() + ":" + spec.name());
    }

    /** The orchestrator's shard of the spec's target, as the Gateway writes it: sha256("ns/Kind/name"), 2 hex. */
    public static String shard(Spec spec) {
        return sha256Hex(spec.namespace() + "/" + spec.kind() + "/" + spec.name()).substring(0, 2);
    }

    /** Creates the RR in {@code controllerNamespace}; returns its name. */
    public static String create(KubernetesClient admin, String controllerNamespace, Spec spec) {
        String fingerprint = fingerprint(spec);
        String name = "rr-" + fingerprint.substring(0, 12) + "-" + sha256Hex(fingerprint + "/e2e").substring(0, 8);
        Map<String, Object> target = new LinkedHashMap<>();
        target.put("kind", spec.kind());
        target.put("name", spec.name());
        target.put("namespace", spec.namespace());
        target.put("apiVersion", "apps/v1");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("signalFingerprint", fingerprint);
        body.put("signalName", spec.signalName());
        body.put("severity", spec.severity());
        body.put("signalType", "prometheus-alert");
        body.put("signalSource", "e2e-tests");
        body.put("targetType", "kubernetes");
        body.put("targetResource", target);
        body.put("clusterID", "e2e-cluster-" + spec.fingerprintSalt());
        // whole seconds, as Kubernetes writes timestamps (and as the Gateway does)
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        body.put("firingTime", now);
        body.put("receivedTime", now);
        body.put("signalLabels", Map.of("alertname", spec.signalName(), "severity", spec.severity(),
                "namespace", spec.namespace(), "deployment", spec.name()));
        GenericKubernetesResource rr = new GenericKubernetesResourceBuilder()
                .withApiVersion(KubernautObjects.API_VERSION).withKind(KubernautObjects.RR_KIND)
                .withNewMetadata().withName(name).withNamespace(controllerNamespace)
                .addToLabels("app.kubernetes.io/managed-by", "gateway-service")
                .addToLabels("app.kubernetes.io/component", "remediation")
                .addToLabels("kubernaut.ai/fingerprint", fingerprint.substring(0, 63))
                // as the Gateway labels its RRs: the orchestrator's shard of the target
                .addToLabels("kubernaut.ai/shard", shard(spec))
                .endMetadata()
                .addToAdditionalProperties("spec", body)
                .build();
        return KubernautObjects.rrs(admin).inNamespace(controllerNamespace).resource(rr).create().getMetadata().getName();
    }

    static String sha256Hex(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
