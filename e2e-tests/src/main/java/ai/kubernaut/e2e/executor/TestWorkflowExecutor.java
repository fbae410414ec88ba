package ai.kubernaut.e2e.executor;

import ai.kubernaut.e2e.observe.KubernautObjects;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
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
import java.util.function.Supplier;

/**
 * Plays the workflow engine: watches WorkflowExecutions in a namespace and moves each new one to
 * {@code Running} and, {@link #runTime()} later, to {@code Completed}, through the status subresource with
 * optimistic concurrency. Each step writes from the copy it already has (the informer's object for the start,
 * the object the start's write returned for the completion) with that copy's resourceVersion, so a WFE costs
 * two requests; only on 409 does it GET that one WFE by name and re-decide. Controllable: {@link #pause()} holds
 * every WFE where it is (a stuck workflow), {@link #resume()} lets them go on; the run time can change at any
 * moment. Records when it completed each WFE, for the wake-up latency measurements.
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
    /** How long a step that met a transient fault waits before it is tried again. */
    private volatile Duration retryDelay = Duration.ofMillis(500);
    private static final int MAX_CONFLICTS = 20;
    private volatile Duration runTime;
    private volatile boolean paused;
    private volatile SharedIndexInformer<GenericKubernetesResource> informer;
    /** A label the WFEs to run do not carry (null: every WFE of the namespace). */
    private volatile String skipLabel;

    public TestWorkflowExecutor(KubernetesClient admin, String namespace, Duration runTime) {
        this.admin = admin;
        this.namespace = namespace;
        this.runTime = runTime;
    }

    /**
     * Leaves alone (and does not cache) the WFEs labelled {@code label: "true"}: a benchmark's written history of 100,000
     * finished WFEs would not fit this JVM's heap. Call before {@link #start()}.
     */
    public TestWorkflowExecutor skippingLabelled(String label) {
        this.skipLabel = label;
        return this;
    }

    /** Tries a step that met a transient fault again after {@code delay} (default 500 ms). Call before start(). */
    public TestWorkflowExecutor retryingAfter(Duration delay) {
        this.retryDelay = delay;
        return this;
    }

    public TestWorkflowExecutor start() {
        var wfes = KubernautObjects.wfes(admin).inNamespace(namespace);
        informer = (skipLabel == null ? wfes : wfes.withoutLabel(skipLabel, "true")).inform(new ResourceEventHandler<>() {
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
            scheduler.execute(() -> startRun(name, wfe));
        }
    }

    /** Moves the WFE to Running; {@code known} is the latest copy at hand (null: read it first). */
    private void startRun(String name, GenericKubernetesResource known) {
        if (paused) {
            heldWhilePaused.add(name);
            return;
        }
        GenericKubernetesResource running = stepOrRetryLater(
                () -> writePhase(name, "Running", Set.of("", "Pending"), known), () -> startRun(name, null));
        if (running != null) {
            scheduler.schedule(() -> complete(name, running), runTime.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Runs one step; when the API server does not answer or answers 5xx/429 (e.g. while it is frozen), tries the
     * step again a little later, as a workflow engine would (the retry reads the WFE first: the failed write may
     * have been carried out). The WFE as the step left it, or null when the step did not happen (now or ever).
     */
    private GenericKubernetesResource stepOrRetryLater(Supplier<GenericKubernetesResource> step, Runnable again) {
        try {
            return step.get();
        } catch (KubernetesClientException e) {
            int code = e.getCode();
            if (code > 0 && code != 429 && code < 500) {
                throw e;
            }
            transientFailures.incrementAndGet();
            scheduler.schedule(again, retryDelay.toMillis(), TimeUnit.MILLISECONDS);
            return null;
        }
    }

    /** Moves the WFE to Completed and records when; {@code known} is the latest copy at hand (null: read it first). */
    private void complete(String name, GenericKubernetesResource known) {
        if (paused) {
            heldWhilePaused.add(name);
            return;
        }
        GenericKubernetesResource done = stepOrRetryLater(
                () -> writePhase(name, "Completed", Set.of("Running"), known), () -> complete(name, null));
        if (done != null) {
            completions.put(name, new Completion(name, KubernautObjects.wfeTarget(done), Instant.now(), System.nanoTime()));
        }
    }

    /**
     * Moves the WFE from one of {@code from} to {@code to}, writing from {@code known} (null: GET it first) with its
     * resourceVersion; on 409 GETs the WFE by name and decides again. Returns the WFE as written (or as found, if
     * it is at {@code to} already); null if it is gone or in another phase.
     */
    private GenericKubernetesResource writePhase(String name, String to, Set<String> from, GenericKubernetesResource known) {
        GenericKubernetesResource wfe = known != null ? known : read(name);
        for (int conflicts = 0; conflicts < MAX_CONFLICTS; conflicts++) {
            if (wfe == null) {
                return null;
            }
            String phase = KubernautObjects.wfePhase(wfe);
            if (phase.equals(to)) {
                return wfe; // a retried write whose first answer was lost had been carried out
            }
            if (!from.contains(phase)) {
                return null;
            }
            try {
                return KubernautObjects.wfes(admin).inNamespace(namespace).resource(withPhase(wfe, to)).updateStatus();
            } catch (KubernetesClientException e) {
                if (e.getCode() == 409) {
                    statusConflicts.incrementAndGet();
                    wfe = read(name); // someone else wrote meanwhile (or our copy was stale): re-read and re-decide
                    continue;
                }
                if (e.getCode() == 404) {
                    failIfStillWatched(name);
                    return null;
                }
                throw e;
            }
        }
        throw new IllegalStateException("could not move WFE " + name + " to " + to + " after " + MAX_CONFLICTS + " conflicts");
    }

    private GenericKubernetesResource read(String name) {
        GenericKubernetesResource wfe = KubernautObjects.wfes(admin).inNamespace(namespace).withName(name).get();
        if (wfe == null) {
            failIfStillWatched(name);
        }
        return wfe;
    }

    /**
     * A 404 (GET or status write) for a WFE the watch still has is a fault to retry, not a deletion: a
     * kube-apiserver that has just (re)started answers 404 for custom resources until their CRDs are served again.
     */
    private void failIfStillWatched(String name) {
        if (informer != null && informer.getStore().getByKey(namespace + "/" + name) != null) {
            throw new KubernetesClientException("WFE " + name + " not found while the watch still has it", 503, null);
        }
    }

    /**
     * A copy of {@code wfe} (same resourceVersion) with the phase and its timestamp set; {@code wfe} itself may be
     * the informer's cached object and is left untouched.
     */
    @SuppressWarnings("unchecked")
    static GenericKubernetesResource withPhase(GenericKubernetesResource wfe, String to) {
        GenericKubernetesResource copy = new GenericKubernetesResource();
        copy.setApiVersion(wfe.getApiVersion());
        copy.setKind(wfe.getKind());
        copy.setMetadata(new ObjectMetaBuilder(wfe.getMetadata()).build());
        Map<String, Object> properties = new LinkedHashMap<>(wfe.getAdditionalProperties());
        Object current = properties.get("status");
        Map<String, Object> status = current instanceof Map<?, ?> m
                ? new LinkedHashMap<>((Map<String, Object>) m) : new LinkedHashMap<>();
        status.put("phase", to);
        status.put(to.equals("Running") ? "startTime" : "completionTime",
                Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        properties.put("status", status);
        copy.setAdditionalProperties(properties);
        return copy;
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
                GenericKubernetesResource wfe = read(name);
                if (wfe == null) {
                    return;
                }
                if (KubernautObjects.wfePhase(wfe).equals("Running")) {
                    complete(name, wfe);
                } else {
                    startRun(name, wfe);
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

    /** Steps that met a 5xx, 429 or no answer and were tried again later. */
    public long transientFailures() {
        return transientFailures.get();
    }

    /** WFEs held by {@link #pause()}, waiting for {@link #resume()}. */
    public int heldCount() {
        return heldWhilePaused.size();
    }

    @Override
    public void close() {
        if (informer != null) {
            informer.close();
        }
        scheduler.shutdownNow();
    }
}
