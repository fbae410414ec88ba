package ai.kubernaut.gateway.dedup;

import static ai.kubernaut.gateway.dedup.TestSignals.countOf;
import static ai.kubernaut.gateway.dedup.TestSignals.randomFingerprint;
import static ai.kubernaut.gateway.dedup.TestSignals.rrsOf;
import static ai.kubernaut.gateway.dedup.TestSignals.signal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.kubernaut.gateway.cluster.TestApiServerResource;
import ai.kubernaut.testserver.EmbeddedApiServer;
import ai.kubernaut.testserver.RequestRecord;
import ai.kubernaut.gateway.dedup.ConcurrentSignals.Answer;
import ai.kubernaut.gateway.lock.LockSettings;
import ai.kubernaut.gateway.model.RemediationRequest;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.awaitility.Awaitility;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * Several replicas (recorders with their own client, lock manager and pod name) and many concurrent callers on
 * one fingerprint: exactly one RR, and its count equals the answers given.
 */
@QuarkusTest
@QuarkusTestResource(value = TestApiServerResource.class, restrictToAnnotatedClass = false)
class ReplicaRaceTest {

    private static final Logger LOG = Logger.getLogger(ReplicaRaceTest.class);

    final EmbeddedApiServer cluster = TestApiServerResource.server();
    /** Where this test's requests start in the server's log (a new test instance per test). */
    long mark = cluster.mark();

    /** Exactly one CREATED; every answer a success; the counts answered are 1..n, each once; the RR says n. */
    static RemediationRequest assertExact(EmbeddedApiServer cluster, String fp, List<Answer> answers, int n) {
        List<Throwable> failures = answers.stream().map(Answer::failure).filter(f -> f != null).toList();
        assertEquals(List.of(), failures, "every signal answered 201 or 202");
        assertEquals(n, answers.size());
        assertEquals(1, answers.stream().filter(a -> a.recorded().outcome() == Recorded.Outcome.CREATED).count(),
                "exactly one 201");
        List<RemediationRequest> rrs = rrsOf(cluster, fp);
        assertEquals(1, rrs.size(), "exactly one RR");
        RemediationRequest rr = rrs.get(0);
        assertTrue(answers.stream().allMatch(a -> a.recorded().rrName().equals(rr.getMetadata().getName())));
        assertEquals(n, countOf(rr), "occurrenceCount = answers (202s + the 201)");
        Set<Long> counts = answers.stream().map(a -> a.recorded().occurrenceCount())
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(LongStream.rangeClosed(1, n).boxed().collect(Collectors.toCollection(TreeSet::new)), counts,
                "each answer has its own position in the count");
        return rr;
    }

    void assertNoLeaseLeft(String fp) {
        String lease = LockSettings.gateway("x", "x", Duration.ofSeconds(30)).leaseName(fp);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                cluster.admin().leases().inNamespace(TestSignals.NAMESPACE).withName(lease).get() == null);
    }

    @Test
    void threeReplicasFifteenConcurrentEachMakeOneRrWithAnExactCount() throws Exception {
        String fp = randomFingerprint();
        try (var replicas = new TestSignals.Replicas(cluster, 3, s -> s)) {
            List<Answer> answers = ConcurrentSignals.run(45, 1, i -> replicas.get(i % 3), i -> signal(fp));
            assertExact(cluster, fp, answers, 45);
            assertEquals(1, replicas.counterSum("gateway.crds.created"));
            assertEquals(44, replicas.counterSum("gateway.signals.deduplicated"));
            assertNoLeaseLeft(fp);
        }
    }

    @Test
    void hundredConcurrentOnOneReplicaMakeOneRrAndOneLeaseCreate() throws Exception {
        String fp = randomFingerprint();
        mark = cluster.mark();
        try (var replicas = new TestSignals.Replicas(cluster, 1, s -> s)) {
            List<Answer> answers = ConcurrentSignals.run(100, 1, i -> replicas.get(0), i -> signal(fp));
            assertExact(cluster, fp, answers, 100);
            assertNoLeaseLeft(fp);
            // in-process exclusion: the other 99 waited inside the replica and became duplicates
            List<RequestRecord> leaseCalls = TestSignals.sentByGateway(cluster, mark, RequestRecord::isLease);
            assertEquals(List.of("POST", "DELETE"), leaseCalls.stream().map(RequestRecord::method).toList(),
                    () -> "" + leaseCalls);
            assertEquals(0, replicas.counter(0, "gateway.lock.contention"));
        }
    }

    @Test
    void stormOfAThousandFromAHundredCallersCountsEveryOneWithFewStatusWrites() throws Exception {
        String fp = randomFingerprint();
        try (var replicas = new TestSignals.Replicas(cluster, 1, s -> s)) {
            long t0 = System.nanoTime();
            List<Answer> answers = ConcurrentSignals.run(100, 10, i -> replicas.get(0), i -> signal(fp));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertExact(cluster, fp, answers, 1000);
            double duplicates = replicas.counter(0, "gateway.signals.deduplicated");
            double writes = replicas.counter(0, "gateway.status.writes");
            double conflicts = replicas.counter(0, "gateway.status.writes", "result", "conflict");
            assertEquals(999, duplicates);
            double perDuplicate = writes / duplicates;
            LOG.infof("STORM 1000 signals / 100 callers: %d ms, 1 RR, occurrenceCount 1000, status writes %.0f "
                    + "(conflicts %.0f), status writes per duplicate %.3f, lock timeouts %.0f", ms, writes, conflicts,
                    perDuplicate, replicas.counter(0, "gateway.lock.retry.timeout"));
            assertTrue(perDuplicate < 1.0, "group commit: fewer status writes than duplicates, was " + perDuplicate);
        }
    }

    @Test
    void withTheLockOffTheFencedNameStillMakesOneRr() throws Exception {
        String fp = randomFingerprint();
        mark = cluster.mark();
        try (var replicas = new TestSignals.Replicas(cluster, 3, s -> s.withLockEnabled(false))) {
            List<Answer> answers = ConcurrentSignals.run(45, 1, i -> replicas.get(i % 3), i -> signal(fp));
            assertExact(cluster, fp, answers, 45);
            assertEquals(List.of(), TestSignals.sentByGateway(cluster, mark, RequestRecord::isLease), "no Lease calls with the lock off");
            LOG.infof("lock off, 3 replicas x 15: creates fenced by 409: %.0f",
                    replicas.counterSum("gateway.crd.creation.errors", "error_type", "already_exists"));
        }
    }
}
