package ai.kubernaut.gateway.lock;

import ai.kubernaut.gateway.pod.PodIdentity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Clock;

/** Runs this replica's {@link LeaseSweeper} from start-up to shutdown. */
@ApplicationScoped
public class LeaseSweeperLifecycle {

    @Inject
    KubernetesClient client;

    @Inject
    PodIdentity pod;

    @Inject
    LockConfig lock;

    @Inject
    MeterRegistry registry;

    private volatile LeaseSweeper sweeper;

    void onStart(@Observes StartupEvent event) {
        LockConfig.Sweep s = lock.sweep();
        sweeper = new LeaseSweeper(new Fabric8LeaseSweepApi(client, pod.namespace()),
                new LeaseSweeper.Settings(s.interval(), s.expiredDurations(), s.pageSize(), s.deletesPerSecond(),
                        s.maxDeletesPerSweep(), lock.leaseDuration()),
                LockSettings.GATEWAY_PREFIX, Clock.systemUTC(), d -> Thread.sleep(d.toMillis()), registry,
                pod.name()).start();
    }

    void onStop(@Observes ShutdownEvent event) {
        LeaseSweeper current = sweeper;
        if (current != null) {
            current.close();
        }
    }
}
