package ai.kubernaut.gateway.health;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Runs a reachability check at most once per {@code ttl}, waits for it at most {@code timeout}, and never runs
 * two at once (a hung check keeps reporting "down" until it returns).
 */
public final class ApiServerProbe implements AutoCloseable {

    /** The outcome of one check. */
    public record Result(boolean up, String detail, Instant at) {
    }

    private final Supplier<String> check;
    private final Duration timeout;
    private final Duration ttl;
    private final Clock clock;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "gateway-api-server-probe");
        t.setDaemon(true);
        return t;
    });
    private Result last;
    private CompletableFuture<Result> running;

    /**
     * @param check returns a description of the server when it answered; throws when it is unreachable
     */
    public ApiServerProbe(Supplier<String> check, Duration timeout, Duration ttl, Clock clock) {
        this.check = check;
        this.timeout = timeout;
        this.ttl = ttl;
        this.clock = clock;
    }

    public synchronized Result result() {
        Instant now = clock.instant();
        if (last != null && now.isBefore(last.at().plus(ttl))) {
            return last;
        }
        if (running == null || running.isDone()) {
            running = CompletableFuture.supplyAsync(this::checkOnce, executor);
        }
        try {
            last = running.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            last = new Result(false, "no answer within " + timeout.toMillis() + " ms", clock.instant());
        } catch (ExecutionException e) {
            last = new Result(false, String.valueOf(e.getCause()), clock.instant());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            last = new Result(false, "interrupted", clock.instant());
        }
        return last;
    }

    private Result checkOnce() {
        try {
            return new Result(true, check.get(), clock.instant());
        } catch (RuntimeException e) {
            return new Result(false, e.getClass().getSimpleName() + ": " + e.getMessage(), clock.instant());
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
