package ai.kubernaut.e2e.process;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A child process this JVM started (the embedded cluster or a service replica), with its output in a log
 * file and the POSIX signals the chaos scenarios need. Every instance is registered with a JVM shutdown
 * hook, so nothing outlives the suite, the demo or the benchmark even when they fail or are interrupted.
 * {@link #close()} stops it politely (SIGTERM), then forcibly (SIGKILL) after a grace period.
 */
public final class ManagedProcess implements AutoCloseable {

    private static final Set<ManagedProcess> LIVE = ConcurrentHashMap.newKeySet();
    private static final Duration GRACE = Duration.ofSeconds(10);

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (ManagedProcess p : LIVE) {
                p.signalQuietly("CONT");
                p.process.destroyForcibly();
            }
        }, "managed-process-reaper"));
    }

    private final String name;
    private final Process process;
    private final Path log;
    private final OutputStream stdin;
    private final CompletableFuture<Long> exitNanos;

    private ManagedProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.stdin = process.getOutputStream();
        // registered at start, so the time is the reaper's, not that of whoever asks later
        this.exitNanos = process.onExit().thenApply(p -> System.nanoTime());
    }

    /**
     * Starts {@code command} with {@code env} added to this JVM's environment; stdout and stderr go to
     * {@code log} (appended). The child's stdin stays open until {@link #close()}, so a child that waits
     * for end-of-input (the embedded API server does) exits when this JVM dies.
     */
    public static ManagedProcess start(String name, List<String> command, Map<String, String> env, Path log) {
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().putAll(env);
            Process process = builder.start();
            ManagedProcess managed = new ManagedProcess(name, process, log);
            LIVE.add(managed);
            return managed;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + command, e);
        }
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Path log() {
        return log;
    }

    public Optional<Integer> exitCode() {
        return process.isAlive() ? Optional.empty() : Optional.of(process.exitValue());
    }

    /**
     * {@code SIGTERM}, without waiting: {@link Process#destroy()}, which on Linux sends SIGTERM (and
     * {@link Process#destroyForcibly()} SIGKILL); the JVM runs its shutdown hooks on it (Quarkus: graceful shutdown).
     * What the kubelet sends a container first when its pod is deleted.
     */
    public void terminate() {
        process.destroy();
    }

    /** {@code SIGKILL}, without waiting: what the kubelet sends when the grace period has run out. */
    public void killForcibly() {
        process.destroyForcibly();
    }

    /**
     * Completes with {@link System#nanoTime()} read when the process ended (as soon as the JDK's process reaper
     * saw it), whoever waits for it and whenever they look.
     */
    public CompletableFuture<Long> exitNanos() {
        return exitNanos.copy();
    }

    /** Waits up to {@code timeout} for the process to end; true when it has. */
    public boolean awaitExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** {@code kill -9}: the process dies without running shutdown hooks (a crashed pod). */
    public void kill9() {
        signal("KILL");
        awaitExit(Duration.ofSeconds(10));
    }

    /** {@code kill -STOP}: frozen, holding whatever it held (a long GC pause, a starved container). */
    public void pause() {
        signal("STOP");
    }

    /** {@code kill -CONT}: resumes a paused process. */
    public void resume() {
        signal("CONT");
    }

    /** Resident set size from {@code /proc/<pid>/status} (VmRSS), in KiB; empty when unavailable. */
    public Optional<Long> rssKib() {
        return status("VmRSS:");
    }

    /** The highest resident set size since the process started ({@code VmHWM}), in KiB; empty when unavailable. */
    public Optional<Long> peakRssKib() {
        return status("VmHWM:");
    }

    private Optional<Long> status(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
                if (line.startsWith(field)) {
                    return Optional.of(Long.parseLong(line.replaceAll("[^0-9]", "")));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux, or the process is gone
        }
        return Optional.empty();
    }

    /** The last {@code lines} lines of the process's log, for failure messages. */
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    public void signal(String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid()))
                    .redirectErrorStream(true).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + pid() + " (" + name + ") failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void signalQuietly(String signal) {
        if (process.isAlive()) {
            try {
                signal(signal);
            } catch (RuntimeException ignored) {
                // best effort during teardown
            }
        }
    }

    /** SIGCONT (in case it is paused), SIGTERM, and SIGKILL if it has not exited within the grace period. */
    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                signalQuietly("CONT");
                process.destroy();
                if (!awaitExit(GRACE)) {
                    process.destroyForcibly();
                    awaitExit(Duration.ofSeconds(5));
                }
            }
            try {
                stdin.close();
            } catch (IOException ignored) {
                // the child is gone
            }
        } finally {
            LIVE.remove(this);
        }
    }

    @Override
    public String toString() {
        return name + "[pid " + pid() + "]";
    }
}
