package ai.kubernaut.gateway.fingerprint;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a Pod that is gone (404) came from, read back from the way its controller named it, so that the signals
 * still arriving about it (a kubelet's Warning events, an alert that has not resolved yet) keep the fingerprint
 * of its workload instead of opening a second target {@code Pod/x} next to {@code Deployment/y}.
 *
 * <p>The controllers' naming (kubernetes/pkg/controller): a ReplicaSet of a Deployment is
 * {@code <deployment>-<pod-template-hash>}; pods of a ReplicaSet, DaemonSet or Job get {@code generateName}
 * {@code <owner>-} plus 5 characters of {@link #SUFFIX} (the base cut at 58 characters); a StatefulSet's pods are
 * {@code <statefulset>-<ordinal>}; a CronJob's Job is {@code <cronjob>-<scheduled time>} (minutes since the epoch,
 * seconds before Kubernetes 1.21). The same controllers label the pod: {@code pod-template-hash} (Deployment),
 * {@code statefulset.kubernetes.io/pod-name}, {@code apps.kubernetes.io/pod-index} and
 * {@code controller-revision-hash = <statefulset>-<hash>} (StatefulSet), {@code pod-template-generation}
 * (DaemonSet), {@code job-name} and {@code batch.kubernetes.io/job-name} (Job).
 *
 * <p>Confidence rules, in order (the first that applies decides):
 * <ol>
 * <li><b>Labels</b>: the signal carries a label only that controller sets, and the pod name has the form that
 * controller gives, with the label's value in it; then the owner is {@link Known} without a read
 * (Deployment, StatefulSet, DaemonSet) or, for a Job, read to find its CronJob.</li>
 * <li><b>Name alone</b> (a Kubernetes Event names only its involved object): every owner the name could come
 * from is a {@link Candidate} that counts only if a GET finds it (ReplicaSet, Job, DaemonSet for
 * {@code <base>-<5 chars>}, StatefulSet for {@code <base>-<ordinal>}); a ReplicaSet or Job found is followed up
 * its owner chain as for a live pod. A Deployment is never taken from a name alone: {@code <a>-<b>-<5 chars>} is
 * as well a DaemonSet's or a Job's pod, so only its ReplicaSet, read, leads to the Deployment.</li>
 * <li><b>A CronJob's Job</b> that is gone too: {@code <cronjob>-<n>} where {@code n} is a scheduled time between
 * 2015 and tomorrow, in minutes or seconds since the epoch (such a number starts with 1, 2 or 3, digits no
 * pod-template-hash has, so it is not a Deployment's ReplicaSet); taken after every read found nothing.</li>
 * </ol>
 * Nothing applies: the Pod as named, never cached (it may exist again, or the next signal may say more).
 *
 * <p>Labels are looked up as Kubernetes spells them ({@code pod-template-hash}), as Prometheus relabelling of
 * {@code __meta_kubernetes_pod_label_*} does ({@code pod_template_hash}) and as kube-state-metrics'
 * {@code kube_pod_labels} does ({@code label_pod_template_hash}).
 */
public final class MissingPodOwners {

    /** The alphabet of generated name suffixes (k8s.io/apimachinery/pkg/util/rand): no vowels, no 0, 1, 3. */
    static final String SUFFIX = "[bcdfghjklmnpqrstvwxz2456789]";
    /** A hash as the controllers render one (rand.SafeEncodeString of a decimal uint32): digits map to these. */
    static final String HASH = "[4-9bcdf]";
    /** generateName keeps at most this many characters of the base before the 5 random ones. */
    static final int MAX_GENERATED_BASE = 58;

    private static final Pattern GENERATED = Pattern.compile("^(.+)-" + SUFFIX + "{5}$");
    private static final Pattern ORDINAL = Pattern.compile("^(.+)-(0|[1-9][0-9]{0,8})$");
    private static final Pattern SCHEDULED = Pattern.compile("^(.+)-([1-9][0-9]{7,9})$");
    private static final Pattern DEPLOYMENT_RS = Pattern.compile("^(.+)-" + HASH + "{1,10}$");
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]*[a-z0-9])?");
    private static final Instant SCHEDULES_FROM = Instant.parse("2015-01-01T00:00:00Z");

    /** What to do with one possible owner. */
    public sealed interface Step {
        String kind();

        String name();

        String apiVersion();

        /** Which rule produced it, for logs and tests. */
        String rule();
    }

    /** The owner, on the evidence of the signal's labels (or the CronJob naming rule): no read needed. */
    public record Known(String kind, String name, String apiVersion, String rule) implements Step {
    }

    /** A possible owner that counts only if a GET finds it (a ReplicaSet or Job found is followed further). */
    public record Candidate(String kind, String name, String apiVersion, String rule) implements Step {
    }

    private MissingPodOwners() {
    }

    /**
     * The steps to try, in order, for a Pod {@code podName} that is gone.
     *
     * @param labels the signal's labels (an alert's; a Kubernetes Event's own, which rarely say anything)
     * @param now    to judge whether a number in a Job's name is a scheduled time
     */
    public static List<Step> ofPod(String podName, Map<String, String> labels, Instant now) {
        Optional<List<Step>> byLabels = byLabels(podName, labels == null ? Map.of() : labels, now);
        return byLabels.orElseGet(() -> byName(podName, now));
    }

    /** The steps for a Job that is gone: its CronJob, if its name is one a CronJob gives. */
    public static List<Step> ofJob(String jobName, Instant now) {
        return cronJobOf(jobName, now).map(c -> List.<Step>of(new Known("CronJob", c, "batch/v1",
                "job-name-has-a-schedule-time"))).orElse(List.of());
    }

    private static Optional<List<Step>> byLabels(String pod, Map<String, String> labels, Instant now) {
        Optional<String> hash = label(labels, "pod-template-hash");
        if (hash.isPresent()) {
            // <deployment>-<hash>-<5>: the hash's own value marks where the Deployment's name ends
            String suffix = "-" + hash.get() + "-";
            int at = pod.lastIndexOf(suffix);
            if (at > 0 && at + suffix.length() + 5 == pod.length() && GENERATED.matcher(pod).matches()
                    && isName(pod.substring(0, at))) {
                return Optional.of(List.of(new Known("Deployment", pod.substring(0, at), "apps/v1",
                        "label-pod-template-hash")));
            }
        }
        Matcher ordinal = ORDINAL.matcher(pod);
        if (ordinal.matches() && isName(ordinal.group(1))) {
            String sts = ordinal.group(1);
            boolean podName = label(labels, "statefulset.kubernetes.io/pod-name").filter(pod::equals).isPresent();
            boolean podIndex = label(labels, "apps.kubernetes.io/pod-index").filter(ordinal.group(2)::equals)
                    .isPresent();
            boolean revision = label(labels, "controller-revision-hash").filter(r -> r.startsWith(sts + "-"))
                    .isPresent();
            if (podName || podIndex || revision) {
                return Optional.of(List.of(new Known("StatefulSet", sts, "apps/v1", "label-statefulset")));
            }
        }
        Matcher generated = GENERATED.matcher(pod);
        if (generated.matches() && label(labels, "pod-template-generation").isPresent() && isWhole(pod)
                && isName(generated.group(1))) {
            return Optional.of(List.of(new Known("DaemonSet", generated.group(1), "apps/v1",
                    "label-pod-template-generation")));
        }
        Optional<String> job = label(labels, "batch.kubernetes.io/job-name").or(() -> label(labels, "job-name"));
        if (job.isPresent() && isName(job.get()) && isGeneratedFrom(pod, job.get())) {
            // the Job may still exist (a pod replaced after a failure): read it for its CronJob
            List<Step> steps = new ArrayList<>();
            steps.add(new Candidate("Job", job.get(), "batch/v1", "label-job-name"));
            steps.add(cronJobOf(job.get(), now)
                    .<Step>map(c -> new Known("CronJob", c, "batch/v1", "label-job-name+schedule-time"))
                    .orElseGet(() -> new Known("Job", job.get(), "batch/v1", "label-job-name")));
            return Optional.of(steps);
        }
        return Optional.empty();
    }

    private static List<Step> byName(String pod, Instant now) {
        List<Step> steps = new ArrayList<>();
        Matcher generated = GENERATED.matcher(pod);
        if (generated.matches() && isName(generated.group(1))) {
            String base = generated.group(1);
            Candidate replicaSet = new Candidate("ReplicaSet", base, "apps/v1", "name-generated");
            Candidate job = new Candidate("Job", base, "batch/v1", "name-generated");
            Candidate daemonSet = new Candidate("DaemonSet", base, "apps/v1", "name-generated");
            // the likeliest first: a hash-shaped base is a Deployment's ReplicaSet
            steps.addAll(DEPLOYMENT_RS.matcher(base).matches() ? List.of(replicaSet, job, daemonSet)
                    : List.of(job, daemonSet, replicaSet));
        }
        Matcher ordinal = ORDINAL.matcher(pod);
        if (ordinal.matches() && isName(ordinal.group(1))) {
            steps.add(new Candidate("StatefulSet", ordinal.group(1), "apps/v1", "name-ordinal"));
        }
        if (generated.matches() && isWhole(pod)) {
            cronJobOf(generated.group(1), now).ifPresent(c -> steps.add(new Known("CronJob", c, "batch/v1",
                    "name-generated+schedule-time")));
        }
        return steps;
    }

    /** The CronJob that would have named a Job so: {@code <cronjob>-<scheduled time>}. */
    static Optional<String> cronJobOf(String jobName, Instant now) {
        Matcher m = SCHEDULED.matcher(jobName);
        if (!m.matches() || !isName(m.group(1))) {
            return Optional.empty();
        }
        long n = Long.parseLong(m.group(2));
        Instant latest = now.plus(Duration.ofDays(1));
        boolean minutes = isBetween(Instant.ofEpochSecond(n * 60), SCHEDULES_FROM, latest);
        boolean seconds = isBetween(Instant.ofEpochSecond(n), SCHEDULES_FROM, latest);
        return minutes || seconds ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** Whether {@code pod} is a name generateName makes from {@code owner + "-"} (cut at 58 characters). */
    private static boolean isGeneratedFrom(String pod, String owner) {
        String base = owner + "-";
        if (base.length() > MAX_GENERATED_BASE) {
            base = base.substring(0, MAX_GENERATED_BASE);
        }
        return pod.startsWith(base) && pod.length() > base.length();
    }

    /** Whether a generated name kept its whole base: a base of 58 characters may have been cut. */
    private static boolean isWhole(String generatedName) {
        return generatedName.length() < MAX_GENERATED_BASE + 5;
    }

    private static boolean isBetween(Instant t, Instant from, Instant to) {
        return !t.isBefore(from) && !t.isAfter(to);
    }

    private static boolean isName(String s) {
        return s.length() <= 253 && NAME.matcher(s).matches();
    }

    /**
     * A pod label as Kubernetes spells it, as Prometheus relabelling makes it ({@code a.b/c-d} ->
     * {@code a_b_c_d}), or as kube-state-metrics' {@code kube_pod_labels} does ({@code label_a_b_c_d}).
     */
    static Optional<String> label(Map<String, String> labels, String key) {
        String sanitized = key.replaceAll("[^A-Za-z0-9_]", "_");
        for (String k : List.of(key, sanitized, "label_" + sanitized)) {
            String v = labels.get(k);
            if (v != null && !v.isEmpty()) {
                return Optional.of(v);
            }
        }
        return Optional.empty();
    }
}
