package ai.kubernaut.gateway.ingest;

import ai.kubernaut.gateway.auth.ReplayWindow;
import ai.kubernaut.gateway.auth.RequestAuthenticator;
import ai.kubernaut.gateway.dedup.DedupConfig;
import ai.kubernaut.gateway.kube.RequestDeadline;
import com.fasterxml.jackson.databind.JsonNode;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * The signal request pipeline, in this order: authenticate (401/403), check {@code X-Timestamp} (400), read
 * the body up to the limit (413), parse (400), then process each signal ({@link SignalProcessor}) and answer.
 * Nothing touches the cluster's RemediationRequests before the payload is known to be valid.
 *
 * <p>One Kubernetes deadline per request ({@link RequestDeadline}: {@code gateway.dedup.kubernetes-deadline} from
 * its admission by {@link SignalRequestGate}, so that time spent queued for a worker thread counts too), shared by
 * the token review, the owner lookups and the recorder: none of them starts an API call after it. The answer leaves
 * at the latest {@code gateway.http.answer-margin} after it: the token review and the processing are waited for
 * at most until then, and what is unfinished is answered 503 (review) or 504 (signal).
 *
 * <p>A notification with several alerts is answered 207, one result per alert, unless an alert failed in a way a
 * retry can fix (a 503 or 504 of its own, unfinished at the answer deadline included): then the whole notification
 * is answered 503 with Retry-After and the same results in the problem document, so that Alertmanager (which takes
 * any 2xx as delivered) sends it again. The alerts that were recorded are counted again by that retry: at least
 * once, as for a lost answer. Alerts that failed in a way a retry cannot fix (invalid: 4xx kinds; a 500: the API
 * server refused for good, a bug) keep the 207.
 */
@ApplicationScoped
public class IngestService {

    private static final Logger LOG = Logger.getLogger(IngestService.class);
    private static final Duration QUEUED_LONG = Duration.ofMillis(500);
    /** The one endpoint whose requests carry several signals. */
    private static final String PROMETHEUS_PATH = SignalRequestGate.PREFIX + "/prometheus";
    private static final String EVENTS_PATH = SignalRequestGate.PREFIX + "/kubernetes-event";

    private final RequestAuthenticator authenticator;
    private final ReplayWindow replayWindow;
    private final AlertmanagerParser alertmanager;
    private final KubernetesEventParser events;
    private final SignalProcessor processor;
    private final SignalExecutor executor;
    private final IngestMetrics metrics;
    private final long maxBodyBytes;
    private final Duration kubernetesDeadline;
    private final Duration answerMargin;
    private final Duration retryAfter;
    private final Clock clock = Clock.systemUTC();

    @Inject
    IngestService(RequestAuthenticator authenticator, ReplayWindow replayWindow, AlertmanagerParser alertmanager,
            KubernetesEventParser events, SignalProcessor processor, SignalExecutor executor, IngestMetrics metrics,
            HttpConfig http, DedupConfig dedup) {
        this.authenticator = authenticator;
        this.replayWindow = replayWindow;
        this.alertmanager = alertmanager;
        this.events = events;
        this.processor = processor;
        this.executor = executor;
        this.metrics = metrics;
        this.retryAfter = http.retryAfter();
        this.maxBodyBytes = http.maxBodySize().asLongValue();
        this.kubernetesDeadline = dedup.kubernetesDeadline();
        this.answerMargin = http.answerMargin();
    }

    /** @param arrivedAt {@link System#nanoTime()} when the request was admitted */
    public Response prometheus(long arrivedAt, String authorization, String timestampHeader, InputStream body) {
        RequestDeadline deadline = started(arrivedAt);
        authenticator.authenticate(authorization, deadline);
        replayWindow.checkHeader(timestampHeader);
        byte[] bytes = BoundedBody.read(body, maxBodyBytes);
        ReplayWindow.Remembered remembered = replayWindow.remember(PROMETHEUS_PATH, timestampHeader, bytes);
        return keptIfAccepted(remembered, () -> answer(alertmanager.parse(SignalJson.parse(bytes)), deadline));
    }

    /** @param arrivedAt {@link System#nanoTime()} when the request was admitted */
    public Response kubernetesEvent(long arrivedAt, String authorization, String timestampHeader, InputStream body) {
        RequestDeadline deadline = started(arrivedAt);
        authenticator.authenticate(authorization, deadline);
        boolean timestamped = replayWindow.checkHeader(timestampHeader);
        byte[] bytes = BoundedBody.read(body, maxBodyBytes);
        ReplayWindow.Remembered remembered = replayWindow.remember(EVENTS_PATH, timestampHeader, bytes);
        return keptIfAccepted(remembered, () -> {
            JsonNode root = SignalJson.parse(bytes);
            return answer(List.of(events.parse(root, !timestamped)), deadline);
        });
    }

    /** The replay memory keeps only what was accepted (2xx): a refused or failed request may be sent again. */
    private static Response keptIfAccepted(ReplayWindow.Remembered remembered, Supplier<Response> handling) {
        Response response;
        try {
            response = handling.get();
        } catch (RuntimeException | Error e) {
            remembered.forget();
            throw e;
        }
        if (response.getStatus() >= 300) {
            remembered.forget();
        }
        return response;
    }

    /** The request's deadline; a request that waited long for a worker thread is logged (the replica is busy). */
    private RequestDeadline started(long arrivedAt) {
        RequestDeadline deadline = RequestDeadline.startingAt(arrivedAt, kubernetesDeadline);
        long waited = System.nanoTime() - arrivedAt;
        if (waited > QUEUED_LONG.toNanos()) {
            LOG.warnf("a signal request waited %d ms for a worker thread (%d ms of its Kubernetes deadline left)",
                    waited / 1_000_000, deadline.remaining().toMillis());
        }
        return deadline;
    }

    private Response answer(List<ParsedItem> items, RequestDeadline deadline) {
        Instant receivedAt = clock.instant();
        long answerBy = deadline.endNanos() + answerMargin.toNanos();
        if (items.size() == 1) {
            ParsedItem only = items.get(0);
            if (only.invalid() != null) {
                throw only.invalid();
            }
            SignalOutcome outcome = executor.run(() -> processor.process(only, receivedAt, deadline), answerBy,
                    this::late);
            metrics.outcome(outcome);
            return single(outcome);
        }
        List<Callable<SignalOutcome>> tasks = new ArrayList<>(items.size());
        for (ParsedItem item : items) {
            tasks.add(() -> processor.process(item, receivedAt, deadline));
        }
        List<SignalOutcome> outcomes = executor.runAll(tasks, answerBy, this::late);
        outcomes.forEach(metrics::outcome);
        return notification(outcomes);
    }

    /** 207, or 503 when an alert failed in a way a retry of the whole notification can fix (class comment). */
    private Response notification(List<SignalOutcome> outcomes) {
        List<SignalOutcome.Failed> retryable = outcomes.stream()
                .filter(o -> o instanceof SignalOutcome.Failed f && f.type().retryable())
                .map(SignalOutcome.Failed.class::cast).toList();
        if (retryable.isEmpty()) {
            return Response.status(207).type("application/json")
                    .entity(SignalJson.write(SignalResponses.Batch.of(outcomes))).build();
        }
        long counted = outcomes.stream().filter(o -> o instanceof SignalOutcome.Counted).count();
        String types = retryable.stream().map(f -> f.type().slug()).distinct().sorted()
                .collect(Collectors.joining(", "));
        ProblemException problem = new ProblemException(ProblemType.ALERTS_NOT_RECORDED, retryable.size() + " of "
                + outcomes.size() + " alerts not recorded (" + types + "): send the whole notification again; "
                + (counted == 0 ? "none was recorded now" : "the " + counted + " recorded now will be counted again"),
                null, retryable.stream().map(SignalOutcome.Failed::retryAfter).filter(Objects::nonNull)
                        .max(Duration::compareTo).orElse(null));
        return Problems.response(problem, SignalResponses.BatchProblem.of(problem, PROMETHEUS_PATH, outcomes),
                retryAfter);
    }

    /** A signal still being processed at the answer deadline: it may yet be counted (see the README). */
    private SignalOutcome late() {
        return new SignalOutcome.Failed(null, ProblemType.KUBERNETES_DEADLINE, "no result within the answer "
                + "deadline of " + kubernetesDeadline.plus(answerMargin).toMillis() + " ms (gateway.dedup."
                + "kubernetes-deadline + gateway.http.answer-margin); the signal may still be recorded", null, null);
    }

    private static Response single(SignalOutcome o) {
        if (o instanceof SignalOutcome.Failed f) {
            throw f.toProblem();
        }
        if (o instanceof SignalOutcome.Counted c) {
            return Response.status(c.httpStatus()).type("application/json")
                    .entity(SignalJson.write(SignalResponses.Single.of(c))).build();
        }
        return Response.status(200).type("application/json")
                .entity(SignalJson.write(SignalResponses.Single.of((SignalOutcome.Rejected) o))).build();
    }
}
