package ai.kubernaut.e2e.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

class CpuWindowTest {

    @Test
    void aCellGivesSecondsAndTheShareOfTheMachine() {
        assertEquals("3.00 s (75 % of 2 cores)", CpuWindow.cell(Optional.of(Duration.ofSeconds(3)), Duration.ofSeconds(2), 2));
        assertEquals("0.25 s", CpuWindow.cell(Optional.of(Duration.ofMillis(250)), Duration.ZERO, 2));
        assertEquals("n/a", CpuWindow.cell(Optional.empty(), Duration.ofSeconds(2), 2));
    }

    @Test
    void replicasAreSummedAndListed() {
        Map<String, Optional<Duration>> replicas = new LinkedHashMap<>();
        replicas.put("ro-0", Optional.of(Duration.ofMillis(1400)));
        replicas.put("ro-1", Optional.of(Duration.ofMillis(1300)));
        replicas.put("ro-2", Optional.of(Duration.ofMillis(1300)));
        assertEquals("4.00 s (20 % of 2 cores): ro-0 1.40, ro-1 1.30, ro-2 1.30",
                CpuWindow.sumAndEach(replicas, Duration.ofSeconds(10), 2));
        replicas.put("ro-3", Optional.empty());
        assertEquals("n/a: ro-0 1.40, ro-1 1.30, ro-2 1.30, ro-3 n/a",
                CpuWindow.sumAndEach(replicas, Duration.ofSeconds(10), 2), "a part unknown: no sum");
        assertEquals("n/a", CpuWindow.sumAndEach(Map.of(), Duration.ofSeconds(10), 2));
    }

    @Test
    void theWindowSeesTheCpuThisProcessBurns() {
        CpuWindow window = CpuWindow.open(List.of(new CpuWindow.Watched("me", ProcessHandle.current())));
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long until = threads.getCurrentThreadCpuTime() + Duration.ofMillis(300).toNanos();
        long spin = 0;
        while (threads.getCurrentThreadCpuTime() < until) {
            spin++;
        }
        CpuWindow.Usage usage = window.close();
        Duration used = usage.byLabel().get("me").orElseThrow();
        assertTrue(used.compareTo(Duration.ofMillis(250)) >= 0, used + " after " + spin + " spins");
        assertTrue(usage.wall().compareTo(Duration.ofMillis(250)) >= 0, usage.wall().toString());
    }
}
