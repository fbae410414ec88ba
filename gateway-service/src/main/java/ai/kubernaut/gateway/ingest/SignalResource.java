package ai.kubernaut.gateway.ingest;

import ai.kubernaut.gateway.auth.ReplayWindow;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;

/**
 * The signal API. The body is taken as a stream so that its size is capped while reading; everything else
 * happens in {@link IngestService}.
 */
@Path("/api/v1/signals")
@Consumes(MediaType.APPLICATION_JSON)
public class SignalResource {

    @Inject
    IngestService ingest;

    /** Alertmanager webhook (v4). */
    @POST
    @Path("/prometheus")
    public Response prometheus(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @HeaderParam(ReplayWindow.HEADER) String timestamp, @Context RoutingContext rc, InputStream body) {
        return ingest.prometheus(arrivedAt(rc), authorization, timestamp, body);
    }

    /** A core v1 Event (Warning or Error). */
    @POST
    @Path("/kubernetes-event")
    public Response kubernetesEvent(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @HeaderParam(ReplayWindow.HEADER) String timestamp, @Context RoutingContext rc, InputStream body) {
        return ingest.kubernetesEvent(arrivedAt(rc), authorization, timestamp, body);
    }

    /** When the gate admitted the request (time spent waiting for a worker thread counts against the deadline). */
    private static long arrivedAt(RoutingContext rc) {
        Long arrived = rc.get(SignalRequestGate.ARRIVED_AT);
        return arrived != null ? arrived : System.nanoTime();
    }
}
