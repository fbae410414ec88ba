package ai.kubernaut.orchestrator.sharding;

import java.time.Duration;
import java.util.Objects;

/**
 * @param leaseDuration how long a member Lease keeps its replica in the set without renewal (whole seconds)
 * @param renewInterval how often a replica renews its own member Lease (well below leaseDuration)
 * @param checkInterval how often the live set is re-judged without any event (notices expiries)
 * @param handOverWait  how long a stopping replica keeps working while the others list its shards ahead, before it
 *                      leaves anyway (zero: it leaves at once and the others list after it left)
 */
public record MembershipSettings(Duration leaseDuration, Duration renewInterval, Duration checkInterval,
        Duration handOverWait) {

    /** The default {@link #handOverWait}: a list of the shards gained, with time to spare, well inside a pod's grace. */
    public static final Duration DEFAULT_HAND_OVER_WAIT = Duration.ofSeconds(5);

    public MembershipSettings {
        Objects.requireNonNull(leaseDuration, "leaseDuration");
        Objects.requireNonNull(renewInterval, "renewInterval");
        Objects.requireNonNull(checkInterval, "checkInterval");
        Objects.requireNonNull(handOverWait, "handOverWait");
        if (handOverWait.isNegative()) {
            throw new IllegalArgumentException("hand-over wait must not be negative but was " + handOverWait);
        }
        if (leaseDuration.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("member lease duration must be at least 1s but was " + leaseDuration);
        }
        if (renewInterval.isNegative() || renewInterval.isZero() || renewInterval.compareTo(leaseDuration) >= 0) {
            throw new IllegalArgumentException("member renew interval must be positive and shorter than the lease"
                    + " duration " + leaseDuration + " but was " + renewInterval);
        }
        if (checkInterval.isNegative() || checkInterval.isZero()) {
            throw new IllegalArgumentException("member check interval must be positive but was " + checkInterval);
        }
    }

    /** The default check: every second, or every renewal when that is more often. */
    public static MembershipSettings of(Duration leaseDuration, Duration renewInterval) {
        Duration check = renewInterval.compareTo(Duration.ofSeconds(1)) < 0 ? renewInterval : Duration.ofSeconds(1);
        return new MembershipSettings(leaseDuration, renewInterval, check, DEFAULT_HAND_OVER_WAIT);
    }

    public MembershipSettings withHandOverWait(Duration otherWait) {
        return new MembershipSettings(leaseDuration, renewInterval, checkInterval, otherWait);
    }

    public int leaseDurationSeconds() {
        return (int) Math.min(Integer.MAX_VALUE, (leaseDuration.toMillis() + 999) / 1000);
    }
}
