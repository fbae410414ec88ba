package ai.kubernaut.orchestrator.catalog;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses durations as Kubernetes manifests write them ({@code 90s}, {@code 5m}, {@code 1h30m}) or ISO-8601. */
final class GoDuration {

    private static final Pattern WHOLE = Pattern.compile("^(\\d+(ms|s|m|h))+$");
    private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h)");

    private GoDuration() {
    }

    static Duration parse(String text) {
        String value = text.trim();
        if (value.startsWith("P") || value.startsWith("p")) {
            try {
                return Duration.parse(value);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("not a duration: '" + text + "'", e);
            }
        }
        if (value.equals("0")) {
            return Duration.ZERO;
        }
        if (!WHOLE.matcher(value).matches()) {
            throw new IllegalArgumentException("not a duration: '" + text + "' (use e.g. 90s, 5m, 1h30m)");
        }
        Duration total = Duration.ZERO;
        Matcher part = PART.matcher(value);
        while (part.find()) {
            long amount = Long.parseLong(part.group(1));
            total = total.plus(switch (part.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                default -> Duration.ofHours(amount);
            });
        }
        return total;
    }
}
