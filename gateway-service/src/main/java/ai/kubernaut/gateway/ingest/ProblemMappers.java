package ai.kubernaut.gateway.ingest;

import ai.kubernaut.gateway.auth.AuthenticationException;
import ai.kubernaut.gateway.auth.ReplayRejectedException;
import ai.kubernaut.gateway.fingerprint.KubernetesNames;
import ai.kubernaut.gateway.signal.InvalidSignalException;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.io.UncheckedIOException;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Turns every failure of a JAX-RS request, including the ones the framework raises itself (404, 405, 415...),
 * into an RFC 7807 answer. Messages name the offending field; internal errors say nothing about internals.
 */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @Inject
    IngestMetrics metrics;

    @ServerExceptionMapper
    public Response invalidSignal(InvalidSignalException e, HttpServerRequest request) {
        boolean replay = e instanceof ReplayRejectedException;
        metrics.rejected(replay ? "replay_window" : "invalid_signal");
        return Problems.response(Problem.of(400, replay ? "replay-window" : "invalid-signal",
                replay ? "Request outside the replay window" : "Invalid signal", e.getMessage(), request.path(),
                e.field()), null);
    }

    @ServerExceptionMapper
    public Response problem(ProblemException e, HttpServerRequest request) {
        if (e.status() == 413) {
            metrics.rejected("payload_too_large");
        } else if ("malformed-json".equals(e.slug())) {
            metrics.rejected("malformed_json");
        }
        Response r = Problems.response(Problem.of(e.status(), e.slug(), e.title(), e.getMessage(), request.path(),
                e.field()), e.retryAfter());
        if (e.status() == 413) {
            // the rest of the body was not read: do not reuse the connection
            return Response.fromResponse(r).header("Connection", "close").build();
        }
        return r;
    }

    @ServerExceptionMapper
    public Response authentication(AuthenticationException e, HttpServerRequest request) {
        return switch (e.kind()) {
            case UNAUTHENTICATED -> {
                metrics.rejected("unauthorized");
                yield Problems.response(Problem.of(401, "unauthorized", "Unauthorized", e.getMessage(),
                        request.path(), HttpHeaders.AUTHORIZATION), null);
            }
            case FORBIDDEN -> {
                metrics.rejected("forbidden");
                yield Problems.response(Problem.of(403, "forbidden", "Forbidden", e.getMessage(), request.path(),
                        null), null);
            }
            case UNAVAILABLE -> Problems.response(Problem.of(503, "auth-unavailable",
                    "Authentication unavailable", e.getMessage(), request.path(), null), e.retryAfter());
        };
    }

    /** The framework's own answers: unknown path, wrong method, not JSON, unacceptable Accept... */
    @ServerExceptionMapper
    public Response framework(WebApplicationException e, HttpServerRequest request) {
        int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
        if (status >= 500) {
            LOG.errorf(e, "request %s %s failed", request.method(), request.path());
            return Problems.response(Problem.of(status, "internal-error", "Internal error",
                    "the request could not be processed", request.path(), null), null);
        }
        String slug;
        String title;
        String detail;
        switch (status) {
            case 404 -> {
                slug = "not-found";
                title = "Not found";
                detail = "no endpoint at " + request.path() + " (POST /api/v1/signals/prometheus or "
                        + "/api/v1/signals/kubernetes-event)";
            }
            case 405 -> {
                slug = "method-not-allowed";
                title = "Method not allowed";
                detail = request.method() + " is not allowed on " + request.path() + "; use POST";
            }
            case 415 -> {
                metrics.rejected("unsupported_media_type");
                slug = "unsupported-media-type";
                title = "Unsupported media type";
                String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
                detail = "Content-Type " + (type == null ? "(none)" : KubernetesNames.quote(type))
                        + " is not supported; send application/json";
            }
            case 406 -> {
                slug = "not-acceptable";
                title = "Not acceptable";
                detail = "answers are application/json or application/problem+json";
            }
            default -> {
                slug = "bad-request";
                title = Response.Status.fromStatusCode(status) == null ? "Client error"
                        : Response.Status.fromStatusCode(status).getReasonPhrase();
                detail = title;
            }
        }
        Response r = Problems.response(Problem.of(status, slug, title, detail, request.path(),
                status == 415 ? HttpHeaders.CONTENT_TYPE : null), null);
        if (status == 405) {
            // every endpoint of this API is POST-only
            return Response.fromResponse(r).header(HttpHeaders.ALLOW, "POST").build();
        }
        return r;
    }

    @ServerExceptionMapper
    public Response unreadableBody(UncheckedIOException e, HttpServerRequest request) {
        return Problems.response(Problem.of(400, "unreadable-body", "Unreadable body",
                "the request body could not be read completely", request.path(), "body"), null);
    }

    @ServerExceptionMapper
    public Response unexpected(Exception e, HttpServerRequest request) {
        LOG.errorf(e, "request %s %s failed unexpectedly", request.method(), request.path());
        return Problems.response(Problem.of(500, "internal-error", "Internal error",
                "the request could not be processed (" + e.getClass().getSimpleName() + ")", request.path(), null),
                null);
    }
}
