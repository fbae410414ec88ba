package ai.kubernaut.testserver.rbac;

import ai.kubernaut.testserver.RequestAttributes;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One RBAC rule of a Role or ClusterRole, with the matching semantics of kube-apiserver's RBAC
 * authorizer: every listed group, resource and verb matches, {@code *} matches anything, and a rule
 * with {@code resourceNames} only matches requests for one of those names (so never list, watch or
 * create of a collection).
 */
public record PolicyRule(Set<String> apiGroups, Set<String> resources, Set<String> verbs,
                         Set<String> resourceNames, Set<String> nonResourceUrls) {

    public boolean matches(RequestAttributes request) {
        if (!request.resourceRequest()) {
            return nonResourceUrls.stream().anyMatch(url -> url.equals("*") || url.equals(request.path())
                    || (url.endsWith("*") && request.path().startsWith(url.substring(0, url.length() - 1))))
                    && matchesVerb(request.verb());
        }
        return matchesVerb(request.verb())
                && (apiGroups.contains("*") || apiGroups.contains(request.apiGroup()))
                && matchesResource(request)
                && (resourceNames.isEmpty() || (!request.name().isEmpty() && resourceNames.contains(request.name())));
    }

    private boolean matchesVerb(String verb) {
        return verbs.contains("*") || verbs.contains(verb);
    }

    private boolean matchesResource(RequestAttributes request) {
        String combined = request.resourceWithSubresource();
        if (resources.contains("*") || resources.contains(combined)) {
            return true;
        }
        if (!request.subresource().isEmpty() && resources.contains("*/" + request.subresource())) {
            return true;
        }
        return request.subresource().isEmpty() ? false : resources.contains(request.resource() + "/*");
    }

    /** Every (group, resource, verb) this rule grants, one per combination, for coverage reports. */
    public List<Grant> grants() {
        List<Grant> grants = new ArrayList<>();
        for (String group : apiGroups) {
            for (String resource : resources) {
                for (String verb : verbs) {
                    grants.add(new Grant(group, resource, verb));
                }
            }
        }
        return grants;
    }

    public boolean usesWildcard() {
        return apiGroups.contains("*") || resources.contains("*") || verbs.contains("*")
                || resources.stream().anyMatch(r -> r.contains("*"));
    }

    /** A single granted permission: verb on {@code group/resource[/subresource]}. */
    public record Grant(String apiGroup, String resource, String verb) {
        @Override
        public String toString() {
            return verb + " " + (apiGroup.isEmpty() ? "core" : apiGroup) + "/" + resource;
        }
    }
}
