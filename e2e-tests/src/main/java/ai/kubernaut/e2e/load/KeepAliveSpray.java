package ai.kubernaut.e2e.load;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;

/**
 * A steady stream of POSTs at a fixed rate over a few keep-alive connections, each request with headers of its own
 * (a token spray: a new bearer token per request). Raw sockets, one thread per connection: a JDK HttpClient request
 * costs the client about as much CPU as a cheap answer costs the server, and on a 2-core machine that would
 * measure the client. A connection the server closes is opened again; answers are counted by status (-1: none).
 */
public final class KeepAliveSpray implements AutoCloseable {

    private static final int ANSWER_TIMEOUT_MILLIS = 30_000;

    private final Map<Integer, AtomicInteger> byStatus = new ConcurrentHashMap<>();
    private final AtomicInteger answered = new AtomicInteger();
    /** 5xx answers without a Retry-After header (every 5xx must say when to come back). */
    private final AtomicInteger serverErrorsWithoutRetryAfter = new AtomicInteger();
    private final AtomicInteger reconnects = new AtomicInteger();
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicLong endedAt = new AtomicLong();
    private final CountDownLatch finished;
    private final Thread[] threads;
    private final long startedAt = System.nanoTime();
    private volatile boolean stopped;

    private KeepAliveSpray(int connections) {
        this.finished = new CountDownLatch(connections);
        this.threads = new Thread[connections];
    }

    /**
     * Starts sending to {@code url} ({@code http://host:port/path}): {@code perSecond} requests a second in all, for
     * {@code length}, each with {@code headers.apply(sequenceNumber)} besides Host and Content-Length.
     */
    public static KeepAliveSpray start(URI url, byte[] body, double perSecond, Duration length, int connections,
            IntFunction<Map<String, String>> headers) {
        if (perSecond <= 0 || connections < 1 || length.isNegative() || length.isZero()) {
            throw new IllegalArgumentException("rate, connections and length must be positive");
        }
        KeepAliveSpray spray = new KeepAliveSpray(connections);
        long period = (long) (connections * 1e9 / perSecond); // per connection
        long end = spray.startedAt + length.toNanos();
        for (int c = 0; c < connections; c++) {
            long first = spray.startedAt + c * period / connections;
            Thread t = new Thread(() -> spray.run(url, body, first, period, end, headers), "keep-alive-spray-" + c);
            t.setDaemon(true);
            spray.threads[c] = t;
            t.start();
        }
        return spray;
    }

    /** A keep-alive connection; its input buffer lives as long as it does (answers are read one after the other). */
    private record Connection(Socket socket, InputStream in, OutputStream out) {
    }

    private void run(URI url, byte[] body, long first, long period, long end,
            IntFunction<Map<String, String>> headers) {
        Connection connection = null;
        try {
            for (long due = first; due < end && !stopped; due += period) {
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                if (connection == null) {
                    connection = open(url);
                    if (connection == null) {
                        count(-1);
                        continue;
                    }
                }
                int code;
                try {
                    code = exchange(connection, url, body, headers.apply(next.getAndIncrement()));
                } catch (IOException e) {
                    code = -1;
                }
                count(code);
                if (code < 0 || connection.socket().isClosed()) {
                    close(connection);
                    connection = null;
                }
            }
        } finally {
            close(connection);
            endedAt.accumulateAndGet(System.nanoTime(), Math::max);
            finished.countDown();
        }
    }

    private Connection open(URI url) {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(url.getHost(), url.getPort()), 5_000);
            s.setSoTimeout(ANSWER_TIMEOUT_MILLIS);
            reconnects.incrementAndGet();
            return new Connection(s, new BufferedInputStream(s.getInputStream()),
                    new BufferedOutputStream(s.getOutputStream()));
        } catch (IOException e) {
            close(new Connection(s, null, null));
            return null;
        }
    }

    /** @return the answer's status; the connection is closed when the server said {@code Connection: close} */
    private int exchange(Connection connection, URI url, byte[] body, Map<String, String> headers)
            throws IOException {
        StringBuilder head = new StringBuilder(256);
        head.append("POST ").append(url.getRawPath()).append(" HTTP/1.1\r\n")
                .append("Host: ").append(url.getHost()).append(':').append(url.getPort()).append("\r\n")
                .append("Content-Type: application/json\r\n")
                .append("Content-Length: ").append(body.length).append("\r\n");
        headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        head.append("\r\n");
        connection.out().write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        connection.out().write(body);
        connection.out().flush();
        OneShotHttp.Result answer = OneShotHttp.read(connection.in());
        if ("close".equalsIgnoreCase(answer.headers().get("connection"))) {
            connection.socket().close();
        }
        if (answer.code() >= 500 && answer.headers().get("retry-after") == null) {
            serverErrorsWithoutRetryAfter.incrementAndGet();
        }
        return answer.code();
    }

    private void count(int code) {
        byStatus.computeIfAbsent(code, k -> new AtomicInteger()).incrementAndGet();
        answered.incrementAndGet();
    }

    private static void close(Connection c) {
        if (c != null) {
            try {
                c.socket().close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    /** Waits until every connection has sent its last request and had its answer. */
    public boolean await(Duration timeout) throws InterruptedException {
        return finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Answers by status so far ({@code -1}: no answer: refused, cut or timed out). */
    public Map<Integer, Integer> byStatus() {
        Map<Integer, Integer> copy = new TreeMap<>();
        byStatus.forEach((k, v) -> copy.put(k, v.get()));
        return copy;
    }

    /** Answers 5xx that carried no {@code Retry-After}. */
    public int serverErrorsWithoutRetryAfter() {
        return serverErrorsWithoutRetryAfter.get();
    }

    /** Requests answered (or failed) per second, over the time from start to the last answer. */
    public double rate() {
        long end = finished.getCount() == 0 ? endedAt.get() : System.nanoTime();
        return answered.get() / ((end - startedAt) / 1e9);
    }

    /** Connections opened (the initial ones included): many more than the threads means the server closes them. */
    public int connectionsOpened() {
        return reconnects.get();
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        for (Thread t : threads) {
            if (t != null) {
                t.interrupt();
            }
        }
        finished.await(ANSWER_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    }
}
