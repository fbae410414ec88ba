package ai.kubernaut.e2e.observe;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/** RemediationRequests and WorkflowExecutions read generically (the suite shares no model with the services). */
public final class KubernautObjects {

    public static final String API_VERSION = "kubernaut.ai/v1alpha1";
    public static final String RR_KIND = "RemediationRequest";
    public static final String WFE_KIND = "WorkflowExecution";
    public static final Set<String> TERMINAL_RR_PHASES = Set.of("Completed", "Failed", "TimedOut", "Skipped", "Cancelled");
    /** Set by the Gateway on an RR that succeeds a terminal one of the same fingerprint (docs/contracts.md). */
    public static final String SUPERSEDES_ANNOTATION = "kubernaut.ai/supersedes";
    /** The RO's completion outcome for an RR whose WFE it could not find (docs: a 404 of a type not served once caused it). */
    public static final String RR_OUTCOME_WFE_MISSING = "WorkflowExecutionMissing";
    public static final Set<String> TERMINAL_WFE_PHASES = Set.of("Completed", "Failed");

    private KubernautObjects() {
    }

    public static MixedOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>> rrs(KubernetesClient client) {
        return client.genericKubernetesResources(API_VERSION, RR_KIND);
    }

    public static MixedOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>> wfes(KubernetesClient client) {
        return client.genericKubernetesResources(API_VERSION, WFE_KIND);
    }

    public static List<GenericKubernetesResource> listRrs(KubernetesClient client, String namespace) {
        return rrs(client).inNamespace(namespace).list().getItems();
    }

    public static List<GenericKubernetesResource> listWfes(KubernetesClient client, String namespace) {
        return wfes(client).inNamespace(namespace).list().getItems();
    }

    /**
     * Every object of the namespace, handed over a page of 500 at a time: a namespace with months of history
     * (100,000 RRs) does not fit one answer in a test JVM's heap, nor in the test server's.
     */
    public static void forEachPaged(MixedOperation<GenericKubernetesResource, GenericKubernetesResourceList,
            Resource<GenericKubernetesResource>> objects, String namespace, Consumer<GenericKubernetesResource> each) {
        String token = null;
        do {
            GenericKubernetesResourceList page = objects.inNamespace(namespace).list(new ListOptionsBuilder()
                    .withLimit(500L).withContinue(token).build());
            page.getItems().forEach(each);
            token = page.getMetadata() == null ? null : page.getMetadata().getContinue();
        } while (token != null && !token.isEmpty());
    }

    /** How many objects the namespace holds, counted page by page. */
    public static long countPaged(MixedOperation<GenericKubernetesResource, GenericKubernetesResourceList,
            Resource<GenericKubernetesResource>> objects, String namespace) {
        long[] n = {0};
        forEachPaged(objects, namespace, o -> n[0]++);
        return n[0];
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> section(GenericKubernetesResource r, String name) {
        Object value = r.getAdditionalProperties().get(name);
        return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> child(Map<String, Object> parent, String name) {
        Object value = parent.get(name);
        return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static String string(Object value) {
        return value == null ? "" : value.toString();
    }

    public static String fingerprint(GenericKubernetesResource rr) {
        return string(section(rr, "spec").get("signalFingerprint"));
    }

    public static String signalName(GenericKubernetesResource rr) {
        return string(section(rr, "spec").get("signalName"));
    }

    /** {@code status.overallPhase}, "" while unset (a new RR: Pending). */
    public static String rrPhase(GenericKubernetesResource rr) {
        return string(section(rr, "status").get("overallPhase"));
    }

    public static boolean rrActive(GenericKubernetesResource rr) {
        return !TERMINAL_RR_PHASES.contains(rrPhase(rr));
    }

    /** {@code status.deduplication.occurrenceCount}, 0 when unset. */
    public static long occurrenceCount(GenericKubernetesResource rr) {
        Object count = child(section(rr, "status"), "deduplication").get("occurrenceCount");
        return count instanceof Number n ? n.longValue() : count == null ? 0 : Long.parseLong(count.toString());
    }

    /** {@code status.phaseStartedAt}: when {@code overallPhase} last changed ("" while unset). */
    public static String phaseStartedAt(GenericKubernetesResource rr) {
        return string(section(rr, "status").get("phaseStartedAt"));
    }

    /** The Gateway's {@code kubernaut.ai/supersedes} annotation: the terminal RR this one succeeds; null on the first. */
    public static String supersedes(GenericKubernetesResource rr) {
        Map<String, String> annotations = rr.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(SUPERSEDES_ANNOTATION);
    }

    public static String blockReason(GenericKubernetesResource rr) {
        return string(child(section(rr, "status"), "routingStatus").get("blockReason"));
    }

    public static String completionOutcome(GenericKubernetesResource rr) {
        return string(child(section(rr, "status"), "completionStatus").get("outcome"));
    }

    /** {@code spec.targetResource} of a WFE: {@code namespace/Kind/name}. */
    public static String wfeTarget(GenericKubernetesResource wfe) {
        return string(section(wfe, "spec").get("targetResource"));
    }

    public static String wfeRemediationRequest(GenericKubernetesResource wfe) {
        return string(child(section(wfe, "spec"), "remediationRequestRef").get("name"));
    }

    /** {@code status.phase} of a WFE, "" while unset. */
    public static String wfePhase(GenericKubernetesResource wfe) {
        return string(section(wfe, "status").get("phase"));
    }

    public static boolean wfeActive(GenericKubernetesResource wfe) {
        return !TERMINAL_WFE_PHASES.contains(wfePhase(wfe));
    }
}
