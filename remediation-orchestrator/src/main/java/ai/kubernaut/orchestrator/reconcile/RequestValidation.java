package ai.kubernaut.orchestrator.reconcile;

import ai.kubernaut.orchestrator.model.RemediationRequest;
import ai.kubernaut.orchestrator.model.RemediationRequestSpec;
import ai.kubernaut.orchestrator.model.remediationrequestspec.TargetResource;
import ai.kubernaut.orchestrator.target.Target;
import java.util.regex.Pattern;

/**
 * Checks what the orchestrator needs of an RR's spec before it acts. A real API server enforces the CRD schema;
 * the CRUD mock does not, and neither does an older CRD version: never trust the schema alone.
 */
public final class RequestValidation {

    private static final Pattern FINGERPRINT = Pattern.compile("^[a-f0-9]{64}$");

    /** The outcome: a target to act on, or a reason the RR is unusable. */
    public sealed interface Result {
    }

    public record Valid(Target target) implements Result {
    }

    public record Invalid(String reason) implements Result {
    }

    private RequestValidation() {
    }

    public static Result validate(RemediationRequest rr) {
        RemediationRequestSpec spec = rr.getSpec();
        if (spec == null) {
            return new Invalid("spec is missing");
        }
        String fingerprint = spec.getSignalFingerprint();
        if (fingerprint == null || fingerprint.isEmpty()) {
            return new Invalid("spec.signalFingerprint is required");
        }
        if (!FINGERPRINT.matcher(fingerprint).matches()) {
            return new Invalid("spec.signalFingerprint must be 64 lowercase hex characters (a SHA-256), got '"
                    + abbreviate(fingerprint) + "'");
        }
        if (spec.getSignalName() == null || spec.getSignalName().isBlank()) {
            return new Invalid("spec.signalName is required");
        }
        TargetResource resource = spec.getTargetResource();
        if (resource == null) {
            return new Invalid("spec.targetResource is required");
        }
        if (isBlank(resource.getKind()) || isBlank(resource.getName())) {
            return new Invalid("spec.targetResource.kind and spec.targetResource.name are required");
        }
        Target target = new Target(resource.getNamespace(), resource.getKind(), resource.getName());
        if (!target.isValidWorkflowTarget()) {
            return new Invalid("spec.targetResource '" + abbreviate(target.key()) + "' is not a valid target"
                    + " (namespace and name must be lowercase DNS names, kind alphanumeric)");
        }
        return new Valid(target);
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
