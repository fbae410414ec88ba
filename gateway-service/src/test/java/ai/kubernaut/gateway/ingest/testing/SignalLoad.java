package ai.kubernaut.gateway.ingest.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;

/**
 * Load for the scenario tests: paced senders over the JDK HTTP client (HTTP/1.1, 127.0.0.1), recording every
 * answer's status, latency and when it was sent. Pacing waits for the next send slot (that is the load's shape, not
 * synchronization); a sender that cannot keep up sends late and the rate reached is reported, not assumed.
 */
public final class SignalLoad implements AutoCloseable {

    /** One answer: status (-1 for no answer), latency, send time ({@link System#nanoTime()}). */
    public record Answer(int status, long nanos, long sentAt) {
    }

    /** What a request carries. */
    public record Request(String path, String token, String body) {
    }

    private final URI base;
    private final HttpClient http;
    private final ExecutorService threads;
    private final AtomicBoolean stopped = new AtomicBoolean();

    public SignalLoad(URI base, int threads) {
        this.base = base;
        this.threads = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "signal-load");
            t.setDaemon(true);
            return t;
        });
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
                .executor(Executors.newCachedThreadPool(r -> {
                    Thread t = new Thread(r, "signal-load-http");
                    t.setDaemon(true);
                    return t;
                })).build();
    }

    /** Sends one request and waits for its answer. */
    public Answer send(Request r) {
        long start = System.nanoTime();
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(r.path())).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(r.body()));
            if (r.token() != null) {
                b.header("Authorization", "Bearer " + r.token());
            }
            HttpResponse<String> response = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), System.nanoTime() - start, start);
        } catch (java.io.IOException e) {
            return new Answer(-1, System.nanoTime() - start, start);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(-1, System.nanoTime() - start, start);
        }
    }

    /**
     * Starts {@code senders} loops that together send {@code perSecond} requests a second for {@code duration}
     * (request {@code i} from {@code next.apply(i)}); answers go to the returned list as they come.
     */
    public Run start(int senders, double perSecond, Duration duration, IntFunction<Request> next) {
        Run run = new Run(System.nanoTime(), duration);
        long interval = (long) (1e9 / perSecond);
        AtomicInteger seq = new AtomicInteger();
        for (int s = 0; s < senders; s++) {
            run.senders.incrementAndGet();
            threads.execute(() -> {
                try {
                    while (!stopped.get() && !run.stopRequested) {
                        int i = seq.getAndIncrement();
                        long slot = run.start + i * interval;
                        if (slot - run.start >= duration.toNanos()) {
                            return;
                        }
                        long wait = slot - System.nanoTime();
                        if (wait > 0) {
                            LockSupport.parkNanos(wait);
                        }
                        run.answers.add(send(next.apply(i)));
                    }
                } finally {
                    run.ended = System.nanoTime();
                    run.senders.decrementAndGet();
                }
            });
        }
        return run;
    }

    /** The answers of one {@link #start}. */
    public static final class Run {
        final long start;
        final Duration duration;
        volatile long ended;
        volatile boolean stopRequested;
        final AtomicInteger senders = new AtomicInteger();
        public final List<Answer> answers = new CopyOnWriteArrayList<>();

        Run(long start, Duration duration) {
            this.start = start;
            this.duration = duration;
        }

        /** Ends the run before its duration: its senders send nothing more (answers in flight still count). */
        public void stop() {
            stopRequested = true;
        }

        public boolean done() {
            return senders.get() == 0;
        }

        public long startNanos() {
            return start;
        }

        /** Requests answered per second over the run's wall time (its senders' last answer included). */
        public double rate() {
            long wall = Math.max(duration.toNanos(), ended - start);
            return answers.size() / (wall / 1e9);
        }

        public Map<Integer, Integer> byStatus() {
            Map<Integer, Integer> m = new TreeMap<>();
            answers.forEach(a -> m.merge(a.status(), 1, Integer::sum));
            return m;
        }
    }

    /** The q-quantile (0..1) of the latencies in milliseconds; NaN when there are none. */
    public static double percentileMs(List<Answer> answers, double q) {
        if (answers.isEmpty()) {
            return Double.NaN;
        }
        List<Long> sorted = new ArrayList<>(answers.stream().map(Answer::nanos).toList());
        Collections.sort(sorted);
        int index = (int) Math.ceil(q * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index))) / 1e6;
    }

    public static Map<Integer, Integer> byStatus(List<Answer> answers) {
        Map<Integer, Integer> m = new ConcurrentHashMap<>();
        answers.forEach(a -> m.merge(a.status(), 1, Integer::sum));
        return new TreeMap<>(m);
    }

    @Override
    public void close() {
        stopped.set(true);
        threads.shutdownNow();
        try {
            threads.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        http.executor().ifPresent(e -> ((ExecutorService) e).shutdownNow());
    }
}
