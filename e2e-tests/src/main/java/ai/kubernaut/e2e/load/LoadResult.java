package ai.kubernaut.e2e.load;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Every outcome of a load run, and the wall time it took. */
public record LoadResult(List<Outcome> outcomes, long wallNanos) {

    public Map<Integer, Long> countsByCode() {
        return outcomes.stream().collect(Collectors.groupingBy(Outcome::code, TreeMap::new, Collectors.counting()));
    }

    public long count(int code) {
        return outcomes.stream().filter(o -> o.code() == code).count();
    }

    public long countWhere(java.util.function.Predicate<Outcome> p) {
        return outcomes.stream().filter(p).count();
    }

    /** Latency percentiles over answered requests. */
    public Percentiles latency() {
        return Percentiles.of(outcomes.stream().filter(Outcome::answered).map(Outcome::nanos).toList());
    }

    /** Answered requests per second of wall time. */
    public double throughput() {
        return wallNanos == 0 ? 0 : outcomes.stream().filter(Outcome::answered).count() / (wallNanos / 1e9);
    }

    /** A few outcomes that are not in {@code expectedCodes}, for assertion messages. */
    public String unexpected(java.util.Set<Integer> expectedCodes) {
        return outcomes.stream().filter(o -> !expectedCodes.contains(o.code())).limit(5)
                .map(o -> o.code() + " from " + o.target() + ": " + abbreviate(o.body()))
                .collect(Collectors.joining("\n"));
    }

    private static String abbreviate(String s) {
        return s == null ? "" : s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }
}
