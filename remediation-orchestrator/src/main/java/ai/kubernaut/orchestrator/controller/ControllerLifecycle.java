package ai.kubernaut.orchestrator.controller;

import ai.kubernaut.backoff.BackoffPolicy;
import ai.kubernaut.orchestrator.catalog.WorkflowSelector;
import ai.kubernaut.orchestrator.config.OrchestratorConfig;
import ai.kubernaut.orchestrator.config.PodIdentity;
import ai.kubernaut.orchestrator.metrics.OrchestratorMetrics;
import ai.kubernaut.orchestrator.reconcile.CreationHook;
import ai.kubernaut.orchestrator.reconcile.ReconcileSettings;
import ai.kubernaut.orchestrator.retention.RetentionSettings;
import ai.kubernaut.orchestrator.sharding.MembershipSettings;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.Optional;

/** Starts this replica's controller with the application and stops it (finishing in-flight work) on shutdown. */
@ApplicationScoped
public class ControllerLifecycle {

    @Inject
    KubernetesClient client;

    @Inject
    OrchestratorConfig config;

    @Inject
    PodIdentity identity;

    @Inject
    WorkflowSelector selector;

    @Inject
    OrchestratorMetrics metrics;

    @Inject
    MeterRegistry registry;

    private volatile RemediationController controller;

    void onStart(@Observes StartupEvent event) {
        controller = new RemediationController(client, settings(config, identity), selector, metrics,
                Clock.systemUTC(), CreationHook.NONE).start();
        // read from the controller's health data at scrape time (the dashboard's queue and shard panels)
        Gauge.builder("orchestrator.workqueue.depth", this, l -> l.healthNumber("queueLength"))
                .description("RRs waiting in this replica's work queue (not counting delayed requeues)")
                .strongReference(true).register(registry);
        Gauge.builder("orchestrator.shards.owned", this, l -> l.healthNumber("shardsOwned"))
                .description("Shards (of 256) whose RRs this replica reconciles now")
                .strongReference(true).register(registry);
    }

    private double healthNumber(String key) {
        RemediationController current = controller;
        return current != null && current.healthData().get(key) instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    void onStop(@Observes ShutdownEvent event) {
        RemediationController current = controller;
        if (current != null) {
            current.close();
        }
    }

    public Optional<RemediationController> controller() {
        return Optional.ofNullable(controller);
    }

    /** The settings the configuration describes, for this replica. */
    public static ControllerSettings settings(OrchestratorConfig config, PodIdentity identity) {
        OrchestratorConfig.Requeue requeue = config.requeue();
        BackoffPolicy backoff = BackoffPolicy.builder()
                .baseDelay(requeue.baseDelay())
                .maxDelay(requeue.maxDelay())
                .multiplier(requeue.multiplier())
                .fullJitter(requeue.jitter())
                .floorAtBase(true)
                .build(); // no attempt limit: the work queue only asks it for delays
        return new ControllerSettings(identity.namespace(), identity.podName(), config.workers(),
                config.lock().leaseDuration(), backoff, config.resyncPeriod(),
                MembershipSettings.of(config.sharding().memberLeaseDuration(), config.sharding().renewInterval())
                        .withHandOverWait(config.sharding().handOverWait()),
                new ReconcileSettings(config.phaseTimeout().analyzing(), config.phaseTimeout().blocked(),
                        config.phaseTimeout().executing(), config.routing().defaultCooldown(),
                        config.routing().busyStatusRefresh()),
                retention(config.retention()));
    }

    static RetentionSettings retention(OrchestratorConfig.Retention r) {
        return new RetentionSettings(r.retention(), r.headRetention(), r.interval(), r.pageSize(),
                r.maxDeletesPerSweep(), r.deletesPerSecond(), r.leaseInterval(), r.expiredLeaseDurations());
    }
}
