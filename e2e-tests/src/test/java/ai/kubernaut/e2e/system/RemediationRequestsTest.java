package ai.kubernaut.e2e.system;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The harness labels its RRs as the Gateway does: the same shard vectors as DedupRulesTest and ShardsTest. */
class RemediationRequestsTest {

    @Test
    void shardLabelIsTheOrchestratorsShardOfTheTarget() {
        assertEquals("45", RemediationRequests.shard(
                RemediationRequests.onDeployment("shop", "checkout", "KubePodCrashLooping", "critical", 1)));
    }
}
