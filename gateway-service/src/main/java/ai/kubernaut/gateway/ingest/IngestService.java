package ai.kubernaut.gateway.ingest;

import ai.kubernaut.gateway.auth.RequestAuthenticator;
import ai.kubernaut.gateway.auth.ReplayWindow;
import com.fasterxml.jackson.databind.JsonNode;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The signal request pipeline, in this order: authenticate (401/403), check {@code X-Timestamp} (400), read
 * the body up to the limit (413), parse (400), then process each signal and answer. Nothing touches the
 * cluster's RemediationRequests before the payload is known to be valid.
 */
@ApplicationScoped
public class IngestService {

    private final RequestAuthenticator authenticator;
    private final ReplayWindow replayWindow;
    private final AlertmanagerParser alertmanager;
    private final KubernetesEventParser events;
    private final SignalProcessor processor;
    private final BatchExecutor batch;
    private final long maxBodyBytes;
    private final Clock clock = Clock.systemUTC();

    @Inject
    IngestService(RequestAuthenticator authenticator, ReplayWindow replayWindow, AlertmanagerParser alertmanager,
            KubernetesEventParser events, SignalProcessor processor, BatchExecutor batch, HttpConfig http) {
        this.authenticator = authenticator;
        this.replayWindow = replayWindow;
        this.alertmanager = alertmanager;
        this.events = events;
        this.processor = processor;
        this.batch = batch;
        this.maxBodyBytes = http.maxBodySize().asLongValue();
    }

    public Response prometheus(String authorization, String timestampHeader, InputStream body) {
        authenticator.authenticate(authorization);
        replayWindow.checkHeader(timestampHeader);
        JsonNode root = SignalJson.parse(BoundedBody.read(body, maxBodyBytes));
        return answer(alertmanager.parse(root));
    }

    public Response kubernetesEvent(String authorization, String timestampHeader, InputStream body) {
        authenticator.authenticate(authorization);
        boolean timestamped = replayWindow.checkHeader(timestampHeader);
        JsonNode root = SignalJson.parse(BoundedBody.read(body, maxBodyBytes));
        return answer(List.of(events.parse(root, !timestamped)));
    }

    private Response answer(List<ParsedItem> items) {
        Instant receivedAt = clock.instant();
        if (items.size() == 1) {
            ParsedItem only = items.get(0);
            if (only.invalid() != null) {
                throw only.invalid();
            }
            return single(processor.process(only, receivedAt));
        }
        List<Callable<SignalOutcome>> tasks = new ArrayList<>(items.size());
        for (ParsedItem item : items) {
            tasks.add(() -> processor.process(item, receivedAt));
        }
        List<SignalOutcome> outcomes = batch.runAll(tasks);
        SignalResponses.Batch body = new SignalResponses.Batch(
                outcomes.stream().map(SignalResponses.Result::of).toList(),
                SignalResponses.Summary.of(outcomes));
        return Response.status(207).type("application/json").entity(SignalJson.write(body)).build();
    }

    private static Response single(SignalOutcome o) {
        if (o.status() == SignalOutcome.Status.FAILED) {
            throw new ProblemException(o.httpStatus(), o.problemSlug(), o.problemTitle(), o.error(), o.field(),
                    o.retryAfter());
        }
        return Response.status(o.httpStatus()).type("application/json")
                .entity(SignalJson.write(SignalResponses.Single.of(o))).build();
    }
}
