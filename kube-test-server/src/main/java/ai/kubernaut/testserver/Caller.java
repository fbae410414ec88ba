package ai.kubernaut.testserver;

import java.util.Optional;

/**
 * Who sent a request to the embedded API server, told by its bearer token. Tokens are minted by
 * convention rather than stored: the admin token, or {@code e2e-sa:<namespace>:<service>[:<pod>]} for a
 * service's ServiceAccount in a namespace (the embedded counterpart of a projected SA token; the optional
 * pod name lets the request log and fault injection tell replicas apart, RBAC ignores it).
 *
 * @param service "admin" for the test/admin client, else the service name (e.g. gateway-service)
 * @param namespace the ServiceAccount's namespace ("" for admin)
 * @param pod the replica's pod name, "" when the token names none
 */
public record Caller(String service, String namespace, String pod) {

    public static final String ADMIN_TOKEN = "e2e-admin-token";
    private static final String SERVICE_ACCOUNT_PREFIX = "e2e-sa:";

    public static final Caller ADMIN = new Caller("admin", "", "");

    public boolean isAdmin() {
        return this.equals(ADMIN);
    }

    /** The Kubernetes user name a real server would report, for error messages. */
    public String userName() {
        return isAdmin() ? "kubernetes-admin" : "system:serviceaccount:" + namespace + ":" + service;
    }

    public static String serviceAccountToken(String namespace, String service) {
        return SERVICE_ACCOUNT_PREFIX + namespace + ":" + service;
    }

    public static String serviceAccountToken(String namespace, String service, String pod) {
        return SERVICE_ACCOUNT_PREFIX + namespace + ":" + service + ":" + pod;
    }

    /** The caller a token stands for, or empty when the token is missing or unknown (HTTP 401). */
    public static Optional<Caller> fromAuthorizationHeader(String header) {
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        String token = header.substring(7).trim();
        if (token.equals(ADMIN_TOKEN)) {
            return Optional.of(ADMIN);
        }
        if (token.startsWith(SERVICE_ACCOUNT_PREFIX)) {
            String[] parts = token.substring(SERVICE_ACCOUNT_PREFIX.length()).split(":", -1);
            if ((parts.length == 2 || parts.length == 3) && !parts[0].isEmpty() && !parts[1].isEmpty()) {
                return Optional.of(new Caller(parts[1], parts[0], parts.length == 3 ? parts[2] : ""));
            }
        }
        return Optional.empty();
    }
}
