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
        }
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
