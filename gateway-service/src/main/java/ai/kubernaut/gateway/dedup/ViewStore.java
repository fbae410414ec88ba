package ai.kubernaut.gateway.dedup;

import ai.kubernaut.gateway.model.RemediationRequest;
import ai.kubernaut.gateway.model.RemediationRequestSpec;
import ai.kubernaut.gateway.model.RemediationRequestStatus;
import ai.kubernaut.gateway.model.RemediationRequestStatus.OverallPhase;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The view's item store: of the RRs of the controller namespace, what deduplication reads and nothing else
 * (ADR-052-002, addendum "the view's memory"). It receives every RR as the informer decodes it
 * ({@link ViewedRemediationRequest}: only those fields), a page of a list or one watch event at a time, and keeps:
 * <ul>
 * <li>an <b>active</b> RR as the generated model's slim copy (see {@link InformerView#slim}; it may be counted on:
 * its deduplication block and resourceVersion are read);</li>
 * <li>a <b>terminal</b> RR only as a link of its fingerprint's supersedes chain: its key, the name it supersedes,
 * its creation time and phase (about 300 bytes measured; its slim copy took about eight times that, the decoded
 * model with its payload far more).</li>
 * </ul>
 * For a fingerprint it answers the active RRs and the head of the chain ({@link DedupRules#chainHead}, computed
 * from the links), which is all {@link DedupRules#view} reads: the oldest active RR, or when there is none the head
 * as the predecessor. The head is computed from the links of the terminal RRs that exist now, so it is the same
 * as from all their copies, in whatever order a list delivered them and whichever were deleted since.
 *
 * <p>Every RR stored with a fingerprint wakes the requests waiting for one ({@link ViewArrivals}).
 *
 * <p>Thread-safe: the informer writes, requests read.
 */
final class ViewStore implements ItemStore<ViewedRemediationRequest> {

    /** What is kept of a terminal RR. {@code nanos} -1: its creationTimestamp did not parse (ordered as newest). */
    private record Link(String key, String supersedes, long seconds, int nanos, OverallPhase phase, Group group) {
    }

    /** The RRs of one fingerprint. */
    private static final class Group {
        final String fingerprint;
        final Map<String, RemediationRequest> active = new LinkedHashMap<>(2);
        final List<Link> terminal = new ArrayList<>(2);
        /** The chain head of {@link #terminal}, once computed; reset by every change of the group. */
        RemediationRequest head;

        Group(String fingerprint) {
            this.fingerprint = fingerprint;
        }

        boolean isEmpty() {
            return active.isEmpty() && terminal.isEmpty();
        }
    }

    /** key (namespace/name) -> its active slim copy or its {@link Link}. */
    private final Map<String, Object> byKey = new HashMap<>();
    private final Map<String, Group> byFingerprint = new HashMap<>();
    /** RRs without a fingerprint (nothing dedup reads): only their keys, for the informer's relists. */
    private final Set<String> unindexed = new HashSet<>();
    /** Converts an active RR's fields into the generated model as decoding them would. */
    private final KubernetesSerialization serialization;
    /** Who waits for an RR of a fingerprint to arrive here: woken by every RR stored with that fingerprint. */
    private final ViewArrivals arrivals = new ViewArrivals();

    ViewStore(KubernetesSerialization serialization) {
        this.serialization = serialization;
    }

    /** The fingerprint's active RRs (slim) and the head of its chain, if it has terminal RRs. */
    synchronized List<RemediationRequest> ofFingerprint(String fingerprint) {
        Group group = byFingerprint.get(fingerprint);
        if (group == null) {
            return List.of();
        }
        List<RemediationRequest> answer = new ArrayList<>(group.active.size() + 1);
        answer.addAll(group.active.values());
        if (!group.terminal.isEmpty()) {
            if (group.head == null) {
                List<RemediationRequest> terminal = group.terminal.stream().map(ViewStore::materialize).toList();
                String name = DedupRules.chainHead(terminal);
                group.head = terminal.stream().filter(rr -> rr.getMetadata().getName().equals(name)).findFirst()
                        .orElseThrow();
            }
            answer.add(group.head);
        }
        return answer;
    }

    /** Whether a terminal RR {@code name} of {@code fingerprint} is kept (as a link), the chain's head or not. */
    synchronized boolean knowsTerminal(String fingerprint, String name) {
        Group group = byFingerprint.get(fingerprint);
        if (group == null) {
            return false;
        }
        for (Link link : group.terminal) {
            String key = link.key();
            if (key.length() > name.length() && key.endsWith(name) && key.charAt(key.length() - name.length() - 1) == '/') {
                return true;
            }
        }
        return false;
    }

    @Override
    public String getKey(ViewedRemediationRequest rr) {
        return Cache.metaNamespaceKeyFunc(rr);
    }

    @Override
    public synchronized ViewedRemediationRequest put(String key, ViewedRemediationRequest rr) {
        ViewedRemediationRequest old = viewed(detach(key));
        String fingerprint = rr.getSpec() == null ? null : rr.getSpec().getSignalFingerprint();
        if (fingerprint == null) {
            unindexed.add(key);
            return old;
        }
        Group group = byFingerprint.computeIfAbsent(fingerprint, Group::new);
        group.head = null;
        OverallPhase phase = phaseOf(rr);
        if (phase != null && DedupRules.TERMINAL.contains(phase)) {
            Instant created = createdAt(rr.getMetadata().getCreationTimestamp());
            Map<String, String> annotations = rr.getMetadata().getAnnotations();
            Link link = new Link(key, annotations == null ? null : annotations.get(DedupRules.SUPERSEDES_ANNOTATION),
                    created == null ? 0 : created.getEpochSecond(), created == null ? -1 : created.getNano(),
                    phase, group);
            group.terminal.add(link);
            byKey.put(key, link);
        } else {
            RemediationRequest slim = slim(rr);
            group.active.put(key, slim);
            byKey.put(key, slim);
        }
        arrivals.arrived(fingerprint); // stored: a waiter that looks now sees it
        return old;
    }

    /** The waits for an RR of a fingerprint to be stored here. */
    ViewArrivals arrivals() {
        return arrivals;
    }

    @Override
    public synchronized ViewedRemediationRequest remove(String key) {
        return viewed(detach(key));
    }

    /**
     * An active RR as the generated model's slim copy ({@link InformerView#slim}'s fields): spec and status converted
     * from what was decoded, exactly as decoding them into the model would.
     */
    private RemediationRequest slim(ViewedRemediationRequest rr) {
        RemediationRequest s = new RemediationRequest();
        s.setMetadata(InformerView.slimMetadata(rr.getMetadata()));
        Map<String, Object> spec = new HashMap<>();
        spec.put("signalFingerprint", rr.getSpec().getSignalFingerprint());
        spec.put("receivedTime", rr.getSpec().getReceivedTime());
        s.setSpec(serialization.convertValue(spec, RemediationRequestSpec.class));
        if (rr.getStatus() != null
                && (rr.getStatus().getOverallPhase() != null || rr.getStatus().getDeduplication() != null)) {
            Map<String, Object> status = new HashMap<>();
            status.put("overallPhase", rr.getStatus().getOverallPhase());
            status.put("deduplication", rr.getStatus().getDeduplication());
            s.setStatus(serialization.convertValue(status, RemediationRequestStatus.class));
        }
        return s;
    }

    /** The decoded phase; null when there is none or it is no phase the model knows (then the RR counts as active). */
    private static OverallPhase phaseOf(ViewedRemediationRequest rr) {
        String value = rr.getStatus() == null ? null : rr.getStatus().getOverallPhase();
        if (value != null) {
            for (OverallPhase phase : OverallPhase.values()) {
                if (phase.getValue().equals(value)) {
                    return phase;
                }
            }
        }
        return null;
    }

    /** What fabric8 is handed back for a key it stored: its identity (key and resourceVersion) is all it reads. */
    private static ViewedRemediationRequest viewed(RemediationRequest rr) {
        if (rr == null) {
            return null;
        }
        ViewedRemediationRequest viewed = new ViewedRemediationRequest();
        ObjectMeta meta = new ObjectMeta();
        meta.setName(rr.getMetadata().getName());
        meta.setNamespace(rr.getMetadata().getNamespace());
        meta.setResourceVersion(rr.getMetadata().getResourceVersion());
        viewed.setMetadata(meta);
        return viewed;
    }

    /** Removes what is kept of {@code key}; returns it (a link as its materialized copy), null when nothing was. */
    private RemediationRequest detach(String key) {
        if (unindexed.remove(key)) {
            return stub(key);
        }
        Object kept = byKey.remove(key);
        if (kept == null) {
            return null;
        }
        Group group;
        RemediationRequest old;
        if (kept instanceof Link link) {
            group = link.group();
            group.terminal.remove(link);
            old = materialize(link);
        } else {
            old = (RemediationRequest) kept;
            group = byFingerprint.get(old.getSpec().getSignalFingerprint());
            group.active.remove(key);
        }
        group.head = null;
        if (group.isEmpty()) {
            byFingerprint.remove(group.fingerprint);
        }
        return old;
    }

    @Override
    public synchronized Stream<String> keySet() {
        List<String> keys = new ArrayList<>(byKey.size() + unindexed.size());
        keys.addAll(byKey.keySet());
        keys.addAll(unindexed);
        return keys.stream();
    }

    /**
     * Every RR known, by its key only: what the informer reads of them at the end of each (re)list, to drop those the
     * list no longer had (100,000 at once with months of history: no materialized links).
     */
    @Override
    public synchronized Stream<ViewedRemediationRequest> values() {
        List<ViewedRemediationRequest> all = new ArrayList<>(byKey.size() + unindexed.size());
        for (String key : byKey.keySet()) {
            all.add(identified(key));
        }
        for (String key : unindexed) {
            all.add(identified(key));
        }
        return all.stream();
    }

    private static ViewedRemediationRequest identified(String key) {
        ViewedRemediationRequest rr = new ViewedRemediationRequest();
        rr.setMetadata(metadataOf(key));
        return rr;
    }

    @Override
    public synchronized int size() {
        return byKey.size() + unindexed.size();
    }

    /** Fingerprints with an RR. */
    synchronized int fingerprints() {
        return byFingerprint.size();
    }

    @Override
    public synchronized ViewedRemediationRequest get(String key) {
        return viewed(kept(key));
    }

    /** What is kept of {@code key}, as dedup reads it (a link materialized); null when nothing is. */
    synchronized RemediationRequest kept(String key) {
        Object kept = byKey.get(key);
        if (kept == null) {
            return unindexed.contains(key) ? stub(key) : null;
        }
        return kept instanceof Link link ? materialize(link) : (RemediationRequest) kept;
    }

    private static RemediationRequest stub(String key) {
        RemediationRequest stub = new RemediationRequest();
        stub.setMetadata(metadataOf(key));
        return stub;
    }

    /** A terminal RR as dedup reads it: name, namespace, creation time, supersedes, fingerprint, phase. */
    private static RemediationRequest materialize(Link link) {
        RemediationRequest rr = new RemediationRequest();
        ObjectMeta meta = metadataOf(link.key());
        if (link.nanos() >= 0) {
            meta.setCreationTimestamp(Instant.ofEpochSecond(link.seconds(), link.nanos()).toString());
        }
        if (link.supersedes() != null) {
            meta.setAnnotations(Map.of(DedupRules.SUPERSEDES_ANNOTATION, link.supersedes()));
        }
        rr.setMetadata(meta);
        RemediationRequestSpec spec = new RemediationRequestSpec();
        spec.setSignalFingerprint(link.group().fingerprint);
        rr.setSpec(spec);
        RemediationRequestStatus status = new RemediationRequestStatus();
        status.setOverallPhase(link.phase());
        rr.setStatus(status);
        return rr;
    }

    private static ObjectMeta metadataOf(String key) {
        ObjectMeta meta = new ObjectMeta();
        int slash = key.indexOf('/');
        meta.setNamespace(slash < 0 ? null : key.substring(0, slash));
        meta.setName(key.substring(slash + 1));
        return meta;
    }

    private static Instant createdAt(String ts) {
        try {
            return ts == null ? null : Instant.parse(ts);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
