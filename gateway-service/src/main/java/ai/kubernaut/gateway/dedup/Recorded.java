package ai.kubernaut.gateway.dedup;

import java.time.Instant;

/**
 * The outcome of recording one signal.
 *
 * @param outcome         whether an RR was created or the signal counted on an active one
 * @param rrName          the RemediationRequest that now carries this occurrence
 * @param rrNamespace     its namespace
 * @param occurrenceCount the RR's occurrence count including this signal
 * @param firstSeenAt     first occurrence on that RR
 * @param lastSeenAt      last occurrence on that RR (at least this one's)
 */
public record Recorded(Outcome outcome, String rrName, String rrNamespace, long occurrenceCount,
        Instant firstSeenAt, Instant lastSeenAt) {

    public enum Outcome {
        /** A new RemediationRequest was created (HTTP 201). */
        CREATED,
        /** Counted on an active RemediationRequest (HTTP 202). */
        DUPLICATE
    }
}
