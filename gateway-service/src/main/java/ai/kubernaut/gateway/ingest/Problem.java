package ai.kubernaut.gateway.ingest;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * An RFC 7807 problem document ({@code application/problem+json}); built from a {@link ProblemType}.
 *
 * @param type     URI naming the kind of problem ({@code https://kubernaut.ai/problems/<slug>})
 * @param title    short summary of the kind of problem
 * @param status   HTTP status
 * @param detail   what was wrong with this request, naming the field when there is one
 * @param instance the request path
 * @param field    extension member: path of the offending field or header, when there is one
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@RegisterForReflection // serialized by our own ObjectMapper, so a native image needs it registered
public record Problem(String type, String title, int status, String detail, String instance, String field) {

    public static final String MEDIA_TYPE = "application/problem+json";
}
