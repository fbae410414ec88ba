package ai.kubernaut.e2e.alertmanager;

import ai.kubernaut.e2e.cluster.RepoPaths;
import ai.kubernaut.e2e.metrics.Metrics;
import ai.kubernaut.e2e.process.FreePorts;
import ai.kubernaut.e2e.process.ManagedProcess;
import org.awaitility.Awaitility;

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

/**
 * One real Alertmanager process on 127.0.0.1, not clustered ({@code --cluster.listen-address=} empty: it
 * notifies on its own, as many users run several), with its own config and storage directory. Its log is
 * {@code target/e2e-logs/<namespace>/<name>.log}. Stopped by {@link #close()} (and by the JVM's shutdown hook
 * of {@link ManagedProcess} if a test dies).
 */
public final class Alertmanager implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private static final int START_ATTEMPTS = 3;

    private final String name;
    private final Path config;
    private final Path storage;
    private final Path log;
    private ManagedProcess process;
    private int port;

    private Alertmanager(String name, Path config, Path storage, Path log) {
        this.name = name;
        this.config = config;
        this.storage = storage;
        this.log = log;
    }

    /** Starts {@code name} with {@code configYaml} and waits until {@code /-/ready} answers 200. */
    public static Alertmanager start(String name, String namespace, String configYaml, Duration readyTimeout) {
        Path dir = RepoPaths.logs().resolve(namespace).resolve(name);
        try {
            Files.createDirectories(dir.resolve("data"));
            Files.writeString(dir.resolve("alertmanager.yaml"), configYaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Alertmanager am = new Alertmanager(name, dir.resolve("alertmanager.yaml"), dir.resolve("data"),
                RepoPaths.logs().resolve(namespace).resolve(name + ".log"));
        for (int attempt = 1; ; attempt++) {
            am.spawn();
            try {
                Awaitility.await(name + " ready").atMost(readyTimeout).pollInterval(Duration.ofMillis(100))
                        .failFast(name + " exited", () -> !am.process.isAlive())
                        .until(() -> am.status("/-/ready") == 200);
                return am;
            } catch (RuntimeException e) {
                String tail = am.process.logTail(30);
                am.process.close();
                // another process may have taken the free port meanwhile: try new ports
                if (attempt < START_ATTEMPTS && tail.contains("address already in use")) {
                    continue;
                }
                throw new IllegalStateException(name + " did not become ready (" + e.getMessage() + "); log " + am.log
                        + ":\n" + tail, e);
            }
        }
    }

    private void spawn() {
        port = FreePorts.next();
        process = ManagedProcess.start(name, List.of(AlertmanagerBinaries.alertmanager().toString(),
                "--config.file=" + config,
                "--storage.path=" + storage,
                "--web.listen-address=127.0.0.1:" + port,
                "--cluster.listen-address=",
                "--log.level=debug"), Map.of(), log);
    }

    public String name() {
        return name;
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

    /** {@code POST /api/v2/alerts} with a JSON array of postable alerts; fails unless Alertmanager answers 200. */
    public void postAlerts(String alertsJson) {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(url() + "/api/v2/alerts"))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(alertsJson)).build());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(name + " refused the alerts: " + response.statusCode() + " " + response.body());
        }
    }

    /** Alertmanager's own metrics ({@code /metrics}), parsed. */
    public Metrics metrics() {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(url() + "/metrics"))
                .timeout(Duration.ofSeconds(10)).build());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(name + " /metrics answered " + response.statusCode());
        }
        return Metrics.parse(response.body());
    }

    public String logTail(int lines) {
        return process.logTail(lines);
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

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(name + " unreachable: " + request.uri(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (process != null) {
            process.close();
        }
    }

    @Override
    public String toString() {
        return name + "[" + url() + "]";
    }
}
