package ai.kubernaut.gateway.ingest;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.time.Duration;

/** Builds {@code application/problem+json} answers. */
final class Problems {

    private Problems() {
    }

    static Response response(Problem problem, Duration retryAfter) {
        Response.ResponseBuilder b = Response.status(problem.status())
                .type(Problem.MEDIA_TYPE)
                .entity(SignalJson.write(problem));
        if (retryAfter != null) {
            b.header(HttpHeaders.RETRY_AFTER, retryAfterSeconds(retryAfter));
        }
        if (problem.status() == 401) {
            b.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
        }
        return b.build();
    }

    /** Retry-After in whole seconds, rounded up, at least 1. */
    static String retryAfterSeconds(Duration d) {
        long ms = Math.max(1, d.toMillis());
        return Long.toString((ms + 999) / 1000);
    }
}
