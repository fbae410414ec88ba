package ai.kubernaut.e2e.alertmanager;

import ai.kubernaut.e2e.metrics.Metrics;
import ai.kubernaut.e2e.process.ProbedServer;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * One real Alertmanager process on 127.0.0.1, not clustered ({@code --cluster.listen-address=} empty: it
 * notifies on its own, as many users run several), with its own config and storage directory. Its log is
 * {@code target/e2e-logs/<namespace>/<name>.log}. Stopped by {@link #close()}.
 */
public final class Alertmanager implements AutoCloseable {

    private final String name;
    private final ProbedServer server;

    private Alertmanager(String name, ProbedServer server) {
        this.name = name;
        this.server = server;
    }

    /** Starts {@code name} with {@code configYaml} and waits until {@code /-/ready} answers 200. */
    public static Alertmanager start(String name, String namespace, String configYaml, Duration readyTimeout) {
        Path dir = ProbedServer.prepare(namespace, name, "alertmanager.yaml", configYaml);
        Path config = dir.resolve("alertmanager.yaml");
        return new Alertmanager(name, ProbedServer.start(name, ProbedServer.logOf(namespace, name), port -> List.of(AlertmanagerBinaries.alertmanager().toString(),
                        "--config.file=" + config,
                        "--storage.path=" + dir.resolve("data"),
                        "--web.listen-address=127.0.0.1:" + port,
                        "--cluster.listen-address=",
                        "--log.level=debug"), readyTimeout));
    }

    public String name() {
        return name;
    }

    public String url() {
        return server.url();
    }

    public Path log() {
        return server.log();
    }

    public boolean isAlive() {
        return server.isAlive();
    }

    /** {@code POST /api/v2/alerts} with a JSON array of postable alerts; fails unless Alertmanager answers 200. */
    public void postAlerts(String alertsJson) {
        HttpResponse<String> response = server.send(HttpRequest.newBuilder(URI.create(url() + "/api/v2/alerts"))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(alertsJson)).build());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(name + " refused the alerts: " + response.statusCode() + " " + response.body());
        }
    }

    /** Alertmanager's own metrics ({@code /metrics}), parsed. */
    public Metrics metrics() {
        HttpResponse<String> response = server.send(HttpRequest.newBuilder(URI.create(url() + "/metrics"))
                .timeout(Duration.ofSeconds(10)).build());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(name + " /metrics answered " + response.statusCode());
        }
        return Metrics.parse(response.body());
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
