package ai.kubernaut.testserver;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a request to the API server is about, derived from its method and URI the way kube-apiserver's
 * {@code RequestInfoFactory} does it: the verb (get, list, watch, create, update, patch, delete,
 * deletecollection), the API group, namespace, resource, subresource and name. RBAC decisions and the
 * request log are expressed in these terms.
 *
 * @param resourceRequest false for non-resource paths such as {@code /version} or discovery documents
 * @param verb RBAC verb (for non-resource requests: the lower-case HTTP method)
 * @param apiGroup "" for the core group
 * @param resource plural resource name, "" for non-resource requests
 * @param subresource e.g. "status", "" when none
 * @param name object name, "" for collections (also taken from a {@code metadata.name} field selector)
 */
public record RequestAttributes(
        boolean resourceRequest,
        String verb,
        String apiGroup,
        String apiVersion,
        String namespace,
        String resource,
        String subresource,
        String name,
        String path) {

    /** {@code resource/subresource}, as RBAC rules spell it. */
    public String resourceWithSubresource() {
        return subresource.isEmpty() ? resource : resource + "/" + subresource;
    }

    /** {@code resource.group} (core resources without a group), as error messages spell it. */
    public String qualifiedResource() {
        return apiGroup.isEmpty() ? resource : resource + "." + apiGroup;
    }

    public RequestAttributes withName(String otherName) {
        return new RequestAttributes(resourceRequest, verb, apiGroup, apiVersion, namespace, resource, subresource,
                otherName, path);
    }

    public boolean mutating() {
        return switch (verb) {
            case "create", "update", "patch", "delete", "deletecollection" -> true;
            default -> false;
        };
    }

    public static RequestAttributes parse(String method, String uri) {
        String path = uri;
        String query = "";
        int q = uri.indexOf('?');
        if (q >= 0) {
            path = uri.substring(0, q);
            query = uri.substring(q + 1);
        }
        Map<String, String> params = queryParameters(query);
        String httpVerb = method.toLowerCase(Locale.ROOT);
        List<String> parts = Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toList();

        String apiGroup;
        String apiVersion;
        int rest;
        if (parts.size() >= 2 && parts.get(0).equals("api")) {
            apiGroup = "";
            apiVersion = parts.get(1);
            rest = 2;
        } else if (parts.size() >= 3 && parts.get(0).equals("apis")) {
            apiGroup = parts.get(1);
            apiVersion = parts.get(2);
            rest = 3;
        } else {
            return new RequestAttributes(false, httpVerb, "", "", "", "", "", "", path);
        }
        List<String> segments = parts.subList(rest, parts.size());
        if (segments.isEmpty()) {
            // discovery of a group version, e.g. GET /apis/kubernaut.ai/v1alpha1
            return new RequestAttributes(false, httpVerb, "", "", "", "", "", "", path);
        }

        boolean watchPath = false;
        if (segments.get(0).equals("watch")) {
            watchPath = true;
            segments = segments.subList(1, segments.size());
        }
        String namespace = "";
        if (segments.get(0).equals("namespaces") && segments.size() > 1) {
            namespace = segments.get(1);
            if (segments.size() > 2) {
                segments = segments.subList(2, segments.size());
            } else {
                // GET /api/v1/namespaces/foo is the namespace object "foo" itself
                segments = List.of("namespaces", namespace);
                namespace = "";
            }
        }
        String resource = segments.get(0);
        String name = segments.size() > 1 ? segments.get(1) : "";
        String subresource = segments.size() > 2 ? segments.get(2) : "";

        String verb = switch (httpVerb) {
            case "post" -> "create";
            case "put" -> "update";
            case "patch" -> "patch";
            case "delete" -> name.isEmpty() ? "deletecollection" : "delete";
            case "get", "head" -> {
                boolean watch = watchPath || isTrue(params.get("watch"));
                if (watch) {
                    yield "watch";
                }
                yield name.isEmpty() ? "list" : "get";
            }
            default -> httpVerb;
        };
        if (name.isEmpty() && (verb.equals("list") || verb.equals("watch"))) {
            // kube-apiserver treats a metadata.name field selector as a request for that name
            String fieldSelector = params.getOrDefault("fieldSelector", "");
            for (String term : fieldSelector.split(",")) {
                String t = term.trim();
                if (t.startsWith("metadata.name=")) {
                    name = t.substring("metadata.name=".length()).replaceFirst("^=", "");
                }
            }
        }
        return new RequestAttributes(true, verb, apiGroup, apiVersion, namespace, resource, subresource, name, path);
    }

    private static boolean isTrue(String value) {
        return value != null && (value.equals("true") || value.equals("1"));
    }

    static Map<String, String> queryParameters(String query) {
        Map<String, String> params = new LinkedHashMap<>();
        if (query == null || query.isEmpty()) {
            return params;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            params.put(URLDecoder.decode(key, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
        }
        return params;
    }
}
