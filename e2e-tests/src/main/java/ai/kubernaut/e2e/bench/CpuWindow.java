package ai.kubernaut.e2e.bench;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The CPU time (user + system) each of a set of processes used between {@link #open} and {@link #close()}:
 * the benchmark JVM, the API server and every replica share two cores, so how the measured window's CPU divides
 * between them says who the throughput figure really measures. Read from {@link ProcessHandle.Info#totalCpuDuration()}
 * ({@code /proc/<pid>/stat} on Linux), so it costs nothing while the window is open.
 */
final class CpuWindow {

    /** A process to watch, under a label such as {@code ro-0}. */
    record Watched(String label, ProcessHandle process) {
    }

    /** What each process used in the window (empty when its CPU time could not be read) and the window's length. */
    record Usage(Map<String, Optional<Duration>> byLabel, Duration wall) {
    }

    private final Map<String, ProcessHandle> processes = new LinkedHashMap<>();
    private final Map<String, Optional<Duration>> before = new LinkedHashMap<>();
    private final long startNanos;

    private CpuWindow(Iterable<Watched> watched) {
        for (Watched w : watched) {
            processes.put(w.label(), w.process());
            before.put(w.label(), cpu(w.process()));
        }
        startNanos = System.nanoTime();
    }

    static CpuWindow open(Iterable<Watched> watched) {
        return new CpuWindow(watched);
    }

    Usage close() {
        Duration wall = Duration.ofNanos(System.nanoTime() - startNanos);
        Map<String, Optional<Duration>> used = new LinkedHashMap<>();
        processes.forEach((label, process) -> used.put(label, before.get(label)
                .flatMap(b -> cpu(process).map(a -> a.minus(b)))));
        return new Usage(used, wall);
    }

    private static Optional<Duration> cpu(ProcessHandle process) {
        return process.info().totalCpuDuration();
    }

    /**
     * One table cell: CPU seconds and their share of the machine over the window, e.g.
     * {@code 3.41 s (18 % of 2 cores)}; "n/a" when unknown.
     */
    static String cell(Optional<Duration> used, Duration wall, int cores) {
        if (used.isEmpty()) {
            return "n/a";
        }
        double seconds = used.get().toNanos() / 1e9;
        double capacity = wall.toNanos() / 1e9 * cores;
        return capacity <= 0 ? String.format("%.2f s", seconds)
                : String.format("%.2f s (%.0f %% of %d cores)", seconds, 100 * seconds / capacity, cores);
    }

    /**
     * The sum of several processes and each, e.g. {@code 4.10 s (21 % of 2 cores): ro-0 1.40, ro-1 1.30, ro-2 1.40};
     * the sum is "n/a" when any part is unknown.
     */
    static String sumAndEach(Map<String, Optional<Duration>> parts, Duration wall, int cores) {
        Optional<Duration> sum = Optional.of(Duration.ZERO);
        StringBuilder each = new StringBuilder();
        for (Map.Entry<String, Optional<Duration>> e : parts.entrySet()) {
            sum = sum.flatMap(s -> e.getValue().map(s::plus));
            each.append(each.isEmpty() ? ": " : ", ").append(e.getKey()).append(' ')
                    .append(e.getValue().map(d -> String.format("%.2f", d.toNanos() / 1e9)).orElse("n/a"));
        }
        return cell(parts.isEmpty() ? Optional.empty() : sum, wall, cores) + each;
    }
}
