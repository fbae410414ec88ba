package ai.kubernaut.orchestrator.sharding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MemberLeasesTest {

    static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");

    static Lease member(String pod, Instant renewed, Integer seconds) {
        return new LeaseBuilder().withNewMetadata().withName(MemberLeases.leaseName(pod)).endMetadata()
                .withNewSpec().withHolderIdentity(pod).withLeaseDurationSeconds(seconds)
                .withRenewTime(renewed == null ? null : renewed.atZone(ZoneOffset.UTC)).endSpec().build();
    }

    @Test
    void liveUntilRenewTimePlusDurationTheTargetLocksExpiryRule() {
        Lease lease = member("ro-0", T0, 15);
        assertTrue(MemberLeases.isLive(lease, T0.plusSeconds(15)), "at the boundary still live");
        assertFalse(MemberLeases.isLive(lease, T0.plusSeconds(15).plusMillis(1)));
    }

    @Test
    void aLeaseWithoutHolderTimeOrDurationIsNotAMember() {
        assertFalse(MemberLeases.isLive(member("ro-0", null, 15), T0));
        assertFalse(MemberLeases.isLive(member("ro-0", T0, null), T0));
        assertFalse(MemberLeases.isLive(new LeaseBuilder().withNewMetadata().withName("x").endMetadata().build(), T0));
    }

    @Test
    void liveMembersAreTheHoldersOfUnexpiredLeases() {
        List<Lease> leases = List.of(member("ro-0", T0, 15), member("ro-1", T0.minusSeconds(20), 15),
                member("ro-2", T0.minusSeconds(5), 15));
        assertEquals(Set.of("ro-0", "ro-2"), MemberLeases.liveMembers(leases, T0));
        assertEquals("ro-member-ro-0", MemberLeases.leaseName("ro-0"));
    }

    static Lease annotated(Lease lease, boolean leaving, Set<String> preparedFor) {
        lease.getMetadata().setAnnotations(MemberLeases.annotations(leaving, preparedFor));
        return lease;
    }

    @Test
    void aHandOverIsReadFromTheAnnotationsOfLiveLeasesOnly() {
        assertEquals(java.util.Map.of(), MemberLeases.annotations(false, Set.of()), "none in the steady state");
        List<Lease> leases = List.of(annotated(member("ro-0", T0, 15), true, Set.of()),
                annotated(member("ro-1", T0, 15), false, Set.of("ro-0", "ro-3")),
                annotated(member("ro-2", T0, 15), false, Set.of("ro-3")),
                annotated(member("ro-3", T0.minusSeconds(20), 15), true, Set.of()));
        assertEquals(Set.of("ro-0"), MemberLeases.leavingMembers(leases, T0), "ro-3 leaves but has expired");
        assertFalse(MemberLeases.preparedFor(leases, T0, "ro-0", Set.of("ro-0")), "ro-2 has not listed ro-0's shards");
        assertTrue(MemberLeases.preparedFor(leases.subList(0, 2), T0, "ro-0", Set.of("ro-0")));
        assertTrue(MemberLeases.preparedFor(leases, T0, "ro-0", Set.of("ro-0", "ro-2")),
                "a member that leaves too is not waited for");
        assertTrue(MemberLeases.preparedFor(List.of(leases.get(0)), T0, "ro-0", Set.of("ro-0")), "alone: nobody to wait for");
    }

    @Test
    void settingsRejectNonsense() {
        assertThrows(IllegalArgumentException.class,
                () -> MembershipSettings.of(Duration.ofMillis(500), Duration.ofMillis(100)));
        assertThrows(IllegalArgumentException.class,
                () -> MembershipSettings.of(Duration.ofSeconds(5), Duration.ofSeconds(5)));
        assertThrows(IllegalArgumentException.class, () -> MembershipSettings.of(Duration.ofSeconds(15),
                Duration.ofSeconds(5)).withHandOverWait(Duration.ofMillis(-1)));
        assertEquals(Duration.ofSeconds(1), MembershipSettings.of(Duration.ofSeconds(15), Duration.ofSeconds(5))
                .checkInterval());
        assertEquals(Duration.ofMillis(500), MembershipSettings.of(Duration.ofSeconds(2), Duration.ofMillis(500))
                .checkInterval());
    }
}
