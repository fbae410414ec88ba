package ai.kubernaut.gateway.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.SelectableField;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The RemediationRequest CRD in deploy/crds is the contract the generated model comes from: it must be a
 * valid structural v1 CRD, and a full sample must survive a round trip through the generated classes.
 */
class CrdContractTest {

    static final Path CRD = Path.of("..", "deploy", "crds", "remediationrequests.kubernaut.ai.yaml");
    final KubernetesSerialization serialization = new KubernetesSerialization();

    @Test
    void crdParsesAsV1CustomResourceDefinitionMatchingTheModel() throws IOException {
        CustomResourceDefinition crd;
        try (InputStream in = Files.newInputStream(CRD)) {
            crd = serialization.unmarshal(in, CustomResourceDefinition.class);
        }
        assertEquals("apiextensions.k8s.io/v1", crd.getApiVersion());
        assertEquals(io.fabric8.kubernetes.api.model.HasMetadata.getFullResourceName(RemediationRequest.class),
                crd.getMetadata().getName());
        assertEquals("Namespaced", crd.getSpec().getScope());
        assertTrue(crd.getSpec().getNames().getShortNames().contains("rr"));
        CustomResourceDefinitionVersion v = crd.getSpec().getVersions().get(0);
        assertEquals(io.fabric8.kubernetes.api.model.HasMetadata.getVersion(RemediationRequest.class), v.getName());
        assertNotNull(v.getSubresources().getStatus(), "status subresource must be enabled");
        assertEquals(".spec.signalFingerprint", v.getSelectableFields().stream().map(SelectableField::getJsonPath)
                .findFirst().orElseThrow());
        var spec = v.getSchema().getOpenAPIV3Schema().getProperties().get("spec");
        assertEquals("^[a-f0-9]{64}$", spec.getProperties().get("signalFingerprint").getPattern());
        assertTrue(spec.getRequired().contains("targetResource"));
        assertTrue(v.getSchema().getOpenAPIV3Schema().getProperties().get("status").getProperties()
                .get("overallPhase").getEnum().size() == 12);
    }

    @Test
    void sampleRoundTripsThroughGeneratedModelWithoutLosingAField() throws IOException {
        String sample = Files.readString(Path.of("src", "test", "resources", "sample-rr.json"));
        RemediationRequest rr = serialization.unmarshal(sample, RemediationRequest.class);
        String back = serialization.asJson(rr);
        JsonNode expected = new ObjectMapper().readTree(sample);
        JsonNode actual = new ObjectMapper().readTree(back);
        assertEquals(expected, actual);
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"2026-11-22T06:23:25Z", "2026-11-22T06:23:25.7Z",
        "2026-11-22T06:23:25.715Z", "2026-11-22T06:23:25.715006Z", "2026-11-22T06:23:25.715006416Z",
        "2026-11-22T07:23:25.715+01:00"})
    void everyRfc3339DateTimeIsReadAndWrittenBackInWholeSeconds(String time) {
        // a real API server stores any valid date-time from any writer; one unreadable object would fail every
        // read of its kind (the generator's default pattern had whole seconds only)
        String json = "{\"apiVersion\":\"kubernaut.ai/v1alpha1\",\"kind\":\"RemediationRequest\","
                + "\"metadata\":{\"name\":\"rr-a\"},\"spec\":{\"signalFingerprint\":\"" + "a".repeat(64) + "\","
                + "\"signalName\":\"X\",\"targetResource\":{\"kind\":\"Pod\",\"name\":\"p\"},"
                + "\"firingTime\":\"" + time + "\"}}";
        RemediationRequest rr = serialization.unmarshal(json, RemediationRequest.class);
        java.time.Instant expected = java.time.OffsetDateTime.parse(time).toInstant();
        assertEquals(expected, rr.getSpec().getFiringTime().toInstant());
        assertTrue(serialization.asJson(rr).contains("\"firingTime\":\"2026-11-22T06:23:25Z\""));
    }
}
