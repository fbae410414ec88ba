package ai.kubernaut.gateway.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SignalJsonTest {

    private static byte[] nested(int depth) {
        return ("{\"a\":" + "[".repeat(depth - 1) + "]".repeat(depth - 1) + "}").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void nestingIsBounded() {
        SignalJson.parse(nested(SignalJson.MAX_NESTING));
        ProblemException e = assertThrows(ProblemException.class, () -> SignalJson.parse(nested(1000)));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().startsWith("body: JSON nesting"), e.getMessage());
    }

    /** Found by ParserPropertiesTest: an escaped lone surrogate reached the stored payload (and labels). */
    @Test
    void anUnpairedSurrogateIsMalformedAndNamesItsField() {
        ProblemException e = assertThrows(ProblemException.class, () -> SignalJson.parse(
                "{\"alerts\":[{\"labels\":{\"x\":\"a\\ud800\"}}]}".getBytes(StandardCharsets.UTF_8)));
        assertEquals(400, e.status());
        assertEquals("alerts[0].labels.x", e.field());
        assertThrows(ProblemException.class, () -> SignalJson.parse("{\"\\udc00\":1}".getBytes(StandardCharsets.UTF_8)));
        assertThrows(ProblemException.class, () -> SignalJson.parse("{\"a\":\"\\ud83d\\ud83d\"}"
                .getBytes(StandardCharsets.UTF_8)));
        // a pair, escaped or not, is one character
        assertEquals("\ud83d\ude00", SignalJson.parse("{\"a\":\"\\ud83d\\ude00\"}".getBytes(StandardCharsets.UTF_8))
                .get("a").textValue());
    }

    @Test
    void parseErrorsDoNotEchoTheSource() {
        ProblemException e = assertThrows(ProblemException.class,
                () -> SignalJson.parse("{\"token\": \"abc\" x}".getBytes(StandardCharsets.UTF_8)));
        assertFalse(e.getMessage().contains("[Source"), e.getMessage());
        assertTrue(e.getMessage().contains("line 1, column"), e.getMessage());
    }

    @Test
    void boundedBodyStopsReadingAfterTheLimit() {
        byte[] data = new byte[1000];
        assertEquals(1000, BoundedBody.read(new java.io.ByteArrayInputStream(data), 1000).length);
        ProblemException e = assertThrows(ProblemException.class,
                () -> BoundedBody.read(new java.io.ByteArrayInputStream(data), 999));
        assertEquals(413, e.status());
    }
}
