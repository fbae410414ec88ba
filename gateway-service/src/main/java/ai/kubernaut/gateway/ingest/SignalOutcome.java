package ai.kubernaut.gateway.ingest;

import ai.kubernaut.gateway.dedup.Recorded;
import java.time.Duration;

/**
 * What happened to one signal: counted on an RR (created or duplicate), rejected without touching the cluster,
 * or failed. Each knows its answer when the signal is alone in its request.
 */
sealed interface SignalOutcome {

    /** Null when the signal was rejected or invalid before it was fingerprinted. */
    String fingerprint();

    /** The {@code status} of the answer body: created, duplicate, rejected or failed. */
    String wireStatus();

    /** Stored on an RR: 201 when it created the RR, 202 when it counted on the active one. */
    record Counted(String fingerprint, Recorded recorded) implements SignalOutcome {

        boolean created() {
            return recorded.outcome() == Recorded.Outcome.CREATED;
        }

        @Override
        public String wireStatus() {
            return created() ? "created" : "duplicate";
        }

        int httpStatus() {
            return created() ? 201 : 202;
        }

        String message() {
            return created() ? "RemediationRequest created"
                    : "duplicate of an active RemediationRequest; occurrence counted";
        }
    }

    /** Well-formed but not recorded (out of scope, resolved alert, Normal event): 200. */
    record Rejected(String fingerprint, String reason, String message) implements SignalOutcome {

        @Override
        public String wireStatus() {
            return "rejected";
        }
    }

    /**
     * Not recorded, answered as {@code type} when alone (a 5xx may still have been counted, see the README).
     *
     * @param error      the problem detail (the offending field for an invalid signal)
     * @param field      offending field of an invalid signal, else null
     * @param retryAfter for 503/504; null means the configured default
     */
    record Failed(String fingerprint, ProblemType type, String error, String field, Duration retryAfter)
            implements SignalOutcome {

        @Override
        public String wireStatus() {
            return "failed";
        }

        String message() {
            return type == ProblemType.INVALID_SIGNAL ? "invalid signal" : "signal not recorded";
        }

        ProblemException toProblem() {
            return new ProblemException(type, error, field, retryAfter);
        }
    }
}
