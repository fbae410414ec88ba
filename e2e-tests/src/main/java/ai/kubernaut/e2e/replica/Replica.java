package ai.kubernaut.e2e.replica;

import ai.kubernaut.e2e.cluster.Cluster;
import ai.kubernaut.e2e.cluster.RepoPaths;
import ai.kubernaut.e2e.metrics.Metrics;
import ai.kubernaut.e2e.process.FreePorts;
import ai.kubernaut.e2e.process.JavaCommand;
import ai.kubernaut.e2e.process.ManagedProcess;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * One replica of a service: a real {@code java -jar quarkus-run.jar} process with its own pod name, ports
 * on 127.0.0.1, and the identity its cluster gives it. Its log is {@code target/e2e-logs/<namespace>/<pod>.log}.
 */
public final class Replica implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private static final int START_ATTEMPTS = 3;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final Duration DEFAULT_SHUTDOWN_DELAY = Duration.ofSeconds(3);

    private final ServiceKind kind;
    private final String podName;
    private final String namespace;
    private final Map<String, String> env;
    private final Path log;
    private volatile ManagedProcess process;
    private volatile int httpPort;
    private volatile int managementPort;
    private volatile long launchedAtNanos;
    private volatile Duration readyAfter;

    private Replica(ServiceKind kind, String podName, String namespace, Map<String, String> env) {
        this.kind = kind;
        this.podName = podName;
        this.namespace = namespace;
        this.env = env;
        this.log = RepoPaths.logs().resolve(namespace).resolve(podName + ".log");
    }

    /**
     * Starts the process and returns at once; call {@link #awaitReady(Duration)} before sending it work.
     *
     * @param extraEnv service settings for this replica, e.g. {@code GATEWAY_LOCK_LEASE_DURATION=5s}
     */
    public static Replica launch(ServiceKind kind, String podName, String namespace, Cluster cluster,
                                 Map<String, String> extraEnv) {
        if (!kind.isBuilt()) {
            throw new IllegalStateException(kind.jar() + " does not exist: build it first with "
                    + "./mvnw -B -pl " + kind.serviceName() + " package -DskipTests");
        }
        Map<String, String> env = new LinkedHashMap<>();
        env.put("POD_NAME", podName);
        env.put("POD_NAMESPACE", namespace);
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.put("QUARKUS_MANAGEMENT_HOST", "127.0.0.1");
        env.put("QUARKUS_BANNER_ENABLED", "false");
        env.put("QUARKUS_CONSOLE_COLOR", "false");
        if (kind == ServiceKind.GATEWAY) {
            env.put("GATEWAY_AUTH_MODE", "none");
            // many JVMs share two cores here: an owner lookup slower than the 2 s default would fall back to the
            // Pod's own fingerprint (documented behaviour) and split one target's signals across two RRs
            env.put("GATEWAY_RESOLUTION_TIMEOUT", "10s");
        }
        // no serving on after SIGTERM unless a scenario asks for it (RollingUpdateIT: shutdownDelay()); a teardown
        // would only wait for it
        env.put("QUARKUS_SHUTDOWN_DELAY", "0s");
        env.putAll(cluster.serviceEnvironment(kind.serviceName(), namespace, podName));
        env.putAll(extraEnv);
        Replica replica = new Replica(kind, podName, namespace, env);
        replica.spawn();
        return replica;
    }

    private void spawn() {
        httpPort = FreePorts.next();
        managementPort = FreePorts.next();
        Map<String, String> all = new LinkedHashMap<>(env);
        all.put("QUARKUS_HTTP_PORT", Integer.toString(httpPort));
        all.put("QUARKUS_MANAGEMENT_PORT", Integer.toString(managementPort));
        launchedAtNanos = System.nanoTime();
        readyAfter = null;
        process = ManagedProcess.start(podName, JavaCommand.jar(kind.jar(), JavaCommand.SMALL_MACHINE_FLAGS), all, log);
    }

    /**
     * Waits until {@code /q/health/ready} answers 200. A replica that died because another process took
     * one of its ports meanwhile is restarted on new ports (at most {@value #START_ATTEMPTS} times).
     */
    public Replica awaitReady(Duration timeout) {
        for (int attempt = 1; ; attempt++) {
            try {
                Awaitility.await(podName + " ready").atMost(timeout).pollInterval(Duration.ofMillis(200))
                        .failFast(podName + " exited", () -> !process.isAlive())
                        .until(this::isReady);
                return this;
            } catch (ConditionTimeoutException | org.awaitility.core.TerminalFailureException e) {
                String tail = process.logTail(60);
                // Vert.x says "Address already in use"; Quarkus says "Port N seems to be in use by another process"
                boolean portTaken = tail.contains("already in use") || tail.contains("Port already bound")
                        || tail.contains("seems to be in use");
                if (!process.isAlive() && portTaken && attempt < START_ATTEMPTS) {
                    process.close();
                    spawn();
                    continue;
                }
                throw new IllegalStateException(podName + " did not become ready (" + e.getMessage() + "); log "
                        + log + ":\n" + tail, e);
            }
        }
    }

    /**
     * The shutdown delay a scenario that terminates replicas under traffic gives them ({@code QUARKUS_SHUTDOWN_DELAY};
     * the services enable it with {@code quarkus.shutdown.delay-enabled}): {@code -De2e.shutdownDelay}, default 3 s.
     * The production default is 5 s; 3 s is still longer than the 2 s the rollout test's sender keeps using a
     * terminating replica. Other replicas get none (0 s): they are only stopped in teardown.
     */
    public static Duration shutdownDelay() {
        return Durations.property("e2e.shutdownDelay", DEFAULT_SHUTDOWN_DELAY);
    }

    /** {@code GET /q/health/ready} answers 200. The first time it does, {@link #readyAfter} is taken. */
    public boolean isReady() {
        boolean ready = status(managementUrl() + "/q/health/ready") == 200;
        if (ready && readyAfter == null) {
            readyAfter = Duration.ofNanos(System.nanoTime() - launchedAtNanos);
        }
        return ready;
    }

    /** From the process's launch to the first {@link #isReady()} that answered 200 (as exact as the polling). */
    public Optional<Duration> readyAfter() {
        return Optional.ofNullable(readyAfter);
    }

    /**
     * What {@code GET /q/health/ready} answers now: its status code (-1 without an answer) and body, and the
     * {@code waitingFor} entries of its checks' data (what a not-ready replica waits for, e.g.
     * {@code RemediationRequest: HTTP 404 (type not served) ...}).
     */
    public Readiness readiness() {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(managementUrl() + "/q/health/ready"))
                    .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
            return new Readiness(response.statusCode(), response.body());
        } catch (IOException e) {
            return new Readiness(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Readiness(-1, "interrupted");
        }
    }

    /** One answer of {@code /q/health/ready}. */
    public record Readiness(int code, String body) {

        private static final ObjectMapper JSON = new ObjectMapper();

        public boolean ready() {
            return code == 200;
        }

        /** The management endpoint answered (the process is up and serving its probes). */
        public boolean answered() {
            return code > 0;
        }

        /** Every {@code checks[].data.waitingFor} of the body, in order; empty when none or not JSON. */
        public List<String> waitingFor() {
            List<String> waiting = new ArrayList<>();
            try {
                for (JsonNode check : JSON.readTree(body).path("checks")) {
                    JsonNode w = check.path("data").path("waitingFor");
                    if (w.isTextual()) {
                        waiting.add(w.asText());
                    }
                }
            } catch (IOException | RuntimeException e) {
                // not a health answer (no answer at all, or an error page): nothing to report
            }
            return waiting;
        }
    }

    /** {@code GET /q/health/live} answers 200. */
    public boolean isLive() {
        return status(managementUrl() + "/q/health/live") == 200;
    }

    private static int status(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /**
     * The {@code data} of every check of {@code /q/health/ready}, merged (ready or not: a 503 carries them too);
     * empty when the replica does not answer.
     */
    public Map<String, String> readinessData() {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(managementUrl() + "/q/health/ready"))
                    .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
            Map<String, String> data = new LinkedHashMap<>();
            for (JsonNode check : JSON.readTree(response.body()).path("checks")) {
                check.path("data").fields().forEachRemaining(e -> data.put(e.getKey(), e.getValue().asText()));
            }
            return data;
        } catch (IOException e) {
            return Map.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Map.of();
        }
    }

    /** The replica's metrics ({@code /q/metrics}), parsed. */
    public Metrics metrics() {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(managementUrl() + "/q/metrics"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(podName + " /q/metrics answered " + response.statusCode());
            }
            return Metrics.parse(response.body());
        } catch (IOException e) {
            throw new IllegalStateException(podName + " /q/metrics unreachable", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public ServiceKind kind() {
        return kind;
    }

    public String podName() {
        return podName;
    }

    public String namespace() {
        return namespace;
    }

    /** The application port's base URL, e.g. {@code http://127.0.0.1:40123}. */
    public String url() {
        return "http://127.0.0.1:" + httpPort;
    }

    public String managementUrl() {
        return "http://127.0.0.1:" + managementPort;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The exit code once the process has ended; empty while it runs. */
    public Optional<Integer> exitCode() {
        return process.exitCode();
    }

    public Path log() {
        return log;
    }

    public String logTail(int lines) {
        return process.logTail(lines);
    }

    /**
     * The heap in use right after a full GC ({@code jcmd <pid> GC.run}, then the replica's
     * {@code jvm_memory_used_bytes{area="heap"}}), in MiB: what its live objects take, caches included; empty when
     * jcmd or the metric is not available.
     */
    public Optional<Long> liveHeapMib() {
        try {
            Process gc = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(pid()), "GC.run").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!gc.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) || gc.exitValue() != 0) {
                gc.destroyForcibly();
                return Optional.empty();
            }
            double bytes = metrics().sum("jvm_memory_used_bytes", Map.of("area", "heap"));
            return bytes > 0 ? Optional.of(Math.round(bytes / (1 << 20))) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    public Optional<Long> peakRssKib() {
        return process.peakRssKib();
    }

    public Optional<Long> rssKib() {
        return process.rssKib();
    }

    /** SIGTERM, without waiting (see {@link ManagedProcess#terminate()}). */
    public void terminate() {
        process.terminate();
    }

    /** SIGKILL, without waiting. */
    public void killForcibly() {
        process.killForcibly();
    }

    /** Waits up to {@code timeout} for the process to end; true when it has. */
    public boolean awaitExit(Duration timeout) {
        return process.awaitExit(timeout);
    }

    /** {@link System#nanoTime()} when the process ended. */
    public CompletableFuture<Long> exitNanos() {
        return process.exitNanos();
    }

    public void kill9() {
        process.kill9();
    }

    public void pause() {
        process.pause();
    }

    public void resume() {
        process.resume();
    }

    @Override
    public void close() {
        process.close();
    }

    @Override
    public String toString() {
        return podName + "[pid " + pid() + ", " + url() + "]";
    }
}
