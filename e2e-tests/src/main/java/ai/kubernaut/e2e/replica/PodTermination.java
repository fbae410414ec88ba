package ai.kubernaut.e2e.replica;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The kubelet's side of deleting a pod (shared/reference/embedded-cluster.md, "The pod termination contract"): run
 * the preStop hook (the services ship none), send SIGTERM, and SIGKILL once {@code terminationGracePeriodSeconds}
 * (counted from the start of preStop) has run out. In parallel the pod leaves its Services' endpoints, which reaches
 * the clients only a little later: here {@link Settings#endpointDelay()} after SIGTERM; until then they keep sending
 * it new requests.
 */
public final class PodTermination {

    /** {@code terminationGracePeriodSeconds} of both services' {@code deploy/base/<service>/deployment.yaml}. */
    public static final Duration MANIFEST_GRACE_PERIOD = Duration.ofSeconds(30);
    /** How long the clients keep using a terminating pod by default (endpoint propagation). */
    public static final Duration DEFAULT_ENDPOINT_DELAY = Duration.ofSeconds(2);

    /**
     * @param gracePeriod   SIGTERM to SIGKILL
     * @param endpointDelay SIGTERM to the pod's removal from the clients' endpoints
     */
    public record Settings(Duration gracePeriod, Duration endpointDelay) {

        /**
         * {@code -De2e.terminationGracePeriod} (default: the manifests' 30 s) and {@code -De2e.endpointDelay}
         * (default 2 s).
         */
        public static Settings fromSystemProperties() {
            return new Settings(Durations.property("e2e.terminationGracePeriod", MANIFEST_GRACE_PERIOD),
                    Durations.property("e2e.endpointDelay", DEFAULT_ENDPOINT_DELAY));
        }
    }

    /**
     * What happened to one pod; times are {@link System#nanoTime()}.
     *
     * @param endpointRemovedNanos when it left the clients' endpoints, -1 for a service without endpoints
     * @param exitNanos            when its process ended
     * @param sigkilled            whether it was still running when the grace period ran out
     * @param exitCode             the process's exit status (143 = ended by SIGTERM, 137 = by SIGKILL)
     */
    public record Record(String pod, ServiceKind kind, Duration gracePeriod, long sigtermNanos, long endpointRemovedNanos,
                         long exitNanos, boolean sigkilled, int exitCode) {

        public Duration exitAfterSigterm() {
            return Duration.ofNanos(exitNanos - sigtermNanos);
        }

        public boolean exitedWithinGrace() {
            return !sigkilled && exitAfterSigterm().compareTo(gracePeriod) <= 0;
        }

        @Override
        public String toString() {
            return String.format("%s exited %d ms after SIGTERM (exit status %d)%s", pod, exitAfterSigterm().toMillis(),
                    exitCode, sigkilled ? ", SIGKILLed after the " + gracePeriod.toSeconds() + " s grace period" : "");
        }
    }

    private PodTermination() {
    }

    /**
     * Terminates {@code pod} as the kubelet does and returns once its process has ended and it has left
     * {@code endpoints} (whichever comes last; {@link Endpoints#NONE}: once it has ended).
     */
    public static Record terminate(Replica pod, Endpoints endpoints, Settings settings) {
        CompletableFuture<Long> exited = pod.exitNanos();
        long sigterm = System.nanoTime();
        pod.terminate();
        // the endpoints controller and every client's view catch up later; a timed delay is the behaviour itself
        CompletableFuture<Long> removed = endpoints == Endpoints.NONE ? CompletableFuture.completedFuture(-1L)
                : CompletableFuture.supplyAsync(() -> {
                    endpoints.remove(pod);
                    return System.nanoTime();
                }, CompletableFuture.delayedExecutor(settings.endpointDelay().toNanos(), TimeUnit.NANOSECONDS));
        boolean sigkilled = false;
        if (!pod.awaitExit(settings.gracePeriod())) {
            sigkilled = true;
            pod.killForcibly();
            if (!pod.awaitExit(Duration.ofSeconds(10))) {
                throw new IllegalStateException(pod.podName() + " survived SIGKILL");
            }
        }
        try {
            long exit = exited.get(10, TimeUnit.SECONDS);
            long removedAt = removed.get(settings.endpointDelay().toMillis() + 10_000, TimeUnit.MILLISECONDS);
            return new Record(pod.podName(), pod.kind(), settings.gracePeriod(), sigterm, removedAt, exit, sigkilled,
                    pod.exitCode().orElse(-1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("terminating " + pod.podName(), e);
        }
    }
}
