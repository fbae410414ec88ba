package ai.kubernaut.gateway.fingerprint;

import ai.kubernaut.gateway.kube.ApiFaults;
import ai.kubernaut.gateway.kube.KubeCalls;
import ai.kubernaut.gateway.kube.KubernetesDeadlineException;
import ai.kubernaut.gateway.kube.KubernetesUnavailableException;
import ai.kubernaut.gateway.kube.RequestDeadline;
import ai.kubernaut.gateway.signal.Signal;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
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
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Resolves a Pod, ReplicaSet or Job to its top-level controller by following controller ownerReferences
 * (Pod -> ReplicaSet -> Deployment, Pod -> Job -> CronJob, Pod -> StatefulSet...), so that every pod of a
 * workload shares one fingerprint. Reads are live GETs (no informer cache), bounded by
 * {@code gateway.resolution.timeout} and never retried; answers are kept for {@code gateway.resolution.cache-ttl}.
 *
 * <p>A Pod that is gone (a 404 naming it: replaced by its Deployment, its warning events still arriving) keeps its
 * workload's fingerprint: its owner is derived the way its controller named it, from the signal's labels or its
 * name with the possible owners read ({@link MissingPodOwners}). What is derived is cached like a resolution;
 * when nothing can be derived the Pod is hashed as named and that is <b>not</b> cached, so the Pod existing again,
 * or a later signal with more labels, is resolved afresh.
 *
 * <p>Fallback: when a GET in the chain is answered with a refusal (403 not allowed, another 4xx, 404 of an owner
 * further up) the signal keeps the resource exactly as it was named, never a half-resolved intermediate, so one
 * workload can produce at most two fingerprints (owner or as-named). Those fallbacks are cached like successes
 * (they are answers). A transient fault ({@link ApiFaults}: no answer in time, 429, 5xx, a 404 that names no object)
 * is not a fallback: hashing the pod then would give the workload a second RR only because the API server was slow,
 * so the signal fails with {@link KubernetesUnavailableException} (503 + Retry-After) and its sender retries.
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
    private final Cache<String, Signal.Resource> cache;
    private final MeterRegistry meters;
    private final Clock clock;
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
        this.cache = Caffeine.newBuilder().expireAfterWrite(cacheTtl).maximumSize(Math.max(0, cacheMaxEntries))
                .ticker(() -> {
                    java.time.Instant i = clock.instant();
                    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
                }).build();
        this.meters = meters;
        this.clock = clock;
        this.timeout = timeout;
    }

    /** Without labels (a missing Pod is then judged by its name alone) nor a deadline of the caller's. */
    public Signal.Resource resolve(Signal.Resource named) {
        return resolve(named, Map.of(), RequestDeadline.after(UNBOUNDED));
    }

    /** Without a deadline of the caller's. */
    public Signal.Resource resolve(Signal.Resource named, Map<String, String> labels) {
        return resolve(named, labels, RequestDeadline.after(UNBOUNDED));
    }

    /**
     * @param labels   the signal's labels: for a Pod that is gone they may say which controller made it
     *                 ({@link MissingPodOwners})
     * @param deadline the request's: no GET starts after it
     * @return the top-level controller of {@code named}, or {@code named} itself (see class comment)
     * @throws KubernetesDeadlineException when the deadline passed before the chain was read
     */
    public Signal.Resource resolve(Signal.Resource named, Map<String, String> labels, RequestDeadline deadline) {
        if (!enabled || !isResolvable(named)) {
            return named;
        }
        String key = named.namespace() + "/" + named.kind() + "/" + named.name();
        Signal.Resource cached = cache.getIfPresent(key);
        if (cached != null) {
            count("cached");
            return cached;
        }
        Walk walk = new Walk(deadline);
        try {
            HasMetadata object = walk.read(named);
            if (object == null) {
                return missing(named, key, labels == null ? Map.of() : labels, walk);
            }
            Signal.Resource top = walk.follow(named, object);
            if (top == null) {
                return fallback(named, key, "not_found", "not found: " + describe(walk.current), true);
            }
            cache.put(key, top);
            count(top.equals(named) ? "top_level" : "resolved");
            return top;
        } catch (KubernetesDeadlineException e) {
            count("unavailable");
            throw e;
        } catch (KubernetesClientException e) {
            if (ApiFaults.isTransient(e)) {
                count("unavailable");
                throw new KubernetesUnavailableException("owner lookup of " + describe(walk.current) + " got "
                        + (e.getCode() > 0 ? "HTTP " + e.getCode() : "no answer") + " from the Kubernetes API", e);
            }
            boolean answered = e.getCode() == 403 || e.getCode() == 404;
            String result = e.getCode() == 403 ? "forbidden" : e.getCode() == 404 ? "not_found" : "error";
            return fallback(named, key, result, "HTTP " + e.getCode() + " reading " + describe(walk.current),
                    answered);
        } catch (RuntimeException e) {
            return fallback(named, key, "error", e.getClass().getSimpleName() + " reading " + describe(walk.current),
                    false);
        }
    }

    /**
     * The named resource does not exist (404 naming it). For a Pod (or a Job) its owner is derived the way its
     * controller named it ({@link MissingPodOwners}): an owner known from the labels, or a possible owner that a
     * GET finds (followed up its chain). Nothing found: the resource as named, <b>not cached</b>: a Pod that is gone
     * now may exist again (a StatefulSet's), and the next signal about it may carry the labels that tell.
     */
    private Signal.Resource missing(Signal.Resource named, String key, Map<String, String> labels, Walk walk) {
        List<MissingPodOwners.Step> steps = switch (named.kind()) {
            case "Pod" -> MissingPodOwners.ofPod(named.name(), labels, clock.instant());
            case "Job" -> MissingPodOwners.ofJob(named.name(), clock.instant());
            default -> List.of();
        };
        for (MissingPodOwners.Step step : steps) {
            Signal.Resource owner = new Signal.Resource(step.kind(), step.name(), named.namespace(),
                    step.apiVersion());
            if (step instanceof MissingPodOwners.Candidate) {
                owner = confirm(owner, walk);
                if (owner == null) {
                    continue;
                }
            }
            LOG.debugf("%s is gone; its owner by rule %s: %s", describe(named), step.rule(), describe(owner));
            cache.put(key, owner);
            count("derived");
            return owner;
        }
        return fallback(named, key, "not_found", "not found: " + describe(named), false);
    }

    /**
     * The top-level controller of a possible owner, if a GET finds it; null when it does not exist or may not be
     * read (a refusal is no evidence either way). A transient fault is thrown, as in the chain.
     */
    private Signal.Resource confirm(Signal.Resource candidate, Walk walk) {
        HasMetadata object;
        try {
            object = walk.read(candidate);
        } catch (KubernetesClientException e) {
            if (ApiFaults.isTransient(e)) {
                throw e;
            }
            LOG.debugf("possible owner %s not confirmed: HTTP %d", describe(candidate), e.getCode());
            return null;
        }
        if (object == null) {
            return null;
        }
        return isResolvable(candidate) ? walk.follow(candidate, object) : candidate;
    }

    private Signal.Resource fallback(Signal.Resource named, String key, String result, String why, boolean cacheIt) {
        LOG.debugf("owner resolution of %s fell back to the resource itself: %s", describe(named), why);
        if (cacheIt) {
            cache.put(key, named);
        }
        count("fallback_" + result);
        return named;
    }

    /** The reads of one resolution; {@link #current} is the resource read last (for messages). */
    private final class Walk {
        private final RequestDeadline deadline;
        private Signal.Resource current;

        Walk(RequestDeadline deadline) {
            this.deadline = deadline;
        }

        /** GET; null when a 404 names the object (a 404 that does not, a type not served, is thrown). */
        HasMetadata read(Signal.Resource r) {
            current = r;
            return get(r, deadline);
        }

        /**
         * Follows controller ownerReferences up from {@code r}, whose object is {@code object}: the top-level
         * controller, or null when an owner on the way that we read is gone.
         */
        Signal.Resource follow(Signal.Resource r, HasMetadata object) {
            for (int depth = 0; depth < MAX_DEPTH; depth++) {
                OwnerReference controller = controllerOf(object);
                if (controller == null || controller.getKind() == null || controller.getName() == null) {
                    return r;
                }
                r = new Signal.Resource(controller.getKind(), controller.getName(), r.namespace(),
                        controller.getApiVersion());
                if (!isResolvable(r)) {
                    return r;
                }
                object = read(r);
                if (object == null) {
                    return null;
                }
            }
            return r;
        }
    }

    /** One GET, waiting at most {@code gateway.resolution.timeout} and what is left of the deadline. */
    private HasMetadata get(Signal.Resource r, RequestDeadline deadline) {
        String ns = r.namespace();
        Duration wait = deadline.forCall("looking up the owner of " + describe(r), timeout);
        return KubeCalls.within(client, wait, c -> switch (r.kind()) {
            case "Pod" -> ApiFaults.getUnlessNotFound(c.pods().inNamespace(ns).withName(r.name()), r.name());
            case "ReplicaSet" -> ApiFaults.getUnlessNotFound(c.apps().replicaSets().inNamespace(ns)
                    .withName(r.name()), r.name());
            case "Job" -> ApiFaults.getUnlessNotFound(c.batch().v1().jobs().inNamespace(ns).withName(r.name()),
                    r.name());
            // only to confirm the owner of a Pod that is gone (never read on the way up a live chain)
            case "StatefulSet" -> ApiFaults.getUnlessNotFound(c.apps().statefulSets().inNamespace(ns)
                    .withName(r.name()), r.name());
            case "DaemonSet" -> ApiFaults.getUnlessNotFound(c.apps().daemonSets().inNamespace(ns)
                    .withName(r.name()), r.name());
            default -> throw new IllegalArgumentException("not readable: " + r.kind());
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
