package ai.kubernaut.testserver.rbac;

import ai.kubernaut.testserver.RequestAttributes;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What one service's ServiceAccount may do, read from its {@code deploy/base/<service>/rbac.yaml}.
 * Roles bound with a RoleBinding grant their rules in the service's own namespace; ClusterRoles bound
 * with a ClusterRoleBinding grant theirs everywhere. When the file has no bindings at all, each Role is
 * taken as bound in the service's namespace and each ClusterRole cluster-wide. Roles that a binding
 * does not reference grant nothing, as on a real server.
 *
 * @param service the service name, e.g. {@code gateway-service}
 * @param namespacedRules rules that apply in the namespace the caller's token belongs to
 * @param clusterRules rules that apply in every namespace and to cluster-scoped resources
 */
public record ServicePolicy(String service, List<PolicyRule> namespacedRules, List<PolicyRule> clusterRules) {

    /** The rule that grants the request for a caller living in {@code callerNamespace}, if any. */
    public Optional<PolicyRule> grantingRule(RequestAttributes request, String callerNamespace) {
        if (request.resourceRequest() && !request.namespace().isEmpty() && request.namespace().equals(callerNamespace)) {
            for (PolicyRule rule : namespacedRules) {
                if (rule.matches(request)) {
                    return Optional.of(rule);
                }
            }
        }
        for (PolicyRule rule : clusterRules) {
            if (rule.matches(request)) {
                return Optional.of(rule);
            }
        }
        return Optional.empty();
    }

    public List<PolicyRule> allRules() {
        List<PolicyRule> all = new ArrayList<>(namespacedRules);
        all.addAll(clusterRules);
        return all;
    }

    public static ServicePolicy load(String service, Path rbacYaml) {
        try {
            return parse(service, Files.readString(rbacYaml));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read RBAC file " + rbacYaml, e);
        }
    }

    public static ServicePolicy parse(String service, String yaml) {
        Map<String, List<PolicyRule>> roles = new LinkedHashMap<>();
        Map<String, List<PolicyRule>> clusterRoles = new LinkedHashMap<>();
        List<JsonNode> roleBindings = new ArrayList<>();
        List<JsonNode> clusterRoleBindings = new ArrayList<>();
        try (MappingIterator<JsonNode> docs = new YAMLMapper().readerFor(JsonNode.class).readValues(yaml)) {
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                if (doc == null || doc.isNull() || doc.isMissingNode()) {
                    continue;
                }
                String kind = doc.path("kind").asText();
                String name = doc.path("metadata").path("name").asText();
                switch (kind) {
                    case "Role" -> roles.put(name, rules(doc));
                    case "ClusterRole" -> clusterRoles.put(name, rules(doc));
                    case "RoleBinding" -> roleBindings.add(doc);
                    case "ClusterRoleBinding" -> clusterRoleBindings.add(doc);
                    default -> { }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse RBAC YAML of " + service, e);
        }
        List<PolicyRule> namespaced = new ArrayList<>();
        List<PolicyRule> cluster = new ArrayList<>();
        if (roleBindings.isEmpty() && clusterRoleBindings.isEmpty()) {
            roles.values().forEach(namespaced::addAll);
            clusterRoles.values().forEach(cluster::addAll);
        } else {
            for (JsonNode binding : roleBindings) {
                String refKind = binding.path("roleRef").path("kind").asText();
                String refName = binding.path("roleRef").path("name").asText();
                List<PolicyRule> rules = refKind.equals("ClusterRole") ? clusterRoles.get(refName) : roles.get(refName);
                if (rules != null) {
                    namespaced.addAll(rules);
                }
            }
            for (JsonNode binding : clusterRoleBindings) {
                List<PolicyRule> rules = clusterRoles.get(binding.path("roleRef").path("name").asText());
                if (rules != null) {
                    cluster.addAll(rules);
                }
            }
        }
        return new ServicePolicy(service, List.copyOf(namespaced), List.copyOf(cluster));
    }

    private static List<PolicyRule> rules(JsonNode role) {
        List<PolicyRule> rules = new ArrayList<>();
        for (JsonNode rule : role.path("rules")) {
            rules.add(new PolicyRule(strings(rule.path("apiGroups")), strings(rule.path("resources")),
                    strings(rule.path("verbs")), strings(rule.path("resourceNames")),
                    strings(rule.path("nonResourceURLs"))));
        }
        return rules;
    }

    private static Set<String> strings(JsonNode array) {
        Set<String> values = new LinkedHashSet<>();
        array.forEach(v -> values.add(v.asText()));
        return Set.copyOf(values);
    }
}
