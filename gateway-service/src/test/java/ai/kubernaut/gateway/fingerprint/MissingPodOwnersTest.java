package ai.kubernaut.gateway.fingerprint;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.kubernaut.gateway.fingerprint.MissingPodOwners.Candidate;
import ai.kubernaut.gateway.fingerprint.MissingPodOwners.Known;
import ai.kubernaut.gateway.fingerprint.MissingPodOwners.Step;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The naming rules and their confidence, one kind at a time (the reads are OwnerResolverTest's). */
class MissingPodOwnersTest {

    private static final Instant NOW = Instant.parse("2024-05-01T10:00:00Z");
    /** NOW in minutes since the epoch: a CronJob's Job scheduled now is named {@code <cronjob>-28575960}. */
    private static final long MINUTES = 28_575_960L;

    private static List<String> steps(String pod, Map<String, String> labels) {
        return MissingPodOwners.ofPod(pod, labels, NOW).stream().map(MissingPodOwnersTest::describe).toList();
    }

    private static String describe(Step s) {
        return (s instanceof Known ? "known " : "read ") + s.kind() + "/" + s.name();
    }

    @Test
    void deploymentPodByItsPodTemplateHashLabelInEverySpelling() {
        for (String label : List.of("pod-template-hash", "pod_template_hash", "label_pod_template_hash")) {
            assertEquals(List.of("known Deployment/web"), steps("web-7d9f8b6c5-xk2lp", Map.of(label, "7d9f8b6c5")));
        }
        // dashes in the Deployment's name, and a hash of fewer characters
        assertEquals(List.of("known Deployment/shop-cart-api"),
                steps("shop-cart-api-66b6c48-q9z4t", Map.of("pod-template-hash", "66b6c48")));
    }

    @Test
    void deploymentPodByNameAloneIsOnlyAReplicaSetToRead() {
        // a Deployment's pod shape, but a DaemonSet "web-7d9f8b6c5" or a Job of that name would name pods so too
        assertEquals(List.of("read ReplicaSet/web-7d9f8b6c5", "read Job/web-7d9f8b6c5", "read DaemonSet/web-7d9f8b6c5"),
                steps("web-7d9f8b6c5-xk2lp", Map.of()));
        // a hash label that is not in the name says nothing: the name alone again
        assertEquals(List.of("read ReplicaSet/web-7d9f8b6c5", "read Job/web-7d9f8b6c5", "read DaemonSet/web-7d9f8b6c5"),
                steps("web-7d9f8b6c5-xk2lp", Map.of("pod_template_hash", "6b5c4d8f9")));
    }

    @Test
    void statefulSetPodByItsLabelsOrItsOrdinal() {
        assertEquals(List.of("known StatefulSet/db"),
                steps("db-1", Map.of("statefulset.kubernetes.io/pod-name", "db-1")));
        assertEquals(List.of("known StatefulSet/db"), steps("db-1", Map.of("apps_kubernetes_io_pod_index", "1")));
        assertEquals(List.of("known StatefulSet/kafka-broker"),
                steps("kafka-broker-12", Map.of("controller_revision_hash", "kafka-broker-5b8c9d7f4")));
        // a label of another pod of the set (an exported_ mix-up) does not fit the name: only the read counts
        assertEquals(List.of("read StatefulSet/db"), steps("db-1", Map.of("statefulset_kubernetes_io_pod_name", "db-0")));
        assertEquals(List.of("read StatefulSet/db"), steps("db-0", Map.of()));
    }

    @Test
    void daemonSetPodByItsGenerationLabelOrARead() {
        assertEquals(List.of("known DaemonSet/node-agent"),
                steps("node-agent-x7k2p", Map.of("pod-template-generation", "4")));
        assertEquals(List.of("read Job/node-agent", "read DaemonSet/node-agent", "read ReplicaSet/node-agent"),
                steps("node-agent-x7k2p", Map.of()));
    }

    @Test
    void jobPodByItsJobNameLabelsThenItsCronJob() {
        assertEquals(List.of("read Job/migrate", "known Job/migrate"),
                steps("migrate-q9z4t", Map.of("job-name", "migrate")));
        assertEquals(List.of("read Job/backup-" + MINUTES, "known CronJob/backup"),
                steps("backup-" + MINUTES + "-q9z4t", Map.of("label_batch_kubernetes_io_job_name", "backup-" + MINUTES)));
        // an Indexed Job's pod: <job>-<index>-<5>
        assertEquals(List.of("read Job/train", "known Job/train"),
                steps("train-3-q9z4t", Map.of("batch.kubernetes.io/job-name", "train")));
        // a job-name label that did not name this pod is ignored
        assertEquals(List.of("read Job/migrate", "read DaemonSet/migrate", "read ReplicaSet/migrate"),
                steps("migrate-q9z4t", Map.of("job-name", "other")));
    }

    @Test
    void cronJobPodByNameIsReadFirstAndTakenOnlyWithAScheduleTime() {
        assertEquals(List.of("read Job/report-" + MINUTES, "read DaemonSet/report-" + MINUTES,
                "read ReplicaSet/report-" + MINUTES, "known CronJob/report"), steps("report-" + MINUTES + "-x7k2p",
                        Map.of()));
        // seconds, as CronJob controllers before Kubernetes 1.21 named their Jobs
        assertEquals(Optional.of("report"), MissingPodOwners.cronJobOf("report-" + NOW.getEpochSecond(), NOW));
        assertEquals(Optional.of("report"), MissingPodOwners.cronJobOf("report-" + MINUTES, NOW));
        assertEquals(Optional.empty(), MissingPodOwners.cronJobOf("report-15778080", NOW), "the year 2000");
        assertEquals(Optional.empty(), MissingPodOwners.cronJobOf("report-" + (MINUTES + 2 * 1440), NOW), "the future");
        assertEquals(Optional.empty(), MissingPodOwners.cronJobOf("report-42", NOW));
        assertEquals(List.of(), MissingPodOwners.ofJob("migrate", NOW));
    }

    @Test
    void anAmbiguousNameListsEveryOwnerThatCouldHaveMadeIt() {
        // 24567 is both an ordinal and a generated suffix
        assertEquals(List.of("read Job/web", "read DaemonSet/web", "read ReplicaSet/web", "read StatefulSet/web"),
                steps("web-24567", Map.of()));
    }

    @Test
    void namesNoControllerGivesSayNothing() {
        assertEquals(List.of(), steps("standalone", Map.of()));
        // "abcde" has vowels: no generateName made it
        assertEquals(List.of(), steps("debug-abcde", Map.of()));
        // a base cut at 58 characters is no owner's whole name: not taken on a label
        String longBase = "a".repeat(57) + "-";
        assertEquals(58, longBase.length());
        assertEquals(List.of("read Job/" + "a".repeat(57), "read DaemonSet/" + "a".repeat(57),
                "read ReplicaSet/" + "a".repeat(57)), steps(longBase + "x7k2p", Map.of("pod-template-generation", "1")));
    }

    @Test
    void knownAndCandidateCarryTheApiVersionOfTheirKind() {
        Step deployment = MissingPodOwners.ofPod("web-7d9f8b6c5-xk2lp", Map.of("pod-template-hash", "7d9f8b6c5"), NOW)
                .get(0);
        assertEquals(new Known("Deployment", "web", "apps/v1", "label-pod-template-hash"), deployment);
        Step job = MissingPodOwners.ofPod("migrate-q9z4t", Map.of(), NOW).get(0);
        assertEquals(new Candidate("Job", "migrate", "batch/v1", "name-generated"), job);
    }
}
