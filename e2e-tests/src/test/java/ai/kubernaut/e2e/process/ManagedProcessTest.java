package ai.kubernaut.e2e.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** What {@link ManagedProcess#terminate()} and {@link ManagedProcess#killForcibly()} send: SIGTERM, then SIGKILL. */
class ManagedProcessTest {

    /** A shell that answers SIGTERM with exit status 42 (a trapped signal), once it says it is ready. */
    private static ManagedProcess trapping(Path dir, String name) throws Exception {
        Path ready = dir.resolve(name + ".ready");
        ManagedProcess p = ManagedProcess.start(name, List.of("sh", "-c",
                "trap 'kill $child; exit 42' TERM; sleep 60 & child=$!; touch " + ready + "; wait"), Map.of(),
                dir.resolve(name + ".log"));
        org.awaitility.Awaitility.await(name + " ready").atMost(Duration.ofSeconds(10)).until(() -> Files.exists(ready));
        return p;
    }

    @Test
    void terminateSendsSigterm(@TempDir Path dir) throws Exception {
        try (ManagedProcess p = trapping(dir, "term")) {
            long before = System.nanoTime();
            p.terminate();
            assertTrue(p.awaitExit(Duration.ofSeconds(10)));
            assertEquals(42, p.exitCode().orElseThrow(), "the trap ran: the signal was SIGTERM");
            long exit = p.exitNanos().get(5, TimeUnit.SECONDS);
            assertTrue(exit >= before, "exit time after the signal");
        }
    }

    @Test
    void killForciblySendsSigkill(@TempDir Path dir) throws Exception {
        Path ready = dir.resolve("ignoring.ready");
        // ignores SIGTERM: only SIGKILL ends it
        try (ManagedProcess p = ManagedProcess.start("ignoring", List.of("sh", "-c",
                "trap '' TERM; touch " + ready + "; while true; do sleep 1; done"), Map.of(), dir.resolve("ignoring.log"))) {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(ready));
            p.killForcibly();
            assertTrue(p.awaitExit(Duration.ofSeconds(10)));
            assertEquals(137, p.exitCode().orElseThrow(), "128 + SIGKILL (SIGTERM is ignored, and would give 143)");
        }
    }
}
