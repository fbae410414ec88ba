package ai.kubernaut.gateway.pod;

import io.quarkus.runtime.Startup;
import jakarta.inject.Singleton;

/** This replica's pod name and namespace, checked at start-up with an error that says what to set. */
@Singleton
@Startup
public class PodIdentity {

    private final String name;
    private final String namespace;

    public PodIdentity(PodConfig settings) {
        this.name = settings.name().map(String::trim).filter(s -> !s.isEmpty()).orElseThrow(() ->
                new IllegalStateException("POD_NAME is not set: the Gateway needs its pod name as the lock holder "
                        + "identity. Set the POD_NAME environment variable from the Downward API "
                        + "(env valueFrom fieldRef fieldPath: metadata.name), or gateway.pod.name for a local run."));
        this.namespace = settings.namespace().map(String::trim).filter(s -> !s.isEmpty()).orElseThrow(() ->
                new IllegalStateException("POD_NAMESPACE is not set: the Gateway needs its namespace, where "
                        + "RemediationRequests and Leases live. Set the POD_NAMESPACE environment variable from the "
                        + "Downward API (env valueFrom fieldRef fieldPath: metadata.namespace), or "
                        + "gateway.pod.namespace for a local run."));
        if (name.contains("/")) {
            throw new IllegalStateException("POD_NAME must not contain '/' (it is part of the Lease holder "
                    + "identity <pod>/<token>): " + name);
        }
    }

    public String name() {
        return name;
    }

    public String namespace() {
        return namespace;
    }
}
