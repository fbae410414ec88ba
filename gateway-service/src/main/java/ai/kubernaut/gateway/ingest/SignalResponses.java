package ai.kubernaut.gateway.ingest;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** Bodies of successful answers (errors are {@link Problem}s). */
// the records below are serialized by our own ObjectMapper: register them for a native image
@RegisterForReflection(targets = {SignalResponses.Single.class, SignalResponses.Batch.class,
        SignalResponses.Result.class, SignalResponses.Summary.class})
final class SignalResponses {

    private SignalResponses() {
    }

    /** One signal: 201 created, 202 duplicate, 200 rejected. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Single(String status, String message, String fingerprint, boolean duplicate, String remediationRequestName,
            String remediationRequestNamespace, Long occurrenceCount, Instant firstOccurrence, Instant lastOccurrence,
            String reason) {

        static Single of(SignalOutcome o) {
            var r = o.recorded();
            return new Single(o.status().wire, o.message(), o.fingerprint(),
                    o.status() == SignalOutcome.Status.DUPLICATE, r == null ? null : r.rrName(),
                    r == null ? null : r.rrNamespace(), r == null ? null : r.occurrenceCount(),
                    r == null ? null : r.firstSeenAt(), r == null ? null : r.lastSeenAt(), o.reason());
        }
    }

    /** Several alerts: 207 with one result per alert, in request order. */
    record Batch(List<Result> results, Summary summary) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Result(String status, String fingerprint, String message, String error, String remediationRequestName,
            Long occurrenceCount) {

        static Result of(SignalOutcome o) {
            var r = o.recorded();
            return new Result(o.status().wire, o.fingerprint(), o.message(), o.error(),
                    r == null ? null : r.rrName(), r == null ? null : r.occurrenceCount());
        }
    }

    record Summary(int total, int created, int deduplicated, int rejected, int failed) {

        static Summary of(List<SignalOutcome> outcomes) {
            int created = 0;
            int duplicate = 0;
            int rejected = 0;
            int failed = 0;
            for (SignalOutcome o : outcomes) {
                switch (o.status()) {
                    case CREATED -> created++;
                    case DUPLICATE -> duplicate++;
                    case REJECTED -> rejected++;
                    case FAILED -> failed++;
                }
            }
            return new Summary(outcomes.size(), created, duplicate, rejected, failed);
        }
    }
}
