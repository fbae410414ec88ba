package ai.kubernaut.gateway.ingest;

import ai.kubernaut.gateway.dedup.Recorded;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;
import java.util.List;

/** Bodies of successful answers (errors are {@link Problem}s). */
// the records below are serialized by our own ObjectMapper: register them for a native image
@RegisterForReflection(targets = {SignalResponses.Single.class, SignalResponses.Batch.class,
        SignalResponses.Result.class, SignalResponses.Summary.class, SignalResponses.BatchProblem.class})
final class SignalResponses {

    private SignalResponses() {
    }

    /** One signal: 201 created, 202 duplicate, 200 rejected. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Single(String status, String message, String fingerprint, boolean duplicate, String remediationRequestName,
            String remediationRequestNamespace, Long occurrenceCount, Instant firstOccurrence, Instant lastOccurrence,
            String reason) {

        static Single of(SignalOutcome.Counted c) {
            Recorded r = c.recorded();
            return new Single(c.wireStatus(), c.message(), c.fingerprint(), !c.created(), r.rrName(),
                    r.rrNamespace(), r.occurrenceCount(), r.firstSeenAt(), r.lastSeenAt(), null);
        }

        static Single of(SignalOutcome.Rejected r) {
            return new Single(r.wireStatus(), r.message(), r.fingerprint(), false, null, null, null, null, null,
                    r.reason());
        }
    }

    /** Several alerts: 207 with one result per alert, in request order. */
    record Batch(List<Result> results, Summary summary) {

        static Batch of(List<SignalOutcome> outcomes) {
            return new Batch(outcomes.stream().map(Result::of).toList(), Summary.of(outcomes));
        }
    }

    /**
     * Several alerts, at least one failed in a way a retry can fix: an RFC 7807 problem (503) whose extension members
     * are the 207's, one result per alert in request order and the summary.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record BatchProblem(String type, String title, int status, String detail, String instance, List<Result> results,
            Summary summary) {

        static BatchProblem of(ProblemException e, String instance, List<SignalOutcome> outcomes) {
            Batch batch = Batch.of(outcomes);
            return new BatchProblem(e.type().uri(), e.type().title(), e.status(), e.getMessage(), instance,
                    batch.results(), batch.summary());
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Result(String status, String fingerprint, String message, String error, String remediationRequestName,
            Long occurrenceCount) {

        static Result of(SignalOutcome o) {
            if (o instanceof SignalOutcome.Counted c) {
                return new Result(c.wireStatus(), c.fingerprint(), c.message(), null, c.recorded().rrName(),
                        c.recorded().occurrenceCount());
            }
            if (o instanceof SignalOutcome.Failed f) {
                return new Result(f.wireStatus(), f.fingerprint(), f.message(), f.error(), null, null);
            }
            SignalOutcome.Rejected r = (SignalOutcome.Rejected) o;
            return new Result(r.wireStatus(), r.fingerprint(), r.message(), null, null, null);
        }
    }

    record Summary(int total, int created, int deduplicated, int rejected, int failed) {

        static Summary of(List<SignalOutcome> outcomes) {
            int created = 0;
            int duplicate = 0;
            int rejected = 0;
            int failed = 0;
            for (SignalOutcome o : outcomes) {
                switch (o.wireStatus()) {
                    case "created" -> created++;
                    case "duplicate" -> duplicate++;
                    case "rejected" -> rejected++;
                    default -> failed++;
                }
            }
            return new Summary(outcomes.size(), created, duplicate, rejected, failed);
        }
    }
}
