package ai.kubernaut.gateway.ingest;

import ai.kubernaut.gateway.auth.AuthenticationException;
import ai.kubernaut.gateway.auth.RequestAuthenticator;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import ai.kubernaut.gateway.dedup.DedupConfig;
import org.jboss.logging.Logger;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Vert.x-level guard of the signal API, before any body is read or any worker thread is taken: the in-flight
 * limit (503 + Retry-After), the Content-Length check (413), request metrics, and problem+json for paths no
 * endpoint serves. Chunked bodies without Content-Length are capped while reading ({@link BoundedBody}).
 */
@ApplicationScoped
public class SignalRequestGate {

    private static final Logger LOG = Logger.getLogger(SignalRequestGate.class);

    static final String PREFIX = "/api/v1/signals";
    /** Routing-context key of the request's arrival ({@link System#nanoTime()}): the answer deadline counts from it. */
    static final String ARRIVED_AT = "kubernaut.arrived-at";

    private final AtomicInteger inFlight = new AtomicInteger();
    private final int maxInFlight;
    private final long maxBodyBytes;
    private final Duration retryAfter;
    private final IngestMetrics metrics;
    /** Answers ending later than this after admission are logged: the answer deadline was missed. */
    private final long lateNanos;

    private final RequestAuthenticator authenticator;

    @Inject
    SignalRequestGate(HttpConfig config, DedupConfig dedup, IngestMetrics metrics, RequestAuthenticator authenticator) {
        this.authenticator = authenticator;
        this.maxInFlight = config.maxInFlight();
        this.maxBodyBytes = config.maxBodySize().asLongValue();
        this.retryAfter = config.retryAfter();
        this.metrics = metrics;
        this.lateNanos = dedup.kubernetesDeadline().plus(config.answerMargin()).toNanos();
    }

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE + 100).handler(this::admit);
        router.route().last().handler(this::notFound);
    }

    /** Signal requests being handled now (for tests and diagnostics). */
    public int inFlight() {
        return inFlight.get();
    }

    void admit(RoutingContext rc) {
        String path = rc.normalizedPath();
        if (!path.equals(PREFIX) && !path.startsWith(PREFIX + "/")) {
            rc.next();
            return;
        }
        long start = System.nanoTime();
        rc.put(ARRIVED_AT, start);
        String endpoint = path.equals(PREFIX + "/prometheus") ? "prometheus"
                : path.equals(PREFIX + "/kubernetes-event") ? "kubernetes-event" : "other";
        boolean admitted = inFlight.incrementAndGet() <= maxInFlight;
        // Release the slot as soon as the answer is committed (before its bytes reach the client, so a client
        // that sends its next request on receipt is never counted twice); the end handler covers requests
        // that end without an answer (connection closed).
        AtomicBoolean released = new AtomicBoolean();
        Runnable release = () -> {
            if (released.compareAndSet(false, true)) {
                inFlight.decrementAndGet();
            }
        };
        long[] headersAt = {0};
        rc.addHeadersEndHandler(v -> {
            headersAt[0] = System.nanoTime();
            release.run();
        });
        rc.addEndHandler(done -> {
            release.run();
            long took = System.nanoTime() - start;
            metrics.httpRequest(endpoint, rc.response().getStatusCode(), took);
            if (took > lateNanos) {
                LOG.warnf("%s answered %d %d ms after it arrived (its answer was due within %d ms; headers after %d ms)",
                        path, rc.response().getStatusCode(), took / 1_000_000, lateNanos / 1_000_000,
                        headersAt[0] == 0 ? -1 : (headersAt[0] - start) / 1_000_000);
            }
        });
        if (!admitted) {
            metrics.rejected("throttled");
            reject(rc, new ProblemException(ProblemType.TOO_MANY_REQUESTS, maxInFlight
                    + " signal requests are already being handled (gateway.http.max-in-flight); retry later", null,
                    retryAfter));
            return;
        }
        String length = rc.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null) {
            long declared;
            try {
                declared = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                declared = -1;
            }
            if (declared < 0) {
                reject(rc, new ProblemException(ProblemType.BAD_REQUEST, "Content-Length is not a number",
                        "Content-Length"));
                return;
            }
            if (declared > maxBodyBytes) {
                metrics.rejected("payload_too_large");
                reject(rc, ProblemException.payloadTooLarge(maxBodyBytes));
                return;
            }
        }
        if (!endpoint.equals("other") && answerAuthAtOnce(rc, length != null)) {
            return;
        }
        rc.next();
    }

    /**
     * A token whose refusal is cached, or an unknown one when no review could start now, is answered here on the
     * event loop (as the resource would answer it, {@link ProblemMappers#problemOf}): a token spray then costs no
     * worker thread and no JAX-RS dispatch per request. Only requests the resource would otherwise take (POST,
     * JSON in and out): any other gets its 405/415/406 there, as before. A body of declared length is read and
     * dropped first, so that the connection stays usable; one without is answered with {@code Connection: close}.
     *
     * @return true when answered
     */
    private boolean answerAuthAtOnce(RoutingContext rc, boolean declaredLength) {
        if (rc.request().method() != HttpMethod.POST || !isJson(rc.request().getHeader(HttpHeaders.CONTENT_TYPE))
                || !acceptsJson(rc.request().getHeader(HttpHeaders.ACCEPT))) {
            return false;
        }
        Optional<AuthenticationException> refused = authenticator.refusalAtOnce(
                rc.request().getHeader(HttpHeaders.AUTHORIZATION));
        if (refused.isEmpty()) {
            return false;
        }
        ProblemException problem = ProblemMappers.problemOf(refused.get(), metrics);
        if (declaredLength) {
            rc.request().body().onComplete(read -> Problems.write(rc, problem, retryAfter, read.failed()));
            rc.request().resume(); // Quarkus holds the request paused until a body handler asks for it
        } else {
            Problems.write(rc, problem, retryAfter, true);
        }
        return true;
    }

    private static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        String t = contentType.trim().toLowerCase(Locale.ROOT);
        return t.equals("application/json") || t.startsWith("application/json;") || t.startsWith("application/json ");
    }

    private static boolean acceptsJson(String accept) {
        if (accept == null || accept.isBlank()) {
            return true;
        }
        String a = accept.toLowerCase(Locale.ROOT);
        return a.contains("*/*") || a.contains("application/*") || a.contains("application/json")
                || a.contains("application/problem+json");
    }

    void notFound(RoutingContext rc) {
        Problems.write(rc, ProblemException.notFound(rc.normalizedPath()), retryAfter, false);
    }

    /** Answered before the body was read: the connection cannot carry another request. */
    private void reject(RoutingContext rc, ProblemException e) {
        Problems.write(rc, e, retryAfter, true);
    }
}
