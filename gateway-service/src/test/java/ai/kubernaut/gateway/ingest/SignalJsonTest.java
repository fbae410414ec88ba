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

    /**
     * A number is stored as the sender wrote it (numerically): parsed as a double, {@code 1e400} became Infinity and
     * was written back as the string {@code "Infinity"}, and long decimals lost digits.
     */
    @Test
    void numbersKeepTheirValueThroughParseAndWrite() {
        String written = SignalJson.write(SignalJson.parse(("{\"huge\":1e400,\"tiny\":-1E-400,\"long\":"
                + "0.12345678901234567890123456789,\"int\":123456789012345678901234567890,\"plain\":2.5}")
                .getBytes(StandardCharsets.UTF_8)));
        assertFalse(written.contains("Infinity") || written.contains("\"0.0\""), written);
        com.fasterxml.jackson.databind.JsonNode back = SignalJson.parse(written.getBytes(StandardCharsets.UTF_8));
        assertEquals(0, new java.math.BigDecimal("1e400").compareTo(back.get("huge").decimalValue()), written);
        assertEquals(0, new java.math.BigDecimal("-1E-400").compareTo(back.get("tiny").decimalValue()), written);
        assertEquals(0, new java.math.BigDecimal("0.12345678901234567890123456789")
                .compareTo(back.get("long").decimalValue()), written);
        assertEquals("123456789012345678901234567890", back.get("int").bigIntegerValue().toString());
        assertEquals(2.5, back.get("plain").doubleValue());
        // found by ParserPropertiesTest with the change: an exponent no decimal holds is a 400, not a 500
        ProblemException e = assertThrows(ProblemException.class, () -> SignalJson.parse("{\"a\":1e2147483648}"
                .getBytes(StandardCharsets.UTF_8)));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().contains("out of range"), e.getMessage());
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
