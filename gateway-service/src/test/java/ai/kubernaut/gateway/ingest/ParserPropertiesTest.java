package ai.kubernaut.gateway.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.gateway.auth.ReplayWindow;
import ai.kubernaut.gateway.ingest.generated.SignalInputs;
import ai.kubernaut.gateway.ingest.generated.SignalInputs.Case;
import ai.kubernaut.gateway.signal.InvalidSignalException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Both parsers under generated and mutated bodies ({@link SignalInputs}): the body cap, the strict JSON reader and
 * the parser either accept a body (each item a candidate, a rejection, or an invalid item naming its field) or
 * refuse it with a 4xx problem; nothing else ever escapes (an unexpected exception would be a 500). A generated
 * valid body is never refused, and every stored payload is valid JSON within the cap. Seeds are fixed; the number
 * of tries is jqwik.tries.default (src/test/resources/junit-platform.properties, -Djqwik.tries.default=N).
 */
class ParserPropertiesTest {

    private static final Map<String, Integer> OUTCOMES = new TreeMap<>();

    private final SignalLimits limits = SignalLimits.defaults();
    private final AlertmanagerParser alertmanager = new AlertmanagerParser("c1", limits);
    private final KubernetesEventParser events = new KubernetesEventParser("c1",
            new ReplayWindow(Duration.ofMinutes(5), true, Clock.systemUTC()), limits);

    @Provide
    Arbitrary<Case> alertmanagerCases() {
        return net.jqwik.api.Arbitraries.oneOf(SignalInputs.validAlertmanager(),
                SignalInputs.mutated(SignalInputs.validAlertmanager()));
    }

    @Provide
    Arbitrary<Case> eventCases() {
        return net.jqwik.api.Arbitraries.oneOf(SignalInputs.validEvent(), SignalInputs.mutated(SignalInputs.validEvent()));
    }

    @Property(seed = "20261206")
    void alertmanagerBodiesAreAcceptedOrRefusedWithA4xx(@ForAll("alertmanagerCases") Case c) {
        check(c);
    }

    @Property(seed = "20261207")
    void eventBodiesAreAcceptedOrRefusedWithA4xx(@ForAll("eventCases") Case c) {
        check(c);
    }

    @AfterContainer
    static void printCounts() {
        int total = OUTCOMES.values().stream().mapToInt(Integer::intValue).sum();
        System.out.println("GENERATED parser cases tried: " + total + " " + OUTCOMES);
    }

    private void check(Case c) {
        String outcome;
        try {
            byte[] body = BoundedBody.read(new ByteArrayInputStream(c.body().getBytes(StandardCharsets.UTF_8)),
                    100 * 1024);
            JsonNode root = SignalJson.parse(body);
            List<ParsedItem> items = c.endpoint().equals(SignalInputs.PROMETHEUS) ? alertmanager.parse(root)
                    : List.of(events.parse(root, true));
            assertFalse(items.isEmpty(), c.toString());
            for (ParsedItem item : items) {
                if (item.invalid() != null) {
                    assertFalse(c.valid(), "a valid body must not have invalid items: " + item.invalid() + " " + c);
                    assertNotNull(item.invalid().field(), c.toString());
                } else if (item.candidate() != null) {
                    assertStoredPayloadIsValidJson(item.candidate().originalPayload(), c);
                }
            }
            outcome = items.stream().allMatch(i -> i.invalid() != null) ? "all-items-invalid" : "accepted";
        } catch (ProblemException e) {
            assertTrue(e.status() >= 400 && e.status() < 500, e.status() + " for " + c);
            assertFalse(c.valid(), "a valid body must not be refused: " + e.getMessage() + " " + c);
            outcome = Integer.toString(e.status()) + "-" + e.type().slug();
        } catch (InvalidSignalException e) {
            assertFalse(c.valid(), "a valid body must not be refused: " + e.getMessage() + " " + c);
            assertNotNull(e.field(), c.toString());
            outcome = "400-invalid-signal";
        }
        synchronized (OUTCOMES) {
            OUTCOMES.merge(outcome, 1, Integer::sum);
        }
    }

    private static void assertStoredPayloadIsValidJson(String payload, Case c) {
        assertTrue(OriginalPayload.utf8(payload) <= 100 * 1024, "payload over the cap for " + c);
        try {
            JsonNode parsed = SignalJson.MAPPER.readTree(payload);
            assertTrue(parsed.isObject(), c.toString());
        } catch (Exception e) {
            throw new AssertionError("stored payload is not valid JSON (" + e.getMessage() + ") for " + c, e);
        }
        assertEquals(-1, firstUnpairedSurrogate(payload), "split or lone surrogate in the stored payload for " + c);
    }

    static int firstUnpairedSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (Character.isHighSurrogate(ch) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(ch)) {
                return i;
            }
        }
        return -1;
    }
}
