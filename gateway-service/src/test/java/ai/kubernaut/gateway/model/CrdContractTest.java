package ai.kubernaut.gateway.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.testserver.model.ModelContract;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.SelectableField;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The RemediationRequest CRD in deploy/crds is the contract the generated model comes from: it must be a
 * valid structural v1 CRD serving RemediationRequest (name, version, namespaced, status subresource: see
 * {@link ModelContract#crdServing}), and a full sample must survive a round trip through the generated classes.
 */
class CrdContractTest {

    static final Path CRD = Path.of("..", "deploy", "crds", "remediationrequests.kubernaut.ai.yaml");

    @Test
    void crdParsesAsV1CustomResourceDefinitionMatchingTheModel() throws IOException {
        CustomResourceDefinition crd = ModelContract.crdServing(CRD, RemediationRequest.class);
        assertTrue(crd.getSpec().getNames().getShortNames().contains("rr"));
        var version = crd.getSpec().getVersions().get(0);
        assertEquals(".spec.signalFingerprint", version.getSelectableFields().stream().map(SelectableField::getJsonPath)
                .findFirst().orElseThrow());
        var schema = version.getSchema().getOpenAPIV3Schema().getProperties();
        assertEquals("^[a-f0-9]{64}$", schema.get("spec").getProperties().get("signalFingerprint").getPattern());
        assertTrue(schema.get("spec").getRequired().contains("targetResource"));
        assertEquals(12, schema.get("status").getProperties().get("overallPhase").getEnum().size());
    }

    @Test
    void sampleRoundTripsThroughGeneratedModelWithoutLosingAField() throws IOException {
        ModelContract.assertRoundTrips(Path.of("src", "test", "resources", "sample-rr.json"), RemediationRequest.class);
    }

    @ParameterizedTest
    @MethodSource("ai.kubernaut.testserver.model.ModelContract#rfc3339DateTimes")
    void everyRfc3339DateTimeIsReadAndWrittenBackInWholeSeconds(String time) {
        // the generator's default pattern had whole seconds only
        ModelContract.assertDateTimeReadAndWrittenInWholeSeconds(RemediationRequest.class, "firingTime",
                rr -> rr.getSpec().getFiringTime(), time);
    }
}
