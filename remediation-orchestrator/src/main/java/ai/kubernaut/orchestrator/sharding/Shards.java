package ai.kubernaut.orchestrator.sharding;

import ai.kubernaut.orchestrator.model.RemediationRequest;
import ai.kubernaut.orchestrator.model.WorkflowExecution;
import ai.kubernaut.orchestrator.reconcile.RequestValidation;
import ai.kubernaut.orchestrator.target.Target;
import ai.kubernaut.orchestrator.workflow.WorkflowExecutions;
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

    /** The shard an RR is filed under: its label when that is a shard id, else {@link #ofSpec}. */
    public static String ofRequest(RemediationRequest rr) {
        return label(rr.getMetadata().getLabels()).orElseGet(() -> ofSpec(rr));
    }

    /** The shard of a WFE by its target-hash label; empty for a WFE the orchestrator did not create. */
    public static Optional<String> ofExecution(WorkflowExecution wfe) {
        String hash = WorkflowExecutions.targetHashOf(wfe);
        return hash == null || hash.length() < 2 || !isShard(hash.substring(0, 2)) ? Optional.empty()
                : Optional.of(hash.substring(0, 2));
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
