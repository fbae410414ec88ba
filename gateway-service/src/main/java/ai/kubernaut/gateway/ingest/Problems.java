package ai.kubernaut.gateway.ingest;

import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Renders every error answer of the signal API, for JAX-RS (exception mappers) and for Vert.x (the request gate)
 * alike: the problem document and the headers its type implies, decided here and nowhere else.
 */
final class Problems {

    private Problems() {
    }

    /**
     * Headers of an error answer: Retry-After on every 503/504 (the exception's value, else {@code fallback}),
     * {@code WWW-Authenticate} on 401, {@code Allow} on 405, and {@code Connection: close} when the body was not
     * read (always for 413), since the connection cannot carry another request then.
     */
    static Map<String, String> headers(ProblemException e, Duration fallbackRetryAfter, boolean bodyUnread) {
        Map<String, String> h = new LinkedHashMap<>();
        ProblemType type = e.type();
        if (type.retryable()) {
            h.put(HttpHeaders.RETRY_AFTER, retryAfterSeconds(usable(e.retryAfter()) ? e.retryAfter() : fallbackRetryAfter));
        }
        if (type == ProblemType.UNAUTHORIZED) {
            h.put(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
        }
        if (type == ProblemType.METHOD_NOT_ALLOWED) {
            h.put(HttpHeaders.ALLOW, "POST"); // every endpoint of this API is POST-only
        }
        if (bodyUnread || type == ProblemType.PAYLOAD_TOO_LARGE) {
            h.put("Connection", "close");
        }
        return h;
    }

    static Response response(ProblemException e, String instance, Duration fallbackRetryAfter) {
        return response(e.type().problem(e.getMessage(), instance, e.field()),
                headers(e, fallbackRetryAfter, false));
    }

    /** For the framework's own answers whose status is not one of ours (e.g. 409, 422): status and title kept. */
    static Response response(Problem problem, Map<String, String> headers) {
        return response(problem.status(), problem, headers);
    }

    /** {@code e}'s answer with a problem document of its own (one with extension members, e.g. the alerts). */
    static Response response(ProblemException e, Object document, Duration fallbackRetryAfter) {
        return response(e.status(), document, headers(e, fallbackRetryAfter, false));
    }

    private static Response response(int status, Object document, Map<String, String> headers) {
        Response.ResponseBuilder b = Response.status(status).type(Problem.MEDIA_TYPE)
                .entity(SignalJson.write(document));
        headers.forEach(b::header);
        return b.build();
    }

    /** The same answer written straight to Vert.x, before any JAX-RS resource runs. */
    static void write(RoutingContext rc, ProblemException e, Duration fallbackRetryAfter, boolean bodyUnread) {
        if (rc.response().ended()) {
            return;
        }
        headers(e, fallbackRetryAfter, bodyUnread).forEach((name, value) -> rc.response().putHeader(name, value));
        rc.response().setStatusCode(e.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                .end(SignalJson.write(e.type().problem(e.getMessage(), rc.normalizedPath(), e.field())));
    }

    private static boolean usable(Duration d) {
        return d != null && !d.isNegative() && !d.isZero();
    }

    /** Retry-After in whole seconds, rounded up, at least 1. */
    static String retryAfterSeconds(Duration d) {
        long ms = Math.max(1, d.toMillis());
        return Long.toString((ms + 999) / 1000);
    }
}
