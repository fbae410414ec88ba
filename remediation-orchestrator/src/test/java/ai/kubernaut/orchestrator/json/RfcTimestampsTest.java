package ai.kubernaut.orchestrator.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.kubernaut.orchestrator.model.RemediationRequest;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

class RfcTimestampsTest {

    /** As Quarkus builds the client's mapper: a bare mapper, the customizers, then fabric8's own modules. */
    static KubernetesSerialization serialization() {
        ObjectMapper mapper = new ObjectMapper();
        new RfcTimestamps().customize(mapper);
        return new KubernetesSerialization(mapper, true);
    }

    static String rr(String firingTime) {
        return "{\"apiVersion\":\"kubernaut.ai/v1alpha1\",\"kind\":\"RemediationRequest\",\"metadata\":{\"name\":\"rr-a\"},"
                + "\"spec\":{\"signalFingerprint\":\"" + "a".repeat(64) + "\",\"signalName\":\"X\","
                + "\"targetResource\":{\"kind\":\"Pod\",\"name\":\"p\"},\"firingTime\":\"" + firingTime + "\"},"
                + "\"status\":{\"deduplication\":{\"firstSeenAt\":\"2026-11-22T06:23:25.5+01:00\",\"occurrenceCount\":2}}}";
    }

    @Test
    void fractionalSecondsAndOffsetsAreRead() {
        RemediationRequest rr = serialization().unmarshal(rr("2026-11-22T06:23:25.715006416Z"), RemediationRequest.class);
        assertEquals(ZonedDateTime.parse("2026-11-22T06:23:25.715006416Z").toInstant(),
                rr.getSpec().getFiringTime().toInstant());
        assertEquals(ZonedDateTime.parse("2026-11-22T05:23:25.5Z").toInstant(),
                rr.getStatus().getDeduplication().getFirstSeenAt().toInstant());
    }

    @Test
    void theGeneratedPatternAloneRejectsThem() {
        // why the customizer exists: without it a valid RFC 3339 time breaks reading the whole object
        assertThrows(RuntimeException.class, () -> new KubernetesSerialization()
                .unmarshal(rr("2026-11-22T06:23:25.715Z"), RemediationRequest.class));
    }

    @Test
    void wholeSecondsStillReadAndAreWrittenAsBefore() {
        KubernetesSerialization s = serialization();
        RemediationRequest rr = s.unmarshal(rr("2026-11-22T06:23:25Z"), RemediationRequest.class);
        assertEquals("2026-11-22T06:23:25Z", s.convertValue(rr, java.util.Map.class).get("spec") instanceof java.util.Map<?, ?> m
                ? m.get("firingTime") : null);
    }

    @Test
    void garbageIsStillAnError() {
        assertThrows(RuntimeException.class, () -> serialization().unmarshal(rr("yesterday"), RemediationRequest.class));
    }
}
