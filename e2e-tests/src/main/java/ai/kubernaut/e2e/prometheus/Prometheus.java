package ai.kubernaut.e2e.prometheus;

import ai.kubernaut.e2e.process.ProbedServer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * One real Prometheus server on 127.0.0.1 with its own config and TSDB directory under
 * {@code target/e2e-logs/<namespace>/<name>/}; its log is {@code target/e2e-logs/<namespace>/<name>.log}. Stopped by
 * {@link #close()}.
 */
public final class Prometheus implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ProbedServer server;

    private Prometheus(ProbedServer server) {
        this.server = server;
    }

    /** Starts {@code name} with {@code configYaml} (prometheus.yml) and waits until {@code /-/ready} answers 200. */
    public static Prometheus start(String name, String namespace, String configYaml, Duration readyTimeout) {
        Path dir = ProbedServer.prepare(namespace, name, "prometheus.yml", configYaml);
        Path config = dir.resolve("prometheus.yml");
        return new Prometheus(ProbedServer.start(name, ProbedServer.logOf(namespace, name), port -> List.of(PrometheusBinaries.prometheus().toString(),
                        "--config.file=" + config,
                        "--storage.tsdb.path=" + dir.resolve("data"),
                        "--web.listen-address=127.0.0.1:" + port,
                        "--log.level=info"), readyTimeout));
    }

    public String url() {
        return server.url();
    }

    public Path log() {
        return server.log();
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
        String body = server.send(HttpRequest.newBuilder(URI.create(url() + pathAndQuery))
                .timeout(Duration.ofSeconds(20)).build()).body();
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON from " + server + ": " + body, e);
        }
    }

    public String logTail(int lines) {
        return server.logTail(lines);
    }

    @Override
    public void close() {
        server.close();
    }

    @Override
    public String toString() {
        return server.toString();
    }
}
