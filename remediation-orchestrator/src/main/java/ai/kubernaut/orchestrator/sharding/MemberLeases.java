package ai.kubernaut.orchestrator.sharding;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** Reading member Leases: who is live at a given instant, by the same expiry rule as the target lock. */
public final class MemberLeases {

    public static final String NAME_PREFIX = "ro-member-";
    public static final String LABEL_MEMBER_OF = "kubernaut.ai/member-of";
    public static final String MEMBER_OF = "remediation-orchestrator";

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
}
