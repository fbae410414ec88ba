package ai.kubernaut.orchestrator.events;

import ai.kubernaut.orchestrator.model.RemediationRequest;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.jboss.logging.Logger;

/**
 * Kubernetes Events (core/v1) on RemediationRequests, best effort: a failed Event never fails a reconcile.
 * Repeats of the same (RR, type, reason) from this replica are aggregated like client-go's EventCorrelator:
 * one Event object whose count and lastTimestamp are patched.
 */
public final class RemediationEvents {

    public static final String COMPONENT = "remediation-orchestrator";
    private static final Logger LOG = Logger.getLogger(RemediationEvents.class);
    private static final int MAX_MESSAGE = 1024;
    private static final int MAX_REMEMBERED = 1024;

    private record Seen(String eventName, int count) {
    }

    private final KubernetesClient client;
    private final String namespace;
    private final String podName;
    private final Clock clock;
    private final Map<String, Seen> seen = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Seen> eldest) {
            return size() > MAX_REMEMBERED;
        }
    };

    public RemediationEvents(KubernetesClient client, String namespace, String podName, Clock clock) {
        this.client = client;
        this.namespace = namespace;
        this.podName = podName;
        this.clock = clock;
    }

    public void normal(RemediationRequest rr, String reason, String message) {
        record(rr, "Normal", reason, message);
    }

    public void warning(RemediationRequest rr, String reason, String message) {
        record(rr, "Warning", reason, message);
    }

    private void record(RemediationRequest rr, String type, String reason, String message) {
        String text = message.length() <= MAX_MESSAGE ? message : message.substring(0, MAX_MESSAGE - 3) + "...";
        String key = rr.getMetadata().getUid() + "/" + type + "/" + reason;
        String now = Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
        try {
            Seen previous;
            synchronized (seen) {
                previous = seen.get(key);
            }
            if (previous != null && patch(previous, text, now)) {
                remember(key, new Seen(previous.eventName(), previous.count() + 1));
                return;
            }
            // client-go style name: <object>.<unique hex>
            String name = rr.getMetadata().getName() + "." + Long.toHexString(clock.millis())
                    + String.format("%04x", ThreadLocalRandom.current().nextInt(0x10000));
            Event event = new EventBuilder()
                    .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                    .withNewInvolvedObject()
                    .withApiVersion(HasMetadata.getApiVersion(RemediationRequest.class))
                    .withKind(HasMetadata.getKind(RemediationRequest.class))
                    .withName(rr.getMetadata().getName())
                    .withNamespace(rr.getMetadata().getNamespace())
                    .withUid(rr.getMetadata().getUid())
                    .withResourceVersion(rr.getMetadata().getResourceVersion())
                    .endInvolvedObject()
                    .withType(type)
                    .withReason(reason)
                    .withMessage(text)
                    .withNewSource().withComponent(COMPONENT).withHost(podName).endSource()
                    .withReportingComponent("kubernaut.ai/" + COMPONENT)
                    .withReportingInstance(podName)
                    .withFirstTimestamp(now)
                    .withLastTimestamp(now)
                    .withCount(1)
                    .build();
            client.v1().events().inNamespace(namespace).resource(event).create();
            remember(key, new Seen(name, 1));
        } catch (RuntimeException e) {
            LOG.warnf("could not record event: rr=%s reason=%s: %s", rr.getMetadata().getName(), reason,
                    e.getMessage());
        }
    }

    /** Bumps an aggregated Event; false when it is gone (expired by the server's event TTL). */
    private boolean patch(Seen previous, String message, String now) {
        String body = client.getKubernetesSerialization().asJson(
                Map.of("count", previous.count() + 1, "lastTimestamp", now, "message", message));
        try {
            // patch through a stub item: withName(..).patch(..) would GET first, and we may not read events
            Event stub = new EventBuilder().withNewMetadata().withName(previous.eventName()).withNamespace(namespace)
                    .endMetadata().build();
            client.v1().events().inNamespace(namespace).resource(stub)
                    .patch(PatchContext.of(PatchType.JSON_MERGE), body);
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
                return false;
            }
            throw e;
        }
    }

    private void remember(String key, Seen value) {
        synchronized (seen) {
            seen.put(key, value);
        }
    }
}
