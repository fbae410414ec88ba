package ai.kubernaut.orchestrator.sharding;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** Reading member Leases: who is live at a given instant, by the same expiry rule as the target lock. */
public final class MemberLeases {

    public static final String NAME_PREFIX = "ro-member-";
    public static final String LABEL_MEMBER_OF = "kubernaut.ai/member-of";
    public static final String MEMBER_OF = "remediation-orchestrator";
    /** On the Lease of a replica that is shutting down: "true". It still owns its shards until its Lease goes. */
    public static final String ANNOTATION_LEAVING = "kubernaut.ai/leaving";
    /** On a staying replica's Lease: the leaving members (comma-separated) whose shards it has listed ahead. */
    public static final String ANNOTATION_PREPARED_FOR = "kubernaut.ai/prepared-for";

    private MemberLeases() {
    }

    /** {@code ro-member-<pod name>}. */
    public static String leaseName(String podName) {
        return NAME_PREFIX + podName;
    }

    /**
     * Live = a holder and {@code renewTime + leaseDurationSeconds >= now} (expired when that sum is before now:
     * client-go's rule, the target lock's and the Gateway's).
     */
    public static boolean isLive(Lease lease, Instant now) {
        if (lease.getSpec() == null || lease.getSpec().getHolderIdentity() == null
                || lease.getSpec().getLeaseDurationSeconds() == null) {
            return false;
        }
        ZonedDateTime renewed = Optional.ofNullable(lease.getSpec().getRenewTime())
                .orElse(lease.getSpec().getAcquireTime());
        return renewed != null
                && !renewed.toInstant().plusSeconds(lease.getSpec().getLeaseDurationSeconds()).isBefore(now);
    }

    /** The holder identities (pod names) of the live member Leases. */
    public static Set<String> liveMembers(Collection<Lease> leases, Instant now) {
        Set<String> live = new TreeSet<>();
        for (Lease lease : leases) {
            if (isLive(lease, now)) {
                live.add(lease.getSpec().getHolderIdentity());
            }
        }
        return live;
    }

    /** The annotations a member Lease carries for a hand-over (none in the steady state). */
    public static Map<String, String> annotations(boolean leaving, Set<String> preparedFor) {
        Map<String, String> annotations = new TreeMap<>();
        if (leaving) {
            annotations.put(ANNOTATION_LEAVING, "true");
        }
        if (!preparedFor.isEmpty()) {
            annotations.put(ANNOTATION_PREPARED_FOR, String.join(",", new TreeSet<>(preparedFor)));
        }
        return annotations;
    }

    /** The holders of the live member Leases that say they are leaving. */
    public static Set<String> leavingMembers(Collection<Lease> leases, Instant now) {
        Set<String> leaving = new TreeSet<>();
        for (Lease lease : leases) {
            if (isLive(lease, now) && "true".equals(annotation(lease, ANNOTATION_LEAVING))) {
                leaving.add(lease.getSpec().getHolderIdentity());
            }
        }
        return leaving;
    }

    /**
     * Whether every live member other than {@code pod} and the {@code leaving} ones says it has listed {@code pod}'s
     * shards ahead (true when there is no such member).
     */
    public static boolean preparedFor(Collection<Lease> leases, Instant now, String pod, Set<String> leaving) {
        for (Lease lease : leases) {
            if (!isLive(lease, now)) {
                continue;
            }
            String holder = lease.getSpec().getHolderIdentity();
            if (holder.equals(pod) || leaving.contains(holder)) {
                continue;
            }
            String prepared = annotation(lease, ANNOTATION_PREPARED_FOR);
            if (prepared == null || !Set.of(prepared.split(",")).contains(pod)) {
                return false;
            }
        }
        return true;
    }

    private static String annotation(Lease lease, String key) {
        Map<String, String> annotations = lease.getMetadata() == null ? null : lease.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(key);
    }
}
