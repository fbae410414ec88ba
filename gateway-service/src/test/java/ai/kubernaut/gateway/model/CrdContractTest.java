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
}
