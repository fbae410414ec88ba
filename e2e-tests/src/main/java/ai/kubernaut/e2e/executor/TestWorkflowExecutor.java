package ai.kubernaut.e2e.executor;

import ai.kubernaut.e2e.observe.KubernautObjects;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Plays the workflow engine: watches WorkflowExecutions in a namespace and moves each new one to
 * {@code Running} and, {@link #runTime()} later, to {@code Completed}, through the status subresource with
 * optimistic concurrency (re-read and retry on 409). Controllable: {@link #pause()} holds every WFE where
 * it is (a stuck workflow), {@link #resume()} lets them go on; the run time can change at any moment.
 * Records when it completed each WFE, for the wake-up latency measurements.
 */
public final class TestWorkflowExecutor implements AutoCloseable {

    /** When a WFE was completed: wall clock and {@link System#nanoTime()}. */
    public record Completion(String name, String target, Instant at, long atNanos) {
    }

    private final KubernetesClient admin;
    private final String namespace;
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "test-workflow-executor");
        t.setDaemon(true);
        return t;
    });
    private final Set<String> started = ConcurrentHashMap.newKeySet();
    private final Set<String> heldWhilePaused = ConcurrentHashMap.newKeySet();
    private final Map<String, Completion> completions = new ConcurrentHashMap<>();
    private final AtomicLong statusConflicts = new AtomicLong();
    private final AtomicLong transientFailures = new AtomicLong();
    private static final Duration RETRY_DELAY = Duration.ofMillis(500);
    private volatile Duration runTime;
    private volatile boolean paused;
    private SharedIndexInformer<GenericKubernetesResource> informer;

    public TestWorkflowExecutor(KubernetesClient admin, String namespace, Duration runTime) {
        this.admin = admin;
        this.namespace = namespace;
        this.runTime = runTime;
    }

    public TestWorkflowExecutor start() {
        informer = KubernautObjects.wfes(admin).inNamespace(namespace).inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(GenericKubernetesResource wfe) {
                consider(wfe);
            }

            @Override
            public void onUpdate(GenericKubernetesResource oldWfe, GenericKubernetesResource wfe) {
                consider(wfe);
            }

            @Override
            public void onDelete(GenericKubernetesResource wfe, boolean deletedFinalStateUnknown) {
                started.remove(wfe.getMetadata().getName());
            }
        }, 30_000L);
        return this;
    }

    private void consider(GenericKubernetesResource wfe) {
        String name = wfe.getMetadata().getName();
        String phase = KubernautObjects.wfePhase(wfe);
        if ((phase.isEmpty() || phase.equals("Pending")) && started.add(name)) {
            scheduler.execute(() -> startRun(name));
        }
    }

    private void startRun(String name) {
        if (paused) {
            heldWhilePaused.add(name);
            return;
        }
        if (failedTransiently(() -> writePhase(name, "Running", Set.of("", "Pending")), () -> startRun(name))) {
            return;
        }
        scheduler.schedule(() -> complete(name), runTime.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Runs one step; when the API server does not answer or answers 5xx/429 (e.g. while it is frozen), tries the
     * step again a little later, as a workflow engine would. True when the step did not happen (now or ever).
     */
    private boolean failedTransiently(java.util.function.BooleanSupplier step, Runnable again) {
        try {
            return !step.getAsBoolean();
        } catch (KubernetesClientException e) {
            int code = e.getCode();
            if (code > 0 && code != 429 && code < 500) {
                throw e;
            }
            transientFailures.incrementAndGet();
            scheduler.schedule(again, RETRY_DELAY.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        }
    }

    private void complete(String name) {
        if (paused) {
            heldWhilePaused.add(name);
            return;
        }
        if (!failedTransiently(() -> writePhase(name, "Completed", Set.of("Running")), () -> complete(name))) {
            GenericKubernetesResource wfe = KubernautObjects.wfes(admin).inNamespace(namespace).withName(name).get();
            completions.put(name, new Completion(name, wfe == null ? "" : KubernautObjects.wfeTarget(wfe),
                    Instant.now(), System.nanoTime()));
        }
    }

    /** Moves the WFE from one of {@code from} to {@code to} (true if it is there already); false if it is gone or elsewhere. */
    @SuppressWarnings("unchecked")
    private boolean writePhase(String name, String to, Set<String> from) {
        for (int attempt = 0; attempt < 20; attempt++) {
            GenericKubernetesResource wfe = KubernautObjects.wfes(admin).inNamespace(namespace).withName(name).get();
            if (wfe != null && KubernautObjects.wfePhase(wfe).equals(to)) {
                return true; // a retried write whose first answer was lost had been carried out
            }
            if (wfe == null || !from.contains(KubernautObjects.wfePhase(wfe))) {
                return false;
            }
            Object current = wfe.getAdditionalProperties().get("status");
            Map<String, Object> status = current instanceof Map<?, ?> m
                    ? new LinkedHashMap<>((Map<String, Object>) m) : new LinkedHashMap<>();
            status.put("phase", to);
            if (to.equals("Running")) {
                status.put("startTime", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
            } else {
                status.put("completionTime", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
            }
            wfe.setAdditionalProperty("status", status);
            try {
                KubernautObjects.wfes(admin).inNamespace(namespace).resource(wfe).updateStatus();
                return true;
            } catch (KubernetesClientException e) {
                if (e.getCode() == 409) {
                    statusConflicts.incrementAndGet();
                    continue; // someone else wrote meanwhile: re-read and re-decide
                }
                if (e.getCode() == 404) {
                    return false;
                }
                throw e;
            }
        }
        throw new IllegalStateException("could not move WFE " + name + " to " + to + " after 20 conflicts");
    }

    /** Holds every WFE where it is until {@link #resume()}. */
    public void pause() {
        paused = true;
    }

    /** Lets held WFEs go on: those not yet started start, those running complete. */
    public void resume() {
        paused = false;
        for (String name : Set.copyOf(heldWhilePaused)) {
            heldWhilePaused.remove(name);
            scheduler.execute(() -> {
                GenericKubernetesResource wfe = KubernautObjects.wfes(admin).inNamespace(namespace).withName(name).get();
                if (wfe == null) {
                    return;
                }
                if (KubernautObjects.wfePhase(wfe).equals("Running")) {
                    complete(name);
                } else {
                    startRun(name);
                }
            });
        }
    }

    public Duration runTime() {
        return runTime;
    }

    public void runTime(Duration newRunTime) {
        this.runTime = newRunTime;
    }

    /** Every WFE completed so far, by name. */
    public Map<String, Completion> completions() {
        return Map.copyOf(completions);
    }

    public int completedCount() {
        return completions.size();
    }

    public long statusConflicts() {
        return statusConflicts.get();
    }

    @Override
    public void close() {
        if (informer != null) {
            informer.close();
        }
        scheduler.shutdownNow();
    }
}
