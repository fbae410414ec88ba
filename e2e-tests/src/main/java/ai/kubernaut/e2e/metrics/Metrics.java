package ai.kubernaut.e2e.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** A scrape of a replica's Prometheus endpoint (text format 0.0.4), with the sums the suite needs. */
public final class Metrics {

    /** One sample line: {@code name{labels} value}. */
    public record Sample(String name, Map<String, String> labels, double value) {
    }

    private final List<Sample> samples;

    private Metrics(List<Sample> samples) {
        this.samples = samples;
    }

    public static Metrics empty() {
        return new Metrics(List.of());
    }

    public static Metrics parse(String text) {
        List<Sample> samples = new ArrayList<>();
        for (String raw : text.split("\n")) {
            String line = raw.trim();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String name;
            Map<String, String> labels = new LinkedHashMap<>();
            String rest;
            int brace = line.indexOf('{');
            int space = line.indexOf(' ');
            if (brace >= 0 && (space < 0 || brace < space)) {
                name = line.substring(0, brace);
                int close = line.lastIndexOf('}');
                parseLabels(line.substring(brace + 1, close), labels);
                rest = line.substring(close + 1).trim();
            } else {
                name = line.substring(0, space);
                rest = line.substring(space + 1).trim();
            }
            String value = rest.split("\\s+")[0];
            samples.add(new Sample(name, labels, parseValue(value)));
        }
        return new Metrics(samples);
    }

    private static double parseValue(String v) {
        return switch (v) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(v);
        };
    }

    private static void parseLabels(String body, Map<String, String> into) {
        int i = 0;
        while (i < body.length()) {
            int eq = body.indexOf('=', i);
            if (eq < 0) {
                return;
            }
            String key = body.substring(i, eq).trim().replaceFirst("^,", "").trim();
            int start = body.indexOf('"', eq) + 1;
            StringBuilder value = new StringBuilder();
            int j = start;
            while (j < body.length() && body.charAt(j) != '"') {
                if (body.charAt(j) == '\\' && j + 1 < body.length()) {
                    j++;
                }
                value.append(body.charAt(j));
                j++;
            }
            into.put(key, value.toString());
            i = j + 1;
            while (i < body.length() && (body.charAt(i) == ',' || body.charAt(i) == ' ')) {
                i++;
            }
        }
    }

    public List<Sample> samples() {
        return samples;
    }

    /** Sum over every sample called {@code name} (all label combinations). 0 when absent. */
    public double sum(String name) {
        return samples.stream().filter(s -> s.name().equals(name)).mapToDouble(Sample::value).sum();
    }

    /** Sum over samples called {@code name} whose labels include every entry of {@code match}. */
    public double sum(String name, Map<String, String> match) {
        return samples.stream().filter(s -> s.name().equals(name))
                .filter(s -> match.entrySet().stream().allMatch(e -> e.getValue().equals(s.labels().get(e.getKey()))))
                .mapToDouble(Sample::value).sum();
    }

    public boolean has(String name) {
        return samples.stream().anyMatch(s -> s.name().equals(name) || s.name().startsWith(name + "_"));
    }

    /** Sum per value of {@code label} over samples called {@code name}. */
    public Map<String, Double> sumBy(String name, String label) {
        Map<String, Double> sums = new TreeMap<>();
        samples.stream().filter(s -> s.name().equals(name))
                .forEach(s -> sums.merge(s.labels().getOrDefault(label, ""), s.value(), Double::sum));
        return sums;
    }

    /**
     * The {@code q} quantile of a histogram ({@code name_bucket{le=...}} summed over other labels), by linear
     * interpolation inside the bucket, or of a summary ({@code name{quantile=...}}); empty when neither exists.
     */
    public Optional<Double> quantile(String name, double q) {
        TreeMap<Double, Double> buckets = new TreeMap<>();
        samples.stream().filter(s -> s.name().equals(name + "_bucket"))
                .forEach(s -> buckets.merge(parseValue(s.labels().get("le")), s.value(), Double::sum));
        if (!buckets.isEmpty()) {
            double total = buckets.lastEntry().getValue();
            if (total <= 0) {
                return Optional.empty();
            }
            double rank = q * total;
            double prevBound = 0;
            double prevCount = 0;
            for (Map.Entry<Double, Double> b : buckets.entrySet()) {
                if (b.getValue() >= rank) {
                    if (b.getKey().isInfinite()) {
                        return Optional.of(prevBound);
                    }
                    double inBucket = b.getValue() - prevCount;
                    double fraction = inBucket <= 0 ? 1 : (rank - prevCount) / inBucket;
                    return Optional.of(prevBound + (b.getKey() - prevBound) * fraction);
                }
                prevBound = b.getKey();
                prevCount = b.getValue();
            }
            return Optional.of(prevBound);
        }
        return samples.stream().filter(s -> s.name().equals(name))
                .filter(s -> s.labels().containsKey("quantile") && Math.abs(parseValue(s.labels().get("quantile")) - q) < 1e-9)
                .map(Sample::value).filter(v -> !v.isNaN()).max(Double::compare);
    }

    /** Adds the samples of several replicas together (same name and labels summed). */
    public static Metrics merge(List<Metrics> scrapes) {
        Map<String, Sample> merged = new LinkedHashMap<>();
        for (Metrics m : scrapes) {
            for (Sample s : m.samples) {
                String key = s.name() + s.labels();
                merged.merge(key, s, (a, b) -> new Sample(a.name(), a.labels(), a.value() + b.value()));
            }
        }
        return new Metrics(new ArrayList<>(merged.values()));
    }
}
