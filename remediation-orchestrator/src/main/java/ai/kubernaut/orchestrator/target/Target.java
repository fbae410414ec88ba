package ai.kubernaut.orchestrator.target;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The resource a remediation acts on, as the WorkflowExecution spells it: {@code namespace/Kind/name}, or
 * {@code Kind/name} for cluster-scoped resources. Its hash names the per-target Lease and WFEs and labels WFEs.
 */
public record Target(String namespace, String kind, String name) {

    /** The WFE CRD's pattern for spec.targetResource (deploy/crds); a real server rejects anything else. */
    private static final Pattern WFE_TARGET = Pattern.compile(
            "^([a-z0-9]([-a-z0-9]*[a-z0-9])?/)?[A-Za-z][A-Za-z0-9]*/[a-z0-9]([-a-z0-9.:]*[a-z0-9])?$");
    private static final int MAX_LENGTH = 400;

    public Target {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        namespace = namespace == null || namespace.isBlank() ? null : namespace;
    }

    /** {@code namespace/Kind/name} or {@code Kind/name}. */
    public String key() {
        return namespace == null ? kind + "/" + name : namespace + "/" + kind + "/" + name;
    }

    /** First 16 hex chars of the SHA-256 of {@link #key()}: Lease and WFE names, the target-hash label. */
    public String hash() {
        return hash16(key());
    }

    /** The shard: the first two hex digits of {@link #hash()} (the {@code kubernaut.ai/shard} label value). */
    public String shard() {
        return hash().substring(0, 2);
    }

    /** Whether {@link #key()} is a valid WFE spec.targetResource (pattern and length of the CRD). */
    public boolean isValidWorkflowTarget() {
        String key = key();
        return key.length() <= MAX_LENGTH && WFE_TARGET.matcher(key).matches();
    }

    /** First 16 lowercase hex chars of the SHA-256 of {@code text} (UTF-8). */
    public static String hash16(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    @Override
    public String toString() {
        return key();
    }
}
