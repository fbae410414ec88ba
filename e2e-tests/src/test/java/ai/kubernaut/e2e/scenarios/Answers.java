package ai.kubernaut.e2e.scenarios;

import ai.kubernaut.e2e.load.Outcome;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;

/** Reads the Gateway's JSON answers. */
final class Answers {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Answers() {
    }

    static JsonNode json(Outcome outcome) {
        try {
            return JSON.readTree(outcome.body());
        } catch (IOException e) {
            throw new AssertionError("answer " + outcome.code() + " is not JSON: " + outcome.body(), e);
        }
    }

    static String fingerprint(Outcome outcome) {
        return json(outcome).path("fingerprint").asText();
    }

    static String rrName(Outcome outcome) {
        return json(outcome).path("remediationRequestName").asText();
    }
}
