package ai.kubernaut.gateway.ingest;

import ai.kubernaut.gateway.dedup.Recorded;
import java.time.Duration;

/**
 * What happened to one signal, and how it is answered.
 *
 * @param httpStatus   the answer when this signal is alone in its request
 * @param fingerprint  null when the signal was rejected or invalid before it was fingerprinted
 * @param recorded     set for CREATED and DUPLICATE
 * @param reason       metric tag of a rejection or failure
 * @param retryAfter   set when the caller should retry later (503)
 * @param problemSlug  problem type of a FAILED signal
 * @param field        offending field of an invalid signal
 */
record SignalOutcome(Status status, int httpStatus, String fingerprint, String message, String error,
        Recorded recorded, String reason, Duration retryAfter, String problemSlug, String problemTitle, String field) {

    enum Status {
        CREATED("created"), DUPLICATE("duplicate"), REJECTED("rejected"), FAILED("failed");

        final String wire;

        Status(String wire) {
            this.wire = wire;
        }
    }

    static SignalOutcome recorded(String fingerprint, Recorded r) {
        boolean created = r.outcome() == Recorded.Outcome.CREATED;
        return new SignalOutcome(created ? Status.CREATED : Status.DUPLICATE, created ? 201 : 202, fingerprint,
                created ? "RemediationRequest created" : "duplicate of an active RemediationRequest; occurrence counted",
                null, r, null, null, null, null, null);
    }

    static SignalOutcome rejected(String fingerprint, String reason, String message) {
        return new SignalOutcome(Status.REJECTED, 200, fingerprint, message, null, null, reason, null, null, null,
                null);
    }

    static SignalOutcome failed(int httpStatus, String fingerprint, String reason, String message, String error,
            Duration retryAfter, String problemSlug, String problemTitle, String field) {
        return new SignalOutcome(Status.FAILED, httpStatus, fingerprint, message, error, null, reason, retryAfter,
                problemSlug, problemTitle, field);
    }
}
