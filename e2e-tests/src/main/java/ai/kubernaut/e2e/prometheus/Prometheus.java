package ai.kubernaut.e2e.prometheus;

import ai.kubernaut.e2e.cluster.RepoPaths;
import ai.kubernaut.e2e.process.FreePorts;
import ai.kubernaut.e2e.process.ManagedProcess;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.awaitility.Awaitility;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One real Prometheus server on 127.0.0.1 with its own config and TSDB directory under
 * {@code target/e2e-logs/<namespace>/<name>/}; its log is {@code target/e2e-logs/<namespace>/<name>.log}. Stopped by
 * {@link #close()} (and by the JVM's shutdown hook of {@link ManagedProcess} if a test dies).
 */
public final class Prometheus implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int START_ATTEMPTS = 3;

    private final String name;
    private final Path config;
    private final Path data;
    private final Path log;
    private ManagedProcess process;
    private int port;

    private Prometheus(String name, Path config, Path data, Path log) {
        this.name = name;
        this.config = config;
        this.data = data;
        this.log = log;
    }

    /** Starts {@code name} with {@code configYaml} (prometheus.yml) and waits until {@code /-/ready} answers 200. */
    public static Prometheus start(String name, String namespace, String configYaml, Duration readyTimeout) {
        Path dir = RepoPaths.logs().resolve(namespace).resolve(name);
        try {
            Files.createDirectories(dir.resolve("data"));
            Files.writeString(dir.resolve("prometheus.yml"), configYaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Prometheus p = new Prometheus(name, dir.resolve("prometheus.yml"), dir.resolve("data"),
                RepoPaths.logs().resolve(namespace).resolve(name + ".log"));
        for (int attempt = 1; ; attempt++) {
            p.spawn();
            try {
                Awaitility.await(name + " ready").atMost(readyTimeout).pollInterval(Duration.ofMillis(100))
                        .failFast(name + " exited", () -> !p.process.isAlive())
                        .until(() -> p.status("/-/ready") == 200);
                return p;
            } catch (RuntimeException e) {
                String tail = p.process.logTail(30);
                p.process.close();
                // another process may have taken the free port meanwhile: try a new one
                if (attempt < START_ATTEMPTS && tail.contains("address already in use")) {
                    continue;
                }
                throw new IllegalStateException(name + " did not become ready (" + e.getMessage() + "); log " + p.log
                        + ":\n" + tail, e);
            }
        }
    }

    private void spawn() {
        port = FreePorts.next();
        process = ManagedProcess.start(name, List.of(PrometheusBinaries.prometheus().toString(),
                "--config.file=" + config,
                "--storage.tsdb.path=" + data,
                "--web.listen-address=127.0.0.1:" + port,
                "--log.level=info"), Map.of(), log);
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public Path log() {
        return log;
    }

    /**
     * {@code GET /api/v1/query} at the current time: the whole answer ({@code status}, {@code data.result} or
     * {@code errorType}/{@code error}). A parse error is an answer (status "error", HTTP 400), not an exception.
     */
    public JsonNode query(String promql) {
        return get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    }

    /** {@code GET /api/v1/series} for one selector: the label sets of the series it matches now. */
    public JsonNode series(String selector) {
        return get("/api/v1/series?match[]=" + URLEncoder.encode(selector, StandardCharsets.UTF_8)
                + "&start=" + (System.currentTimeMillis() / 1000 - 600));
    }

    private JsonNode get(String pathAndQuery) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url() + pathAndQuery)).timeout(Duration.ofSeconds(20)).build();
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(name + " unreachable: " + request.uri(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
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
