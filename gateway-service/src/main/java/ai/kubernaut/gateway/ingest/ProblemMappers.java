package ai.kubernaut.gateway.ingest;

import ai.kubernaut.gateway.auth.AuthenticationException;
import ai.kubernaut.gateway.auth.ReplayRejectedException;
import ai.kubernaut.gateway.auth.ReplayWindow;
import ai.kubernaut.gateway.auth.ReplayedRequestException;
import ai.kubernaut.gateway.fingerprint.KubernetesNames;
import ai.kubernaut.gateway.kube.KubernetesDeadlineException;
import ai.kubernaut.gateway.signal.InvalidSignalException;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.io.UncheckedIOException;
import java.util.Map;
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

    @Inject
    HttpConfig http;

    @ServerExceptionMapper
    public Response invalidSignal(InvalidSignalException e, HttpServerRequest request) {
        boolean replay = e instanceof ReplayRejectedException;
        metrics.rejected(replay ? "replay_window" : "invalid_signal");
        return answer(new ProblemException(replay ? ProblemType.REPLAY_WINDOW : ProblemType.INVALID_SIGNAL,
                e.getMessage(), e.field()), request);
    }

    @ServerExceptionMapper
    public Response replayed(ReplayedRequestException e, HttpServerRequest request) {
        metrics.rejected("replayed");
        return answer(new ProblemException(ProblemType.REPLAYED_REQUEST, e.getMessage(), ReplayWindow.HEADER),
                request);
    }

    @ServerExceptionMapper
    public Response problem(ProblemException e, HttpServerRequest request) {
        if (e.type() == ProblemType.PAYLOAD_TOO_LARGE) {
            metrics.rejected("payload_too_large");
        } else if (e.type() == ProblemType.MALFORMED_JSON) {
            metrics.rejected("malformed_json");
        }
        return answer(e, request);
    }

    @ServerExceptionMapper
    public Response authentication(AuthenticationException e, HttpServerRequest request) {
        return answer(problemOf(e, metrics), request);
    }

    /** An auth answer as a problem (counted as rejected when it is a 401/403); the request gate answers with it too. */
    static ProblemException problemOf(AuthenticationException e, IngestMetrics metrics) {
        ProblemType type = switch (e.kind()) {
            case UNAUTHENTICATED -> ProblemType.UNAUTHORIZED;
            case FORBIDDEN -> ProblemType.FORBIDDEN;
            case UNAVAILABLE -> ProblemType.AUTH_UNAVAILABLE;
            case FAILED -> ProblemType.INTERNAL_ERROR;
        };
        if (type == ProblemType.UNAUTHORIZED || type == ProblemType.FORBIDDEN) {
            metrics.rejected(type == ProblemType.UNAUTHORIZED ? "unauthorized" : "forbidden");
        }
        return new ProblemException(type, e.getMessage(),
                type == ProblemType.UNAUTHORIZED ? HttpHeaders.AUTHORIZATION : null, e.retryAfter());
    }

    /** A deadline that passed outside a signal's processing (which answers it itself): 504 + Retry-After. */
    @ServerExceptionMapper
    public Response deadline(KubernetesDeadlineException e, HttpServerRequest request) {
        return answer(new ProblemException(ProblemType.KUBERNETES_DEADLINE, e.getMessage(), null), request);
    }

    /** The framework's own answers: unknown path, wrong method, not JSON, unacceptable Accept... */
    @ServerExceptionMapper
    public Response framework(WebApplicationException e, HttpServerRequest request) {
        int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
        if (status >= 500) {
            LOG.errorf(e, "request %s %s failed", request.method(), request.path());
            return Problems.response(new Problem(ProblemType.INTERNAL_ERROR.uri(), ProblemType.INTERNAL_ERROR.title(),
                    status, "the request could not be processed", request.path(), null), Map.of());
        }
        return switch (status) {
            case 404 -> answer(ProblemException.notFound(request.path()), request);
            case 405 -> answer(new ProblemException(ProblemType.METHOD_NOT_ALLOWED,
                    request.method() + " is not allowed on " + request.path() + "; use POST", null), request);
            case 406 -> answer(new ProblemException(ProblemType.NOT_ACCEPTABLE,
                    "answers are application/json or application/problem+json", null), request);
            case 415 -> {
                metrics.rejected("unsupported_media_type");
                String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
                yield answer(new ProblemException(ProblemType.UNSUPPORTED_MEDIA_TYPE, "Content-Type "
                        + (type == null ? "(none)" : KubernetesNames.quote(type)) + " is not supported; send "
                        + "application/json", HttpHeaders.CONTENT_TYPE), request);
            }
            default -> {
                // another client error of the framework: keep its status, say it in its own words
                Response.Status known = Response.Status.fromStatusCode(status);
                String title = known == null ? "Client error" : known.getReasonPhrase();
                yield Problems.response(new Problem(ProblemType.BAD_REQUEST.uri(), title, status, title,
                        request.path(), null), Map.of());
            }
        };
    }

    @ServerExceptionMapper
    public Response unreadableBody(UncheckedIOException e, HttpServerRequest request) {
        return answer(new ProblemException(ProblemType.UNREADABLE_BODY,
                "the request body could not be read completely", "body"), request);
    }

    @ServerExceptionMapper
    public Response unexpected(Exception e, HttpServerRequest request) {
        LOG.errorf(e, "request %s %s failed unexpectedly", request.method(), request.path());
        return answer(new ProblemException(ProblemType.INTERNAL_ERROR,
                "the request could not be processed (" + e.getClass().getSimpleName() + ")", null), request);
    }

    private Response answer(ProblemException e, HttpServerRequest request) {
        return Problems.response(e, request.path(), http.retryAfter());
    }
}
