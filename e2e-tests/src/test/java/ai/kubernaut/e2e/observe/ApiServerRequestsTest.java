package ai.kubernaut.e2e.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ApiServerRequestsTest {

    private static String scrape(int wfeLists, int statusPatches, int watches) {
        return """
                # HELP apiserver_request_total [STABLE] Counter of apiserver requests
                # TYPE apiserver_request_total counter
                apiserver_request_total{code="200",component="apiserver",group="kubernaut.ai",resource="workflowexecutions",scope="namespace",subresource="",verb="LIST",version="v1alpha1"} %d
                apiserver_request_total{code="200",component="apiserver",group="kubernaut.ai",resource="workflowexecutions",scope="cluster",subresource="",verb="LIST",version="v1alpha1"} 2
                apiserver_request_total{code="200",component="apiserver",group="kubernaut.ai",resource="remediationrequests",scope="resource",subresource="status",verb="PATCH",version="v1alpha1"} %d
                apiserver_request_total{code="409",component="apiserver",group="kubernaut.ai",resource="remediationrequests",scope="resource",subresource="status",verb="PATCH",version="v1alpha1"} 1
                apiserver_request_total{code="0",component="apiserver",group="kubernaut.ai",resource="workflowexecutions",scope="namespace",subresource="",verb="WATCH",version="v1alpha1"} %d
                apiserver_request_total{code="200",component="apiserver",group="",resource="",scope="",subresource="",verb="GET",version=""} 40
                apiserver_request_duration_seconds_count{resource="workflowexecutions",verb="LIST"} 99
                """.formatted(wfeLists, statusPatches, watches);
    }

    @Test
    void countsEveryCodeAndScopeOfAKindAndLeavesOutWatchesAndNonResourceRequests() {
        ApiServerRequests.Snapshot before = ApiServerRequests.of(scrape(10, 5, 3)).orElseThrow();
        ApiServerRequests.Snapshot after = ApiServerRequests.of(scrape(10, 12, 9)).orElseThrow();

        assertEquals(Map.of("remediationrequests/status patch", 7L), after.since(before));
        assertEquals(12.0, before.byKind().get("workflowexecutions list"), "namespace and cluster scope together");
        assertEquals(6.0, before.byKind().get("remediationrequests/status patch"), "every answer code counts");
    }

    @Test
    void noSuchMetricIsNoSnapshot() {
        assertTrue(ApiServerRequests.of("process_cpu_seconds_total 1.5\n").isEmpty());
    }
}
