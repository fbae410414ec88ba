package ai.kubernaut.gateway.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Ingest metrics (Prometheus names): {@code gateway_signals_received_total{source_type,severity}},
 * {@code gateway_signals_rejected_total{reason}}, {@code gateway_signals_failed_total{type}},
 * {@code gateway_http_request_duration_seconds{endpoint,code}}
 * (histogram) and {@code gateway_http_responses_total{endpoint,code,class}}. Tag values are bounded: the
 * severity is folded into a fixed set, endpoints into three names.
 */
@ApplicationScoped
public class IngestMetrics {

    private static final Set<String> SEVERITIES = Set.of("critical", "high", "warning", "medium", "low", "info",
            "page", "error", "none");
    private static final Duration[] BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
        Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
        Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10),
        Duration.ofSeconds(15), Duration.ofSeconds(30)};

    /** What can keep a well-formed signal from being recorded (its own 5xx; invalid ones are rejections). */
    static final Set<ProblemType> SIGNAL_FAILURES = EnumSet.of(ProblemType.LOCK_TIMEOUT,
            ProblemType.KUBERNETES_DEADLINE, ProblemType.KUBERNETES_UNAVAILABLE, ProblemType.KUBERNETES_ERROR,
            ProblemType.INTERNAL_ERROR);

    private final MeterRegistry registry;

    @Inject
    public IngestMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (ProblemType type : SIGNAL_FAILURES) {
            failures(type); // at 0 from the start, so that rate() and alerts work before the first failure
        }
    }

    void received(String sourceType, String severity) {
        registry.counter("gateway.signals.received", "source_type", sourceType, "severity", severityTag(severity))
                .increment();
    }

    void rejected(String reason) {
        registry.counter("gateway.signals.rejected", "reason", reason).increment();
    }

    /** A signal (alone or an alert of a notification) that was not recorded: counted when it failed. */
    void outcome(SignalOutcome outcome) {
        if (outcome instanceof SignalOutcome.Failed f && SIGNAL_FAILURES.contains(f.type())) {
            failures(f.type()).increment();
        }
    }

    private Counter failures(ProblemType type) {
        return Counter.builder("gateway.signals.failed").tag("type", type.slug())
                .description("Signals not recorded because of a failure (lock timeout, deadline, API fault...)")
                .register(registry);
    }

    void httpRequest(String endpoint, int status, long nanos) {
        String code = Integer.toString(status);
        Timer.builder("gateway.http.request.duration")
                .description("Signal API request duration")
                .tags("endpoint", endpoint, "code", code)
                .serviceLevelObjectives(BUCKETS)
                .register(registry)
                .record(nanos, TimeUnit.NANOSECONDS);
        registry.counter("gateway.http.responses", "endpoint", endpoint, "code", code, "class",
                (status / 100) + "xx").increment();
    }

    static String severityTag(String severity) {
        if (severity == null || severity.isBlank()) {
            return "unknown";
        }
        String s = severity.toLowerCase(Locale.ROOT);
        return SEVERITIES.contains(s) ? s : "other";
    }
}
