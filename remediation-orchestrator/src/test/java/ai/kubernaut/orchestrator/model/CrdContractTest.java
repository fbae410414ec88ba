package ai.kubernaut.orchestrator.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.SelectableField;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The CRDs in deploy/crds are the contract the generated model comes from: each must be a valid structural
 * v1 CRD matching its generated class, and a full sample must survive a round trip through that class.
 */
class CrdContractTest {

    final KubernetesSerialization serialization = new KubernetesSerialization();

    @ParameterizedTest
    @CsvSource({
        "remediationrequests.kubernaut.ai.yaml, ai.kubernaut.orchestrator.model.RemediationRequest, rr, .spec.signalFingerprint, overallPhase, 12",
        "workflowexecutions.kubernaut.ai.yaml, ai.kubernaut.orchestrator.model.WorkflowExecution, wfe, .spec.targetResource, phase, 4"
    })
    void crdParsesAsV1CustomResourceDefinitionMatchingTheModel(String file, Class<? extends HasMetadata> model,
            String shortName, String selectableField, String phaseField, int phases) throws IOException {
        CustomResourceDefinition crd;
        try (InputStream in = Files.newInputStream(Path.of("..", "deploy", "crds", file))) {
            crd = serialization.unmarshal(in, CustomResourceDefinition.class);
        }
        assertEquals("apiextensions.k8s.io/v1", crd.getApiVersion());
        assertEquals(HasMetadata.getFullResourceName(model), crd.getMetadata().getName());
        assertEquals("Namespaced", crd.getSpec().getScope());
        assertTrue(crd.getSpec().getNames().getShortNames().contains(shortName));
        CustomResourceDefinitionVersion v = crd.getSpec().getVersions().get(0);
        assertEquals(HasMetadata.getVersion(model), v.getName());
        assertNotNull(v.getSubresources().getStatus(), "status subresource must be enabled");
        assertEquals(selectableField, v.getSelectableFields().stream().map(SelectableField::getJsonPath)
                .findFirst().orElseThrow());
        var schema = v.getSchema().getOpenAPIV3Schema();
        assertTrue(schema.getProperties().get("spec").getRequired().contains("targetResource"));
        assertEquals(phases, schema.getProperties().get("status").getProperties().get(phaseField).getEnum().size());
    }

    @ParameterizedTest
    @CsvSource({
        "sample-rr.json, ai.kubernaut.orchestrator.model.RemediationRequest",
        "sample-wfe.json, ai.kubernaut.orchestrator.model.WorkflowExecution"
    })
    void sampleRoundTripsThroughGeneratedModelWithoutLosingAField(String file, Class<? extends HasMetadata> model)
            throws IOException {
        String sample = Files.readString(Path.of("src", "test", "resources", file));
        HasMetadata parsed = serialization.unmarshal(sample, model);
        ObjectMapper json = new ObjectMapper();
        JsonNode expected = json.readTree(sample);
        JsonNode actual = json.readTree(serialization.asJson(parsed));
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
