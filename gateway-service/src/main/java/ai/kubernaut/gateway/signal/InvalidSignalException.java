package ai.kubernaut.gateway.signal;

import java.util.Objects;

/**
 * A payload (or one alert of it) cannot be turned into a signal. Carries the path of the offending field
 * (e.g. {@code alerts[0].labels.alertname}) so that the 400 answer can name it.
 */
public class InvalidSignalException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String field;

    public InvalidSignalException(String field, String problem) {
        super(field + ": " + problem);
        this.field = Objects.requireNonNull(field, "field");
    }

    /** Path of the offending field in the payload (or the header name). */
    public String field() {
        return field;
    }
}
