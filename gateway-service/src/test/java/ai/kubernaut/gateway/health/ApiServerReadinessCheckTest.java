package ai.kubernaut.gateway.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.gateway.testing.MutableClock;
import ai.kubernaut.testserver.EmbeddedApiServer;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

class ApiServerReadinessCheckTest {

    private static HealthConfig config(Duration timeout, Duration ttl) {
        return new HealthConfig() {
            @Override
            public Duration apiServerTimeout() {
                return timeout;
            }

            @Override
            public Duration apiServerCacheTtl() {
                return ttl;
            }
        };
    }

    private static KubernetesClient clientFor(String url) {
        Config c = new ConfigBuilder(Config.empty()).withMasterUrl(url).withRequestRetryBackoffLimit(5).build();
        return new KubernetesClientBuilder().withConfig(c).build();
    }

    @Test
    void upWhileTheApiServerAnswers() {
        EmbeddedApiServer server = EmbeddedApiServer.builder().start();
        try (KubernetesClient client = server.adminClient()) {
            ApiServerReadinessCheck check = new ApiServerReadinessCheck(client, config(Duration.ofSeconds(2),
                    Duration.ofSeconds(5)));
            HealthCheckResponse r = check.call();
            assertEquals(HealthCheckResponse.Status.UP, r.getStatus(), r.getData().toString());
            assertEquals("kubernetes-api-server", r.getName());
            check.close();
        } finally {
            server.close();
        }
    }

    @Test
    void downQuicklyWhenNothingListens() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort();
        }
        try (KubernetesClient client = clientFor("http://127.0.0.1:" + port)) {
            ApiServerReadinessCheck check = new ApiServerReadinessCheck(client, config(Duration.ofSeconds(2),
                    Duration.ofSeconds(5)));
            long start = System.nanoTime();
            HealthCheckResponse r = check.call();
            assertEquals(HealthCheckResponse.Status.DOWN, r.getStatus());
            assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 3000,
                    "no retries with backoff on a probe");
            check.close();
        }
    }

    @Test
    void downWithinTheTimeoutWhenTheServerHangs() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        Socket s = silent.accept(); // accept and never answer
                        s.setSoTimeout(0);
                    }
                } catch (IOException closed) {
                    // test over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            try (KubernetesClient client = clientFor("http://127.0.0.1:" + silent.getLocalPort())) {
                ApiServerReadinessCheck check = new ApiServerReadinessCheck(client, config(Duration.ofMillis(500),
                        Duration.ofSeconds(5)));
                long start = System.nanoTime();
                HealthCheckResponse r = check.call();
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertEquals(HealthCheckResponse.Status.DOWN, r.getStatus());
                assertTrue(ms < 2000, "bounded by the probe timeout, took " + ms + " ms");
                check.close();
            }
        }
    }

    @Test
    void probeResultsAreReusedForTheTtlAndOnlyOneCheckRunsAtATime() {
        AtomicInteger calls = new AtomicInteger();
        MutableClock clock = new MutableClock(Instant.parse("2024-05-01T00:00:00Z"));
        try (ApiServerProbe probe = new ApiServerProbe(() -> "v" + calls.incrementAndGet(), Duration.ofSeconds(1),
                Duration.ofSeconds(5), clock)) {
            assertTrue(probe.result().up());
            assertEquals("v1", probe.result().detail());
            clock.advance(Duration.ofSeconds(6));
            assertEquals("v2", probe.result().detail());
            assertEquals(2, calls.get());
        }
        try (ApiServerProbe failing = new ApiServerProbe(() -> {
            throw new IllegalStateException("connection refused");
        }, Duration.ofSeconds(1), Duration.ofSeconds(5), clock)) {
            ApiServerProbe.Result r = failing.result();
            assertTrue(!r.up() && r.detail().contains("connection refused"), r.toString());
        }
    }
}
