package ai.kubernaut.e2e.load;

import ai.kubernaut.e2e.replica.Replica;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** Sends signals to Gateway replicas over HTTP/1.1, the way Alertmanager does, and times the answers. */
public final class SignalSender implements AutoCloseable {

    private final ExecutorService httpThreads = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "signal-sender-http");
        t.setDaemon(true);
        return t;
    });
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .executor(httpThreads)
            .build();
    private final Duration timeout;

    public SignalSender(Duration timeout) {
        this.timeout = timeout;
    }

    public SignalSender() {
        this(Duration.ofSeconds(30));
    }

    public Outcome sendAlert(Replica gateway, Alert alert) {
        return post(gateway, Payloads.PROMETHEUS_PATH, Payloads.alertmanagerWebhook(alert), Map.of());
    }

    /** POSTs {@code body} as JSON to {@code path} of {@code gateway}. */
    public Outcome post(Replica gateway, String path, String body, Map<String, String> headers) {
        return send(gateway, "POST", path, "application/json", body, headers);
    }

    /** Any request, with any method and content type (for the bad-input scenario). */
    public Outcome send(Replica gateway, String method, String path, String contentType, String body,
                        Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway.url() + path)).timeout(timeout);
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        headers.forEach(request::header);
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        long start = System.nanoTime();
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Outcome(response.statusCode(), System.nanoTime() - start, gateway.podName(), response.body(), start,
                    response.headers().firstValue("Retry-After").orElse(null));
        } catch (IOException e) {
            return new Outcome(-1, System.nanoTime() - start, gateway.podName(), e.toString(), start);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(-1, System.nanoTime() - start, gateway.podName(), "interrupted", start);
        }
    }

    @Override
    public void close() {
        httpThreads.shutdownNow();
    }
}
