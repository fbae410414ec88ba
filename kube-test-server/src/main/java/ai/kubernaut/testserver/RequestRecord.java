package ai.kubernaut.testserver;

/**
 * One request the embedded API server answered, as kept in its request log and served on
 * {@code GET /__e2e/requests}.
 *
 * @param seq position in the log, from 0
 * @param epochMicros when the request arrived (wall clock, microseconds since the epoch)
 * @param caller "admin", a service name such as {@code gateway-service}, or "anonymous"
 * @param pod the replica that sent it, when its token says ("" otherwise)
 * @param code the HTTP status answered (101 for a watch upgraded to a WebSocket)
 * @param micros time spent answering, in microseconds
 * @param query the URI's query string, undecoded ("" when none), e.g. a LIST's label or field selector
 * @param body the request body, kept only when the server was started with request bodies kept ("" otherwise)
 * @param fault the fault that made the answer: "injected" (a failure rule), "not-served" (the type is not served:
 *              404 page not found), "initializing" (429 while the watch cache initializes); "" for none
 */
public record RequestRecord(long seq, long epochMicros, String caller, String callerNamespace, String pod, String method,
                            String verb, String apiGroup, String namespace, String resource, String subresource,
                            String name, int code, long micros, String query, String body, String fault) {

    public boolean isLease() {
        return resource.equals("leases") && apiGroup.equals("coordination.k8s.io");
    }

    public boolean isStatusWrite() {
        return subresource.equals("status") && (verb.equals("update") || verb.equals("patch"));
    }

    /** Sent by a service's token, not by the admin (the test itself). */
    public boolean byService() {
        return !caller.equals(Caller.ADMIN.service());
    }

    public boolean succeeded() {
        return code >= 200 && code < 300 || code == 101;
    }
}
