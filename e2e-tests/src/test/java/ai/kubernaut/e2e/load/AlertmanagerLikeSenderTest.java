package ai.kubernaut.e2e.load;

import ai.kubernaut.e2e.load.AlertmanagerLikeSender.Attempt;
import ai.kubernaut.e2e.load.AlertmanagerLikeSender.Delivery;
import ai.kubernaut.e2e.load.AlertmanagerLikeSender.Failure;
import ai.kubernaut.e2e.load.AlertmanagerLikeSender.Status;
import ai.kubernaut.e2e.process.FreePorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Alertmanager-like sender against scripted endpoints: what it retries, what it records, when it gives up. */
class AlertmanagerLikeSenderTest {

    private static final Alert ALERT = Alert.aboutDeployment("KubePodCrashLooping", "shop", "checkout");
    private static final AlertmanagerLikeSender.Settings FAST = new AlertmanagerLikeSender.Settings(Duration.ofSeconds(5),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(20), 1.5, Duration.ofMillis(100));

    private final List<Stub> stubs = new java.util.ArrayList<>();

    @AfterEach
    void stopStubs() throws IOException {
        for (Stub s : stubs) {
            s.close();
        }
    }

    @Test
    void aRefusedConnectionIsRetriedAtTheNextEndpoint() {
        Stub ok = stub("ok", "201");
        ServiceEndpoints endpoints = new ServiceEndpoints(List.of());
        endpoints.add(new ServiceEndpoints.Endpoint("gone", "127.0.0.1", FreePorts.next()));
        endpoints.add(ok.endpoint());
        Delivery d = new AlertmanagerLikeSender(endpoints, FAST).deliver(ALERT);
        assertEquals(Status.DELIVERED, d.status());
        assertEquals(List.of(Failure.REFUSED, Failure.NONE), d.attempts().stream().map(Attempt::failure).toList());
        assertEquals(List.of("gone", "ok"), d.attempts().stream().map(Attempt::endpoint).toList());
        assertEquals(201, d.last().code());
        assertTrue(d.last().body().contains("\"rr\""), d.last().body());
    }

    @Test
    void aCutAfterTheRequestWasSentIsRecordedAndRetried() {
        Stub s = stub("s", "cut", "202");
        AlertmanagerLikeSender sender = new AlertmanagerLikeSender(new ServiceEndpoints(List.of()), FAST);
        sender.endpoints().add(s.endpoint());
        Delivery d = sender.deliver(ALERT);
        assertEquals(Status.DELIVERED, d.status());
        Attempt cut = d.attempts().get(0);
        assertEquals(Failure.CUT, cut.failure());
        assertTrue(cut.requestSent(), "the whole request was written before the cut");
        assertEquals(202, d.last().code());
        assertEquals(2, sender.attempts().size());
    }

    @Test
    void fiveHundredsAndTooManyRequestsAreRetriedAndRetryAfterIsHonoured() {
        Stub s = stub("s", "503 retry-after=1", "429", "201 chunked");
        ServiceEndpoints endpoints = new ServiceEndpoints(List.of());
        endpoints.add(s.endpoint());
        Delivery d = new AlertmanagerLikeSender(endpoints, FAST).deliver(ALERT);
        assertEquals(Status.DELIVERED, d.status());
        assertEquals(List.of(503, 429, 201), d.attempts().stream().map(Attempt::code).toList());
        long gap = d.attempts().get(1).startNanos() - d.attempts().get(0).endNanos();
        assertTrue(gap >= Duration.ofMillis(990).toNanos(), "waited for Retry-After: 1 (" + gap / 1_000_000 + " ms)");
        assertTrue(d.last().body().contains("\"rr\""), "chunked body read: " + d.last().body());
    }

    @Test
    void anAnswerThatIsNotRetryableEndsTheDelivery() {
        Stub s = stub("s", "400");
        ServiceEndpoints endpoints = new ServiceEndpoints(List.of());
        endpoints.add(s.endpoint());
        Delivery d = new AlertmanagerLikeSender(endpoints, FAST).deliver(ALERT);
        assertEquals(Status.REJECTED, d.status());
        assertEquals(1, d.tries());
    }

    @Test
    void noAnswerIsRetriedAndTheAlertIsLostAfterTheDeadline() {
        Stub s = stub("s", "silent", "500");
        ServiceEndpoints endpoints = new ServiceEndpoints(List.of());
        endpoints.add(s.endpoint());
        AlertmanagerLikeSender.Settings oneSecond = new AlertmanagerLikeSender.Settings(Duration.ofSeconds(1),
                Duration.ofMillis(300), Duration.ofSeconds(1), Duration.ofMillis(20), 1.5, Duration.ofMillis(100));
        Delivery d = new AlertmanagerLikeSender(endpoints, oneSecond).deliver(ALERT);
        assertEquals(Status.LOST, d.status());
        assertEquals(Failure.NO_ANSWER, d.attempts().get(0).failure());
        assertTrue(d.attempts().get(0).requestSent());
        assertTrue(d.tries() > 2, d.toString());
        long took = d.endNanos() - d.startNanos();
        assertTrue(took >= Duration.ofSeconds(1).toNanos() && took < Duration.ofSeconds(3).toNanos(), took / 1_000_000 + " ms");
    }

    @Test
    void withoutEndpointsNothingIsSentAndTheAlertIsLost() {
        AlertmanagerLikeSender.Settings short_ = new AlertmanagerLikeSender.Settings(Duration.ofMillis(300),
                Duration.ofMillis(100), Duration.ofMillis(100), Duration.ofMillis(20), 1.5, Duration.ofMillis(50));
        Delivery d = new AlertmanagerLikeSender(new ServiceEndpoints(List.of()), short_).deliver(ALERT);
        assertEquals(Status.LOST, d.status());
        assertTrue(d.attempts().stream().allMatch(a -> a.failure() == Failure.NO_ENDPOINT));
    }

    @Test
    void retryAfterAsSecondsOrAnHttpDate() {
        assertEquals(Duration.ofSeconds(2).toNanos(), AlertmanagerLikeSender.retryAfter("2").orElseThrow());
        assertTrue(AlertmanagerLikeSender.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT").orElseThrow() == 0);
        assertTrue(AlertmanagerLikeSender.retryAfter(null).isEmpty());
        assertTrue(AlertmanagerLikeSender.retryAfter("soon").isEmpty());
    }

    private Stub stub(String name, String... script) {
        Stub s = new Stub(name, script);
        stubs.add(s);
        return s;
    }

    /**
     * A one-thread HTTP endpoint that reads each request, then follows its script, one step per connection (the last
     * step repeats): {@code <code>} answers with a JSON body ({@code chunked}: in chunks; {@code retry-after=N}: with
     * that header), {@code cut} closes without answering, {@code silent} never answers.
     */
    private static final class Stub implements AutoCloseable {
        private final String name;
        private final ServerSocket server;
        private final ConcurrentLinkedQueue<String> script;
        private final String last;
        private final List<Socket> held = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final CountDownLatch stopped = new CountDownLatch(1);

        Stub(String name, String... steps) {
            this.name = name;
            this.script = new ConcurrentLinkedQueue<>(List.of(steps));
            this.last = steps[steps.length - 1];
            try {
                server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            Thread t = new Thread(this::serve, "stub-" + name);
            t.setDaemon(true);
            t.start();
        }

        ServiceEndpoints.Endpoint endpoint() {
            return new ServiceEndpoints.Endpoint(name, "127.0.0.1", server.getLocalPort());
        }

        private void serve() {
            try {
                while (!server.isClosed()) {
                    Socket socket = server.accept();
                    String step = script.size() > 1 ? script.poll() : script.isEmpty() ? last : script.peek();
                    handle(socket, step);
                }
            } catch (IOException e) {
                // closed
            } finally {
                stopped.countDown();
            }
        }

        private void handle(Socket socket, String step) throws IOException {
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            int length = 0;
            for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                if (line.toLowerCase().startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(15).trim());
                }
            }
            char[] body = new char[length];
            int read = 0;
            while (read < length) {
                int n = in.read(body, read, length - read);
                if (n < 0) {
                    break;
                }
                read += n;
            }
            if (step.equals("silent")) {
                held.add(socket);
                return;
            }
            if (step.equals("cut")) {
                socket.setSoLinger(true, 0); // a reset, as a process that exits with the connection open
                socket.close();
                return;
            }
            String[] parts = step.split(" ");
            String json = "{\"rr\":\"rr-1\",\"occurrenceCount\":1}";
            StringBuilder answer = new StringBuilder("HTTP/1.1 " + parts[0] + " X\r\nContent-Type: application/json\r\n");
            boolean chunked = step.contains("chunked");
            for (String p : parts) {
                if (p.startsWith("retry-after=")) {
                    answer.append("Retry-After: ").append(p.substring(12)).append("\r\n");
                }
            }
            if (chunked) {
                answer.append("Transfer-Encoding: chunked\r\n\r\n");
                answer.append(Integer.toHexString(5)).append("\r\n").append(json, 0, 5).append("\r\n");
                answer.append(Integer.toHexString(json.length() - 5)).append("\r\n").append(json.substring(5)).append("\r\n");
                answer.append("0\r\n\r\n");
            } else {
                answer.append("Content-Length: ").append(json.length()).append("\r\n\r\n").append(json);
            }
            OutputStream out = socket.getOutputStream();
            out.write(answer.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            socket.close();
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : held) {
                s.close();
            }
            try {
                stopped.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
