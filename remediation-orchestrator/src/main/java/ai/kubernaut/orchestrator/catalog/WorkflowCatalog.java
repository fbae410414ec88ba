package ai.kubernaut.orchestrator.catalog;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The parsed workflow catalog ({@code catalog.yaml} of the ConfigMap, format in docs/contracts.md): entries
 * matched on signal name and severity. First match wins; an exact signal name beats {@code *}.
 */
// Document and RawEntry are read by Jackson through reflection: register them for a native image
@RegisterForReflection(targets = {WorkflowCatalog.Document.class, WorkflowCatalog.RawEntry.class})
public final class WorkflowCatalog {

    public static final WorkflowCatalog EMPTY = new WorkflowCatalog(List.of());
    private static final String ANY = "*";

    /** One catalog entry. */
    public record Entry(String signalName, Optional<String> severity, WorkflowSelection workflow) {
    }

    /** The YAML document as written; unknown keys are ignored so the catalog can grow. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Document(List<RawEntry> workflows) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record RawEntry(String signalName, String severity, String workflowId, String workflowName, String actionType,
            String version, String executionBundle, Map<String, Object> parameters, String cooldown) {
    }

    private final List<Entry> entries;

    private WorkflowCatalog(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    public List<Entry> entries() {
        return entries;
    }

    /**
     * Parses catalog.yaml.
     *
     * @throws IllegalArgumentException with a message naming the bad entry when the document is malformed
     */
    public static WorkflowCatalog parse(String yaml, KubernetesSerialization serialization) {
        if (yaml == null || yaml.isBlank()) {
            return EMPTY;
        }
        Document document;
        try {
            document = serialization.unmarshal(yaml, Document.class);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("catalog.yaml is not a valid catalog document: " + e.getMessage(), e);
        }
        if (document == null || document.workflows() == null) {
            return EMPTY;
        }
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < document.workflows().size(); i++) {
            RawEntry raw = document.workflows().get(i);
            String where = "workflows[" + i + "]";
            if (raw == null || isBlank(raw.signalName())) {
                throw new IllegalArgumentException(where + ": signalName is required (\"*\" matches any signal)");
            }
            if (isBlank(raw.workflowId())) {
                throw new IllegalArgumentException(where + ": workflowId is required");
            }
            Optional<Duration> cooldown;
            try {
                cooldown = isBlank(raw.cooldown()) ? Optional.empty() : Optional.of(GoDuration.parse(raw.cooldown()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": cooldown: " + e.getMessage(), e);
            }
            Map<String, String> parameters = new LinkedHashMap<>();
            if (raw.parameters() != null) {
                raw.parameters().forEach((k, v) -> parameters.put(k, v == null ? "" : String.valueOf(v)));
            }
            Optional<String> severity = isBlank(raw.severity()) || ANY.equals(raw.severity().trim())
                    ? Optional.empty()
                    : Optional.of(raw.severity().trim());
            entries.add(new Entry(raw.signalName().trim(), severity, new WorkflowSelection(raw.workflowId().trim(),
                    raw.workflowName(), raw.actionType(), raw.version(), raw.executionBundle(), parameters,
                    cooldown)));
        }
        return new WorkflowCatalog(entries);
    }

    /** The workflow for a signal: the first entry with this exact signal name, else the first {@code *} entry. */
    public Optional<WorkflowSelection> match(String signalName, String severity) {
        if (signalName == null) {
            return Optional.empty();
        }
        return firstMatch(signalName, severity).or(() -> firstMatch(ANY, severity));
    }

    private Optional<WorkflowSelection> firstMatch(String name, String severity) {
        return entries.stream()
                .filter(e -> e.signalName().equals(name))
                .filter(e -> e.severity().isEmpty() || e.severity().get().equalsIgnoreCase(severity))
                .map(Entry::workflow)
                .findFirst();
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
