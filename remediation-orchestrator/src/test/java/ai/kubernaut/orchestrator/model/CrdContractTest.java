package ai.kubernaut.orchestrator.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.testserver.model.ModelContract;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.SelectableField;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CRDs in deploy/crds are the contract the generated model comes from: each must be a valid structural
 * v1 CRD serving its generated class (name, version, namespaced, status subresource: see
 * {@link ModelContract#crdServing}), and a full sample must survive a round trip through that class.
 */
class CrdContractTest {

    @ParameterizedTest
    @CsvSource({
        "remediationrequests.kubernaut.ai.yaml, ai.kubernaut.orchestrator.model.RemediationRequest, rr, .spec.signalFingerprint, overallPhase, 12",
        "workflowexecutions.kubernaut.ai.yaml, ai.kubernaut.orchestrator.model.WorkflowExecution, wfe, .spec.targetResource, phase, 4"
    })
    void crdParsesAsV1CustomResourceDefinitionMatchingTheModel(String file, Class<? extends HasMetadata> model,
            String shortName, String selectableField, String phaseField, int phases) throws IOException {
        CustomResourceDefinition crd = ModelContract.crdServing(Path.of("..", "deploy", "crds", file), model);
        assertTrue(crd.getSpec().getNames().getShortNames().contains(shortName));
        var version = crd.getSpec().getVersions().get(0);
        assertEquals(selectableField, version.getSelectableFields().stream().map(SelectableField::getJsonPath)
                .findFirst().orElseThrow());
        var schema = version.getSchema().getOpenAPIV3Schema();
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
        ModelContract.assertRoundTrips(Path.of("src", "test", "resources", file), model);
    }

    @ParameterizedTest
    @MethodSource("ai.kubernaut.testserver.model.ModelContract#rfc3339DateTimes")
    void everyRfc3339DateTimeIsReadAndWrittenBackInWholeSeconds(String time) {
        // the generator's default pattern had whole seconds only
        ModelContract.assertDateTimeReadAndWrittenInWholeSeconds(RemediationRequest.class, "firingTime",
                rr -> rr.getSpec().getFiringTime(), time);
    }
}
