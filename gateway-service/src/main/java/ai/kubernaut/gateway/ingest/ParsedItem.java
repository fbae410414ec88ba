package ai.kubernaut.gateway.ingest;

import ai.kubernaut.gateway.signal.InvalidSignalException;

/**
 * One alert (or the event) of a request after parsing: a candidate to record, a rejection that is answered
 * 200 {@code rejected} without touching the cluster, or a validation error.
 */
record ParsedItem(SignalCandidate candidate, Rejection rejection, InvalidSignalException invalid) {

    /** Why a well-formed signal is not recorded; {@code reason} is the metric tag. */
    record Rejection(String reason, String message) {
    }

    static ParsedItem of(SignalCandidate candidate) {
        return new ParsedItem(candidate, null, null);
    }

    static ParsedItem rejected(String reason, String message) {
        return new ParsedItem(null, new Rejection(reason, message), null);
    }

    static ParsedItem invalid(InvalidSignalException e) {
        return new ParsedItem(null, null, e);
    }
}
