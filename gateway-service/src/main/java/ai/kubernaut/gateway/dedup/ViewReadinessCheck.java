package ai.kubernaut.gateway.dedup;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Not ready until the view of RemediationRequests holds the namespace once: dedup decides from it. */
@Readiness
@ApplicationScoped
public class ViewReadinessCheck implements HealthCheck {

    static final String NAME = "remediation-request-view";

    private final SignalRecorder recorder;

    @Inject
    public ViewReadinessCheck(SignalRecorder recorder) {
        this.recorder = recorder;
    }

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named(NAME).status(recorder.ready());
        recorder.waitingFor().ifPresent(waiting -> response.withData("waitingFor", waiting));
        return response.build();
    }
}
