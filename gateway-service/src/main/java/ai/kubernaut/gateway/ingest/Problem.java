package ai.kubernaut.gateway.ingest;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * An RFC 7807 problem document ({@code application/problem+json}).
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
    static final String TYPE_BASE = "https://kubernaut.ai/problems/";

    public static Problem of(int status, String slug, String title, String detail, String instance, String field) {
        return new Problem(TYPE_BASE + slug, title, status, detail, instance, field);
    }
}
