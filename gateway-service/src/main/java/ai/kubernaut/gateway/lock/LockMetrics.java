package ai.kubernaut.gateway.lock;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * The ADR-052 lock metrics the original specified but never built, plus Lease API calls by verb. Names are
 * Micrometer names; Prometheus shows them as {@code <prefix>_lock_acquisition_attempts_total} etc.
 */
public final class LockMetrics {

    /** Why an acquisition finally failed. */
    public enum FailureReason {
        /** Contended through every attempt of the backoff policy. */
        TIMEOUT("timeout"),
        /** Waited too long for another request of this replica holding the same key. */
        LOCAL_WAIT_TIMEOUT("local_wait_timeout"),
        /** The overall Kubernetes deadline passed while acquiring. */
        DEADLINE("deadline"),
        /** A Lease call failed (not a conflict). */
        API_ERROR("api_error"),
        /** The thread was interrupted. */
        INTERRUPTED("interrupted");

        final String tag;

        FailureReason(String tag) {
            this.tag = tag;
        }
    }

    private final MeterRegistry registry;
    private final String prefix;
    private final Counter attempts;
    private final Counter contention;
    private final Counter takeovers;
    private final Counter retryTimeouts;
    private final Timer acquisition;
    private final Timer hold;

    public LockMetrics(MeterRegistry registry, String prefix) {
        this.registry = registry;
        this.prefix = prefix;
        attempts = Counter.builder(prefix + ".lock.acquisition.attempts")
                .description("Lease acquisition attempts (one create, maybe a get and a takeover update)")
                .register(registry);
        contention = Counter.builder(prefix + ".lock.contention")
                .description("Acquisition attempts that found the Lease held by someone else").register(registry);
        takeovers = Counter.builder(prefix + ".lock.takeovers")
                .description("Expired Leases taken over from another holder").register(registry);
        retryTimeouts = Counter.builder(prefix + ".lock.retry.timeout")
                .description("Acquisitions that stayed contended through every backoff attempt").register(registry);
        acquisition = Timer.builder(prefix + ".lock.acquisition.duration")
                .description("From asking for the lock to holding it (in-process wait and retries included)")
                .publishPercentileHistogram().register(registry);
        hold = Timer.builder(prefix + ".lock.hold.duration").description("From acquiring a Lease to releasing it")
                .publishPercentileHistogram().register(registry);
        for (FailureReason r : FailureReason.values()) {
            failureCounter(r); // expose every reason at 0 from the start
        }
        for (String verb : new String[] {"get", "create", "update", "delete"}) {
            leaseCallCounter(verb);
        }
    }

    public void attempt() {
        attempts.increment();
    }

    public void contended() {
        contention.increment();
    }

    public void tookOver() {
        takeovers.increment();
    }

    public void acquired(Duration waited) {
        acquisition.record(waited);
    }

    public void released(Duration held) {
        hold.record(held);
    }

    public void failed(FailureReason reason) {
        failureCounter(reason).increment();
        if (reason == FailureReason.TIMEOUT) {
            retryTimeouts.increment();
        }
    }

    public void leaseCall(String verb) {
        leaseCallCounter(verb).increment();
    }

    private Counter failureCounter(FailureReason reason) {
        return Counter.builder(prefix + ".lock.acquisition.failures").tag("reason", reason.tag)
                .description("Lock acquisitions that failed, by reason").register(registry);
    }

    private Counter leaseCallCounter(String verb) {
        return Counter.builder(prefix + ".lease.api.calls").tag("verb", verb)
                .description("Calls to the Lease API by verb").register(registry);
    }
}
