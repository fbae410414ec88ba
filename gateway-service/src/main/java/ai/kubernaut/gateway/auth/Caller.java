package ai.kubernaut.gateway.auth;

/**
 * Who sent a request, once authenticated and authorized.
 *
 * @param username as reported by the TokenReview ({@code anonymous} when authentication is off)
 */
public record Caller(String username) {

    public static final Caller UNAUTHENTICATED = new Caller("anonymous");
}
