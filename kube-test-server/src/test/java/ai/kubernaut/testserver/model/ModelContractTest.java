package ai.kubernaut.testserver.model;

import ai.kubernaut.testserver.model.sample.SampleA;
import ai.kubernaut.testserver.model.sample.SampleB;
import ai.kubernaut.testserver.model.sample.SampleRegistration;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shared model checks pass on a matching model and fail, naming what is wrong, on one that does not. */
class ModelContractTest {

    static final Path RR_CRD = Path.of("..", "deploy", "crds", "remediationrequests.kubernaut.ai.yaml");
    static final Path TEST_CLASSES = Path.of("target", "test-classes");

    @Group("kubernaut.ai")
    @Version("v1alpha1")
    public static class RemediationRequest extends CustomResource<Void, Void> implements Namespaced {
    }

    @Group("kubernaut.ai")
    @Version("v1alpha1")
    public static class Widget extends CustomResource<Void, Void> implements Namespaced {
    }

    @Group("kubernaut.ai")
    @Version("v2")
    @Plural("remediationrequests")
    public static class RemediationRequestV2 extends CustomResource<Void, Void> implements Namespaced {
    }

    @Test
    void crdServingAcceptsTheModelItServesAndRejectsOthers() throws IOException {
        assertEquals("rr", ModelContract.crdServing(RR_CRD, RemediationRequest.class).getSpec().getNames()
                .getShortNames().get(0));
        AssertionError wrongName = assertThrows(AssertionError.class, () -> ModelContract.crdServing(RR_CRD, Widget.class));
        assertTrue(wrongName.getMessage().contains("widgets.kubernaut.ai"), wrongName.getMessage());
        AssertionError wrongVersion = assertThrows(AssertionError.class,
                () -> ModelContract.crdServing(RR_CRD, RemediationRequestV2.class));
        assertTrue(wrongVersion.getMessage().contains("first version"), wrongVersion.getMessage());
    }

    @Test
    void roundTripFailsWhenTheModelDropsAField(@TempDir Path dir) throws IOException {
        Path sample = dir.resolve("sample.json");
        Files.writeString(sample, "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\"},"
                + "\"data\":{\"k\":\"v\"}}");
        assertDoesNotThrow(() -> ModelContract.assertRoundTrips(sample, ConfigMap.class));
        // the Void spec and status of this model cannot hold the sample's spec
        Files.writeString(sample, "{\"apiVersion\":\"kubernaut.ai/v1alpha1\",\"kind\":\"Widget\","
                + "\"metadata\":{\"name\":\"w\"},\"spec\":{\"size\":3}}");
        assertThrows(AssertionError.class, () -> ModelContract.assertRoundTrips(sample, Widget.class));
    }

    @Test
    void registrationMustNameExactlyTheCompiledClasses() {
        assertDoesNotThrow(() -> ModelContract.assertEveryClassRegistered(TEST_CLASSES, SampleRegistration.class,
                new Class<?>[] {SampleA.class, SampleB.class}, 2));
        AssertionError missing = assertThrows(AssertionError.class, () -> ModelContract.assertEveryClassRegistered(
                TEST_CLASSES, SampleRegistration.class, new Class<?>[] {SampleA.class}, 2));
        assertTrue(missing.getMessage().contains(SampleB.class.getName()), missing.getMessage());
        AssertionError extra = assertThrows(AssertionError.class, () -> ModelContract.assertEveryClassRegistered(
                TEST_CLASSES, SampleRegistration.class, new Class<?>[] {SampleA.class, SampleB.class, String.class}, 2));
        assertTrue(extra.getMessage().contains("java.lang.String"), extra.getMessage());
        assertThrows(AssertionError.class, () -> ModelContract.assertEveryClassRegistered(TEST_CLASSES,
                SampleRegistration.class, new Class<?>[] {SampleA.class, SampleB.class}, 3));
    }
}
