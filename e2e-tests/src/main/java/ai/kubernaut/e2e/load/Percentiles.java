package ai.kubernaut.e2e.load;

import java.util.Arrays;
import java.util.Collection;

/** Percentiles of a set of durations (nearest-rank). */
public final class Percentiles {

    private final long[] sorted;

    private Percentiles(long[] sorted) {
        this.sorted = sorted;
    }

    public static Percentiles of(Collection<Long> values) {
        long[] array = values.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(array);
        return new Percentiles(array);
    }

    public static Percentiles of(long[] values) {
        long[] array = values.clone();
        Arrays.sort(array);
        return new Percentiles(array);
    }

    public int count() {
        return sorted.length;
    }

    /** The value at percentile {@code p} (0 to 100), or 0 when empty. */
    public long at(double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    public long max() {
        return sorted.length == 0 ? 0 : sorted[sorted.length - 1];
    }

    /** p50/p95/p99 in milliseconds, e.g. {@code p50 3.1 ms, p95 9.8 ms, p99 14.0 ms}, given nanosecond values. */
    public String describeNanosAsMillis() {
        return String.format("p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms",
                at(50) / 1e6, at(95) / 1e6, at(99) / 1e6, max() / 1e6);
    }
}
