package ai.kubernaut.gateway.ingest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;

/**
 * The JSON reader and writer of the signal API. Strict where ambiguity could hide an attack or a bug
 * (duplicate keys, trailing data, absurd nesting), lenient where the contract asks for it (unknown fields are
 * simply never read).
 */
final class SignalJson {

    /** Real payloads nest about 4 levels deep; far below Jackson's default of 1000. */
    static final int MAX_NESTING = 32;

    static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build())
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            // numbers are stored as sent: as doubles, 1e400 became "Infinity" in the RR and long decimals lost digits
            // (written back as BigDecimal.toString, e.g. 1E+400: no expansion of a huge exponent)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .build();

    private SignalJson() {
    }

    static JsonNode parse(byte[] body) {
        if (body.length == 0) {
            throw ProblemException.malformedJson("body: request body is empty (expected a JSON object)");
        }
        try {
            JsonNode root = MAPPER.readTree(body);
            if (root == null || root.isMissingNode()) {
                throw ProblemException.malformedJson("body: request body is empty (expected a JSON object)");
            }
            requireWholeCharacters(root, "body");
            return root;
        } catch (StreamConstraintsException e) {
            throw ProblemException.malformedJson("body: JSON nesting or size exceeds the limits (at most " + MAX_NESTING
                    + " levels deep)");
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw ProblemException.malformedJson("body: malformed JSON" + where + ": " + firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw ProblemException.malformedJson("body: malformed JSON: " + firstLine(e.getMessage()));
        } catch (NumberFormatException e) {
            // an exponent beyond what a decimal can hold (1e2147483648): JSON allows it, no number is that
            throw ProblemException.malformedJson("body: a number is out of range: " + firstLine(e.getMessage()));
        }
    }

    /**
     * JSON may spell an unpaired UTF-16 surrogate ({@code "\\ud800"}), which is no character: it cannot be written
     * as UTF-8 (the RR create would fail with a 500) and it must not reach a stored label or payload. A 400 instead
     * (I-JSON, RFC 7493 section 2.1).
     */
    private static void requireWholeCharacters(JsonNode node, String path) {
        if (node.isTextual()) {
            if (hasUnpairedSurrogate(node.textValue())) {
                throw new ProblemException(ProblemType.MALFORMED_JSON, path + ": a string holds an unpaired UTF-16 "
                        + "surrogate (not a Unicode character)", path);
            }
        } else if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                String at = JsonInput.path(path.equals("body") ? "" : path, e.getKey());
                if (hasUnpairedSurrogate(e.getKey())) {
                    throw new ProblemException(ProblemType.MALFORMED_JSON, (path.equals("body") ? "body" : path)
                            + ": a member name holds an unpaired UTF-16 surrogate (not a Unicode character)",
                            path);
                }
                requireWholeCharacters(e.getValue(), at);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                requireWholeCharacters(node.get(i), (path.equals("body") ? "" : path) + "[" + i + "]");
            }
        }
    }

    static boolean hasUnpairedSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize " + value.getClass().getSimpleName(), e);
        }
    }

    /** Jackson messages can quote input; keep only the first line, without source locations, shortened. */
    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable input";
        }
        String line = message.lines().findFirst().orElse("")
                .replaceAll("\\s*\\(start marker at \\[Source:.*$", "")
                .replaceAll("\\s*at \\[Source:.*$", "");
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }
}
