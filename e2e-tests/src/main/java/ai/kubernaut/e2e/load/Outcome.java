package ai.kubernaut.e2e.load;

/**
 * What one request to a Gateway got.
 *
 * @param code HTTP status, or -1 when the request failed without an answer (connection refused or reset,
 *             timeout)
 * @param nanos time from sending to the full answer
 * @param target the replica that was asked (its pod name)
 * @param body the answer's body ("" when none); for -1 the failure
 * @param sentAtNanos {@link System#nanoTime()} when sent
 * @param retryAfter the answer's Retry-After header, null when none
 */
public record Outcome(int code, long nanos, String target, String body, long sentAtNanos, String retryAfter) {

    public Outcome(int code, long nanos, String target, String body, long sentAtNanos) {
        this(code, nanos, target, body, sentAtNanos, null);
    }

    public boolean created() {
        return code == 201;
    }

    public boolean duplicate() {
        return code == 202;
    }

    public boolean answered() {
        return code > 0;
    }
}
