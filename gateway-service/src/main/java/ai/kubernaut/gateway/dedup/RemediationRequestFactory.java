package ai.kubernaut.gateway.dedup;

import ai.kubernaut.gateway.model.RemediationRequest;
import ai.kubernaut.gateway.model.RemediationRequestSpec;
import ai.kubernaut.gateway.model.remediationrequestspec.TargetResource;
import ai.kubernaut.gateway.signal.Signal;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds the RemediationRequest for a new signal (spec immutable once created; status is written after). */
final class RemediationRequestFactory {

    private static final SecureRandom RANDOM = new SecureRandom();

    private RemediationRequestFactory() {
    }

    /** 64 random bits as hex: lets a creator recognise its own RR after a create that got no answer. */
    static String creationToken() {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    static RemediationRequest build(Signal signal, String namespace, String name, String predecessor,
            String creationToken) {
        RemediationRequest rr = new RemediationRequest();
        rr.getMetadata().setName(name);
        rr.getMetadata().setNamespace(namespace);
        Map<String, String> labels = new LinkedHashMap<>(DedupRules.GATEWAY_LABELS);
        labels.put(DedupRules.FINGERPRINT_LABEL, DedupRules.fingerprintLabelValue(signal.fingerprint()));
        labels.put(DedupRules.SHARD_LABEL, DedupRules.shardOf(signal.resource()));
        rr.getMetadata().setLabels(labels);
        Map<String, String> annotations = new HashMap<>();
        if (predecessor != null) {
            annotations.put(DedupRules.SUPERSEDES_ANNOTATION, predecessor);
        }
        annotations.put(DedupRules.CREATION_TOKEN_ANNOTATION, creationToken);
        rr.getMetadata().setAnnotations(annotations);

        RemediationRequestSpec spec = new RemediationRequestSpec();
        spec.setSignalFingerprint(signal.fingerprint());
        spec.setSignalName(signal.signalName());
        spec.setSeverity(emptyToNull(signal.severity()));
        spec.setSignalType(emptyToNull(signal.signalType()));
        spec.setSignalSource(emptyToNull(signal.signalSource()));
        spec.setTargetType(RemediationRequestSpec.TargetType.KUBERNETES);
        TargetResource target = new TargetResource();
        target.setKind(signal.resource().kind());
        target.setName(signal.resource().name());
        target.setNamespace(emptyToNull(signal.resource().namespace()));
        target.setApiVersion(emptyToNull(signal.resource().apiVersion()));
        spec.setTargetResource(target);
        spec.setClusterID(emptyToNull(signal.clusterId()));
        spec.setFiringTime(zoned(signal.firingTime()));
        spec.setReceivedTime(zoned(signal.receivedTime()));
        spec.setSignalLabels(signal.labels().isEmpty() ? null : new LinkedHashMap<>(signal.labels()));
        spec.setSignalAnnotations(signal.annotations().isEmpty() ? null : new LinkedHashMap<>(signal.annotations()));
        spec.setOriginalPayload(emptyToNull(signal.originalPayload()));
        rr.setSpec(spec);
        return rr;
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static ZonedDateTime zoned(Instant i) {
        return i == null ? null : DedupRules.truncate(i).atZone(ZoneOffset.UTC);
    }
}
