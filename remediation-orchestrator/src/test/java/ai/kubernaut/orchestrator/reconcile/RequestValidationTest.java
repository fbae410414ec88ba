package ai.kubernaut.orchestrator.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.orchestrator.model.RemediationRequest;
import ai.kubernaut.orchestrator.testing.Fixtures;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class RequestValidationTest {

    static final String FP = Fixtures.fingerprint("x");

    static String invalid(RemediationRequest rr) {
        return assertInstanceOf(RequestValidation.Invalid.class, RequestValidation.validate(rr)).reason();
    }

    @Test
    void validRequestGivesItsTarget() {
        var valid = assertInstanceOf(RequestValidation.Valid.class, RequestValidation.validate(
                Fixtures.request("rr", FP, "A", "critical", "shop", "Deployment", "payments")));
        assertEquals("shop/Deployment/payments", valid.target().key());
        var node = assertInstanceOf(RequestValidation.Valid.class, RequestValidation.validate(
                Fixtures.request("rr", FP, "A", "critical", null, "Node", "worker-1.eu")));
        assertEquals("Node/worker-1.eu", node.target().key());
    }

    @Test
    void malformedRequestsSayWhatIsWrong() {
        assertEquals("spec.targetResource is required",
                invalid(Fixtures.request("rr", FP, "A", null, null, null, null)));
        assertTrue(invalid(Fixtures.request("rr", "not-a-fingerprint", "A", null, "shop", "Deployment", "p"))
                .startsWith("spec.signalFingerprint must be 64 lowercase hex characters"));
        assertTrue(invalid(Fixtures.request("rr", FP.toUpperCase(), "A", null, "shop", "Deployment", "p"))
                .startsWith("spec.signalFingerprint must be 64 lowercase hex"));
        assertEquals("spec.signalName is required",
                invalid(Fixtures.request("rr", FP, " ", null, "shop", "Deployment", "p")));
        assertEquals("spec.targetResource.kind and spec.targetResource.name are required",
                invalid(Fixtures.request("rr", FP, "A", null, "shop", "Deployment", "")));
        assertTrue(invalid(Fixtures.request("rr", FP, "A", null, "Shop_NS", "Deployment", "p"))
                .contains("is not a valid target"));
        RemediationRequest noSpec = new RemediationRequest();
        assertEquals("spec is missing", invalid(noSpec));
    }

    @Test
    void mergePatchSetsChangesAndNullsRemovals() throws Exception {
        ObjectMapper json = new ObjectMapper();
        var from = json.readTree("{\"a\":1,\"b\":{\"x\":1,\"y\":2},\"c\":\"gone\",\"d\":{\"k\":1}}");
        var to = json.readTree("{\"a\":1,\"b\":{\"x\":3,\"y\":2},\"e\":true}");
        assertEquals(json.readTree("{\"b\":{\"x\":3},\"c\":null,\"d\":null,\"e\":true}"),
                MergePatch.between(from, to));
        assertTrue(MergePatch.between(from, from).isEmpty());
    }
}
