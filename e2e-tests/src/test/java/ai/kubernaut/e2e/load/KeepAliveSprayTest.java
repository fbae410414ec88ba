package ai.kubernaut.e2e.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class KeepAliveSprayTest {

    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    /** Answers every 5th request with {@code Connection: close}; records the Authorization headers it saw. */
    private URI serve(Set<String> tokens, AtomicInteger requests) throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/signals", exchange -> {
            exchange.getRequestBody().readAllBytes();
            tokens.add(exchange.getRequestHeaders().getFirst("Authorization"));
            if (requests.incrementAndGet() % 5 == 0) {
                exchange.getResponseHeaders().add("Connection", "close");
            }
            byte[] answer = "{\"status\":401}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(401, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/signals");
    }

    @Test
    void sendsEveryRequestWithItsOwnHeadersAndReconnectsWhenTheServerCloses() throws Exception {
        Set<String> tokens = ConcurrentHashMap.newKeySet();
        AtomicInteger requests = new AtomicInteger();
        URI url = serve(tokens, requests);
        KeepAliveSpray spray = KeepAliveSpray.start(url, "{}".getBytes(StandardCharsets.UTF_8), 200,
                Duration.ofSeconds(1), 2, i -> Map.of("Authorization", "Bearer t-" + i));
        assertTrue(spray.await(Duration.ofSeconds(30)));
        spray.close();

        assertEquals(Map.of(401, 200), spray.byStatus(), "200 requests at 200/s for 1 s, every one answered");
        assertEquals(200, requests.get());
        assertEquals(200, tokens.size(), "a token of its own per request");
        assertTrue(spray.connectionsOpened() >= 200 / 5, "a new connection after each close: "
                + spray.connectionsOpened());
    }

    @Test
    void countsTheServerErrorsThatDoNotSayWhenToComeBack() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/signals", exchange -> {
            exchange.getRequestBody().readAllBytes();
            if (requests.incrementAndGet() % 2 == 0) { // every second 503 says when to come back
                exchange.getResponseHeaders().add("Retry-After", "5");
            }
            byte[] answer = "{\"status\":503}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(503, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.start();
        URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/signals");
        KeepAliveSpray spray = KeepAliveSpray.start(url, new byte[0], 100, Duration.ofMillis(200), 1, i -> Map.of());
        assertTrue(spray.await(Duration.ofSeconds(30)));
        spray.close();

        assertTrue(requests.get() > 1, "requests sent: " + requests.get());
        assertEquals(Map.of(503, requests.get()), spray.byStatus());
        assertEquals((requests.get() + 1) / 2, spray.serverErrorsWithoutRetryAfter(), "the odd ones had no Retry-After");
    }

    @Test
    void aServerThatIsNotThereIsCountedAsNoAnswer() throws Exception {
        int port;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = closed.getLocalPort();
        }
        KeepAliveSpray spray = KeepAliveSpray.start(URI.create("http://127.0.0.1:" + port + "/x"), new byte[0], 50,
                Duration.ofMillis(200), 1, i -> Map.of());
        assertTrue(spray.await(Duration.ofSeconds(30)));
        spray.close();
        assertEquals(Set.of(-1), spray.byStatus().keySet());
    }
}
