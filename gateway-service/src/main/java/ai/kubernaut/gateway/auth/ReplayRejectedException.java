package ai.kubernaut.gateway.auth;

import ai.kubernaut.gateway.signal.InvalidSignalException;

/** A request timestamp is missing its format or lies outside the replay window (HTTP 400). */
public class ReplayRejectedException extends InvalidSignalException {

    private static final long serialVersionUID = 1L;

    public ReplayRejectedException(String field, String problem) {
        super(field, problem);
    }
}
