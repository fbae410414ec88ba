package ai.kubernaut.gateway.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.quarkus.kubernetes.client.KubernetesClientObjectMapperCustomizer;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * Reads every RFC 3339 timestamp, fractional seconds included, into the model's {@code ZonedDateTime}s.
 *
 * <p>The model classes generated from deploy/crds carry {@code @JsonFormat(pattern = "yyyy-MM-dd'T'HH:mm:ssXXX")},
 * which rejects {@code 2026-11-22T06:23:25.715Z}: a valid {@code date-time} that a real API server stores
 * from any writer (kubectl, another tool). One such object would fail every list of its kind and stop the
 * informer that watches it. This deserializer is not contextual, so it replaces the pattern for reading;
 * writing keeps the generated format (whole seconds, as Kubernetes writes its own times).
 */
@Singleton
public class RfcTimestamps implements KubernetesClientObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        // Quarkus runs customizers on a bare mapper; fabric8's KubernetesSerialization registers JavaTimeModule
        // afterwards, and the module registered last wins. Registering it here first makes fabric8's call a
        // duplicate Jackson ignores, so this module stays in front.
        mapper.registerModule(new JavaTimeModule());
        mapper.registerModule(module());
    }

    /** The Jackson module, for mappers built outside CDI. */
    public static SimpleModule module() {
        return new SimpleModule("kubernaut-rfc3339-timestamps").addDeserializer(ZonedDateTime.class,
                new Deserializer());
    }

    static final class Deserializer extends StdScalarDeserializer<ZonedDateTime> {

        private static final long serialVersionUID = 1L;

        Deserializer() {
            super(ZonedDateTime.class);
        }

        @Override
        public ZonedDateTime deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (!p.hasToken(JsonToken.VALUE_STRING)) {
                return (ZonedDateTime) ctxt.handleUnexpectedToken(ZonedDateTime.class, p);
            }
            String text = p.getText().trim();
            if (text.isEmpty()) {
                return null;
            }
            try {
                return ZonedDateTime.parse(text, DateTimeFormatter.ISO_ZONED_DATE_TIME);
            } catch (DateTimeParseException e) {
                return (ZonedDateTime) ctxt.handleWeirdStringValue(ZonedDateTime.class, text,
                        "not an RFC 3339 date-time: %s", e.getMessage());
            }
        }
    }
}
