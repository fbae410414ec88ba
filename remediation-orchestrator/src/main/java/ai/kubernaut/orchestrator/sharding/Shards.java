package ai.kubernaut.orchestrator.sharding;

import ai.kubernaut.orchestrator.model.RemediationRequest;
import ai.kubernaut.orchestrator.model.WorkflowExecution;
import ai.kubernaut.orchestrator.reconcile.RequestValidation;
import ai.kubernaut.orchestrator.target.Target;
import ai.kubernaut.orchestrator.workflow.WorkflowExecutions;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Targets fall into 256 shards, the first byte of the target hash as two hex digits ({@code sha256} of
 * {@code namespace/Kind/name}, the string the Gateway also labels RRs with). Replicas own whole shards
 * (rendezvous hashing of the shard id over the live members) and watch only RRs and WFEs labelled
 * {@code kubernaut.ai/shard} with one of their shards (ADR-052-003, addendum). 256 keeps three replicas within a
 * few percent of an even split; a fixed number, because the label value is a contract with the Gateway.
 *
 * <p>The spec decides an object's shard ({@link #ofSpec}, {@link #ofExecution}); the label only decides which
 * replica sees it, and one that differs from the spec is corrected ({@link #isMisfiled}, {@link #correctedBy},
 * {@link ShardLabeller}).
 */
public final class Shards {

    public static final String LABEL = WorkflowExecutions.LABEL_SHARD;
    public static final int COUNT = 256;

    private static final Pattern SHARD = Pattern.compile("^[0-9a-f]{2}$");

    private Shards() {
    }

    /** The shard an RR belongs to by its spec: its target's, or by its own name when it has no valid target. */
    public static String ofSpec(RemediationRequest rr) {
        return RequestValidation.validate(rr) instanceof RequestValidation.Valid valid ? valid.target().shard()
                : Target.hash16("rr/" + rr.getMetadata().getName()).substring(0, 2);
    }

    /**
     * The shard of a WFE by its spec: the first byte of the hash of its {@code spec.targetResource}; its target-hash
     * label when it has no target. Empty for a WFE the orchestrator did not create (no target-hash label).
     */
    public static Optional<String> ofExecution(WorkflowExecution wfe) {
        return targetHashOfSpec(wfe).map(hash -> hash.substring(0, 2));
    }

    /**
     * The labels an object's spec gives it: the shard for an RR, the shard and the target hash for a WFE of the
     * orchestrator's (its target-hash label indexes the view routing decides from); none for anything else.
     */
    public static Map<String, String> labelsOfSpec(HasMetadata object) {
        if (object instanceof RemediationRequest rr) {
            return Map.of(LABEL, ofSpec(rr));
        }
        if (object instanceof WorkflowExecution wfe) {
            return targetHashOfSpec(wfe).map(hash -> Map.of(LABEL, hash.substring(0, 2),
                    WorkflowExecutions.LABEL_TARGET_HASH, hash)).orElse(Map.of());
        }
        return Map.of();
    }

    /**
     * Whether an object's labels differ from those its spec gives ({@link #labelsOfSpec}): absent, no shard id, or
     * a valid shard that is not its own (a copied manifest). Filed so, it is watched by a replica that cannot see
     * its target's WFEs (an RR), or the RRs of its target cannot see it (a WFE).
     */
    public static boolean isMisfiled(HasMetadata object) {
        Map<String, String> labels = object.getMetadata().getLabels();
        return labelsOfSpec(object).entrySet().stream()
                .anyMatch(e -> labels == null || !e.getValue().equals(labels.get(e.getKey())));
    }

    /**
     * The shard whose owner corrects a misfiled object: the one its label names, when that is a shard id (only
     * that owner's label-selected caches see it), else the one its spec gives (every replica sees it through the
     * watch of unlabelled objects; the spec's owner writes).
     */
    public static Optional<String> correctedBy(HasMetadata object) {
        return label(object.getMetadata().getLabels())
                .or(() -> Optional.ofNullable(labelsOfSpec(object).get(LABEL)));
    }

    /** The target hash the spec of one of our WFEs gives (16 hex), else its label's; empty when not ours. */
    private static Optional<String> targetHashOfSpec(WorkflowExecution wfe) {
        String label = WorkflowExecutions.targetHashOf(wfe);
        if (label == null) {
            return Optional.empty();
        }
        String target = wfe.getSpec() == null ? null : wfe.getSpec().getTargetResource();
        if (target != null && !target.isBlank()) {
            return Optional.of(Target.hash16(target));
        }
        return label.length() >= 2 && isShard(label.substring(0, 2)) ? Optional.of(label) : Optional.empty();
    }

    /** The value of the shard label, when it is one. */
    public static Optional<String> label(Map<String, String> labels) {
        String value = labels == null ? null : labels.get(LABEL);
        return value != null && isShard(value) ? Optional.of(value) : Optional.empty();
    }

    public static boolean isShard(String value) {
        return SHARD.matcher(value).matches();
    }

    /** Every shard id, {@code 00} to {@code ff}. */
    public static String[] all() {
        String[] all = new String[COUNT];
        for (int i = 0; i < COUNT; i++) {
            all[i] = String.format("%02x", i);
        }
        return all;
    }

    /** Every shard {@code member} owns among {@code members} (empty when it is not one of them). */
    public static SortedSet<String> ownedBy(String member, Collection<String> members) {
        SortedSet<String> owned = new TreeSet<>();
        if (!members.contains(member)) {
            return owned;
        }
        for (String shard : all()) {
            if (ShardRing.owner(shard, members).map(member::equals).orElse(false)) {
                owned.add(shard);
            }
        }
        return owned;
    }
}
