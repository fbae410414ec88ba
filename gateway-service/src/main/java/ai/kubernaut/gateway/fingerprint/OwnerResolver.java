package ai.kubernaut.gateway.fingerprint;

import ai.kubernaut.gateway.cache.ExpiringCache;
import ai.kubernaut.gateway.kube.ApiFaults;
import ai.kubernaut.gateway.kube.KubeCalls;
import ai.kubernaut.gateway.kube.KubernetesDeadlineException;
import ai.kubernaut.gateway.kube.KubernetesUnavailableException;
import ai.kubernaut.gateway.kube.RequestDeadline;
import ai.kubernaut.gateway.signal.Signal;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.RequestConfigBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Resolves a Pod, ReplicaSet or Job to its top-level controller by following controller ownerReferences
 * (Pod -> ReplicaSet -> Deployment, Pod -> Job -> CronJob, Pod -> StatefulSet...), so that every pod of a
 * workload shares one fingerprint. Reads are live GETs (no informer cache), bounded by
 * {@code gateway.resolution.timeout} and never retried; answers are kept for {@code gateway.resolution.cache-ttl}.
 *
 * <p>Fallback: when a GET in the chain is answered with a refusal (404 gone, 403 not allowed, another 4xx) the
 * signal keeps the resource exactly as it was named, never a half-resolved intermediate, so one workload can
 * produce at most two fingerprints (owner or as-named). 404 and 403 fallbacks are cached like successes (they
 * are answers). A transient fault ({@link ApiFaults}: no answer in time, 429, 5xx) is not a fallback: hashing the
 * pod then would give the workload a second RR only because the API server was slow, so the signal fails with
 * {@link KubernetesUnavailableException} (503 + Retry-After) and its sender retries.
 *
 * <p>The lookups share the request's {@link RequestDeadline}: each GET waits at most what is left of it, and none
 * starts once it has passed ({@link KubernetesDeadlineException}, 504).
 */
@ApplicationScoped
public class OwnerResolver {

    private static final Logger LOG = Logger.getLogger(OwnerResolver.class);
    /** Kinds whose controller we look up; anything else is already top-level (or unknown to us). */
    private static final Set<String> RESOLVABLE = Set.of("Pod", "ReplicaSet", "Job");
    private static final int MAX_DEPTH = 5;
    /** The deadline of callers that give none (tests, tools): longer than any chain of lookups. */
    private static final Duration UNBOUNDED = Duration.ofMinutes(5);

    private final KubernetesClient client;
    private final boolean enabled;
    private final ExpiringCache<String, Signal.Resource> cache;
    private final MeterRegistry meters;
    private final Duration timeout;

    @Inject
    public OwnerResolver(KubernetesClient client, ResolutionConfig config, MeterRegistry meters) {
        this(client, config.ownersEnabled(), config.timeout(), config.cacheTtl(), config.cacheMaxEntries(), meters,
                Clock.systemUTC());
    }

    public OwnerResolver(KubernetesClient client, boolean enabled, Duration timeout, Duration cacheTtl,
            int cacheMaxEntries, MeterRegistry meters, Clock clock) {
        // A client sharing the connection pool, with a short timeout and no retries: a lookup is an
        // optimisation of the fingerprint, never worth holding a signal for.
        this.client = client.newClient(new RequestConfigBuilder(client.getConfiguration().getRequestConfig())
                .withRequestTimeout((int) Math.max(1, timeout.toMillis()))
                .withRequestRetryBackoffLimit(0)
                .build()).adapt(KubernetesClient.class);
        this.enabled = enabled;
        this.cache = new ExpiringCache<>(cacheTtl, cacheMaxEntries, clock);
        this.meters = meters;
        this.timeout = timeout;
    }

    /** {@link #resolve(Signal.Resource, RequestDeadline)} without a deadline of the caller's. */
    public Signal.Resource resolve(Signal.Resource named) {
        return resolve(named, RequestDeadline.after(UNBOUNDED));
    }

    /**
     * @param deadline the request's: no GET starts after it
     * @return the top-level controller of {@code named}, or {@code named} itself (see class comment)
     * @throws KubernetesDeadlineException when the deadline passed before the chain was read
     */
    public Signal.Resource resolve(Signal.Resource named, RequestDeadline deadline) {
        if (!enabled || !isResolvable(named)) {
            return named;
        }
        String key = named.namespace() + "/" + named.kind() + "/" + named.name();
        Signal.Resource cached = cache.get(key);
        if (cached != null) {
            count("cached");
            return cached;
        }
        Signal.Resource current = named;
        try {
            for (int depth = 0; depth < MAX_DEPTH && isResolvable(current); depth++) {
                HasMetadata object = get(current, deadline);
                if (object == null) {
                    return fallback(named, key, "not_found", "not found: " + describe(current), true);
                }
                OwnerReference controller = controllerOf(object);
                if (controller == null || controller.getKind() == null || controller.getName() == null) {
                    break;
                }
                current = new Signal.Resource(controller.getKind(), controller.getName(), named.namespace(),
                        controller.getApiVersion());
            }
        } catch (KubernetesDeadlineException e) {
            count("unavailable");
            throw e;
        } catch (KubernetesClientException e) {
            if (ApiFaults.isTransient(e)) {
                count("unavailable");
                throw new KubernetesUnavailableException("owner lookup of " + describe(current) + " got "
                        + (e.getCode() > 0 ? "HTTP " + e.getCode() : "no answer") + " from the Kubernetes API", e);
            }
            boolean answered = e.getCode() == 403 || e.getCode() == 404;
            String result = e.getCode() == 403 ? "forbidden" : e.getCode() == 404 ? "not_found" : "error";
            return fallback(named, key, result, "HTTP " + e.getCode() + " reading " + describe(current), answered);
        } catch (RuntimeException e) {
            return fallback(named, key, "error", e.getClass().getSimpleName() + " reading " + describe(current),
                    false);
        }
        cache.put(key, current);
        count(current.equals(named) ? "top_level" : "resolved");
        return current;
    }

    private Signal.Resource fallback(Signal.Resource named, String key, String result, String why, boolean cacheIt) {
        LOG.debugf("owner resolution of %s fell back to the resource itself: %s", describe(named), why);
        if (cacheIt) {
            cache.put(key, named);
        }
        count("fallback_" + result);
        return named;
    }

    /** One GET, waiting at most {@code gateway.resolution.timeout} and what is left of the deadline. */
    private HasMetadata get(Signal.Resource r, RequestDeadline deadline) {
        Duration wait = deadline.forCall("looking up the owner of " + describe(r), timeout);
        return KubeCalls.within(client, wait, c -> switch (r.kind()) {
            case "Pod" -> c.pods().inNamespace(r.namespace()).withName(r.name()).get();
            case "ReplicaSet" -> c.apps().replicaSets().inNamespace(r.namespace()).withName(r.name()).get();
            case "Job" -> c.batch().v1().jobs().inNamespace(r.namespace()).withName(r.name()).get();
            default -> throw new IllegalArgumentException("not resolvable: " + r.kind());
        });
    }

    private static OwnerReference controllerOf(HasMetadata object) {
        if (object.getMetadata() == null || object.getMetadata().getOwnerReferences() == null) {
            return null;
        }
        return object.getMetadata().getOwnerReferences().stream()
                .filter(ref -> Boolean.TRUE.equals(ref.getController()))
                .findFirst().orElse(null);
    }

    /** Only the built-in kinds, in their built-in API groups (a CRD may also be called "Job"). */
    private static boolean isResolvable(Signal.Resource r) {
        if (!RESOLVABLE.contains(r.kind()) || r.namespace().isEmpty()) {
            return false;
        }
        String v = r.apiVersion();
        return switch (r.kind()) {
            case "Pod" -> v.isEmpty() || v.equals("v1");
            case "ReplicaSet" -> v.isEmpty() || v.equals("apps/v1");
            case "Job" -> v.isEmpty() || v.equals("batch/v1");
            default -> false;
        };
    }

    private void count(String result) {
        if (meters != null) {
            meters.counter("gateway.owner.resolutions", "result", result).increment();
        }
    }

    private static String describe(Signal.Resource r) {
        return r.kind() + " " + r.namespace() + "/" + r.name();
    }
}
