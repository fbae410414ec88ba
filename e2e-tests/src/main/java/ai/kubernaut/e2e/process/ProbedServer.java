package ai.kubernaut.e2e.process;

import ai.kubernaut.e2e.cluster.RepoPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.awaitility.Awaitility;

/**
 * An external server process (a real Alertmanager or Prometheus) on 127.0.0.1 and a free port, ready when its
 * {@code /-/ready} answers 200. A start that lost its port to another process (found in the log) tries a new one.
 * Stopped by {@link #close()} (and by {@link ManagedProcess}'s shutdown hook if a test dies).
 */
public final class ProbedServer implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private static final int START_ATTEMPTS = 3;

    private final String name;
    private final Path log;
    private final ManagedProcess process;
    private final int port;

    private ProbedServer(String name, Path log, ManagedProcess process, int port) {
        this.name = name;
        this.log = log;
        this.process = process;
        this.port = port;
    }

    /** Starts {@code commandForPort.apply(port)}, its output to {@code log}, and waits until it is ready. */
    public static ProbedServer start(String name, Path log, IntFunction<List<String>> commandForPort,
            Duration readyTimeout) {
        for (int attempt = 1; ; attempt++) {
            int port = FreePorts.next();
            ProbedServer server = new ProbedServer(name, log,
                    ManagedProcess.start(name, commandForPort.apply(port), Map.of(), log), port);
            try {
                Awaitility.await(name + " ready").atMost(readyTimeout).pollInterval(Duration.ofMillis(100))
                        .failFast(name + " exited", () -> !server.process.isAlive())
                        .until(() -> server.status("/-/ready") == 200);
                return server;
            } catch (RuntimeException e) {
                String tail = server.process.logTail(30);
                server.process.close();
                if (attempt < START_ATTEMPTS && tail.contains("address already in use")) {
                    continue;
                }
                throw new IllegalStateException(name + " did not become ready (" + e.getMessage() + "); log " + log
                        + ":\n" + tail, e);
            }
        }
    }

    /**
     * A server's own directory, {@code target/e2e-logs/<namespace>/<name>/}, with {@code configFile} holding
     * {@code configText} and an empty {@code data/}; its log goes beside it ({@link #logOf}).
     *
     * @return the directory
     */
    public static Path prepare(String namespace, String name, String configFile, String configText) {
        Path dir = RepoPaths.logs().resolve(namespace).resolve(name);
        try {
            Files.createDirectories(dir.resolve("data"));
            Files.writeString(dir.resolve(configFile), configText);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    /** {@code target/e2e-logs/<namespace>/<name>.log}. */
    public static Path logOf(String namespace, String name) {
        return RepoPaths.logs().resolve(namespace).resolve(name + ".log");
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public Path log() {
        return log;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public String logTail(int lines) {
        return process.logTail(lines);
    }

    /** Sends {@code request} (built on {@link #url()}); unreachable is an exception naming this server. */
    public HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(name + " unreachable: " + request.uri(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private int status(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    @Override
    public void close() {
        process.close();
    }

    @Override
    public String toString() {
        return name + "[" + url() + "]";
    }
}
