package ai.kubernaut.testserver;

import io.fabric8.kubernetes.client.server.mock.CustomResourceDefinitionProcessor;
import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.crud.AttributeType;
import io.fabric8.mockwebserver.crud.CrudDispatcher;
import java.lang.reflect.Field;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The mock's attribute extractor, plus set-based label requirements ({@code key in (a,b)}, {@code key notin (a)}),
 * which the mock ignores (it answers every item and splits the selector at the commas inside the parentheses).
 * A real API server filters by them in LISTs and watches, with ADDED/DELETED when an object's labels move it
 * into or out of the set; the mock's own storage does that once the requirement reaches it as an IN/NOT_IN
 * attribute. Installed by {@link #install} into the two fields through which the mock reads list and watch
 * paths; its other handlers keep the original extractor (they read single objects, never a set selector).
 */
final class SetSelectorExtractor extends KubernetesAttributesExtractor {

    private static final String LABEL_KEY_PREFIX = "labels:";
    private static final Pattern SET_TERM = Pattern.compile("^\\s*([^\\s!=(),]+)\\s+(in|notin)\\s*\\(([^()]*)\\)\\s*$");
    private static final Pattern LABEL_SELECTOR = Pattern.compile("([?&])labelSelector=([^&]*)");

    /** Replaces the mock's extractor for list and watch paths in {@code store}; fails loudly if the mock changed. */
    static void install(KubernetesCrudDispatcher store) {
        try {
            Field crdProcessor = KubernetesCrudDispatcher.class.getDeclaredField("crdProcessor");
            crdProcessor.setAccessible(true);
            SetSelectorExtractor extractor = new SetSelectorExtractor();
            extractor.setCustomResourceDefinitionProcessor((CustomResourceDefinitionProcessor) crdProcessor.get(store));
            Field generic = CrudDispatcher.class.getDeclaredField("attributeExtractor");
            generic.setAccessible(true);
            generic.set(store, extractor);
            Field kubernetes = KubernetesCrudDispatcher.class.getDeclaredField("kubernetesAttributesExtractor");
            kubernetes.setAccessible(true);
            kubernetes.set(store, extractor);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("kubernetes-server-mock changed: cannot add set-based label selectors", e);
        }
    }

    @Override
    public AttributeSet fromPath(String path) {
        Matcher query = path == null ? null : LABEL_SELECTOR.matcher(path);
        if (query == null || !query.find()) {
            return super.fromPath(path);
        }
        String selector = URLDecoder.decode(query.group(2), StandardCharsets.UTF_8);
        List<String> kept = new ArrayList<>();
        List<Attribute> sets = new ArrayList<>();
        for (String term : terms(selector)) {
            Matcher set = SET_TERM.matcher(term);
            if (set.matches()) {
                List<String> values = Arrays.stream(set.group(3).split(",")).map(String::trim)
                        .filter(v -> !v.isEmpty()).toList();
                sets.add(new Attribute(LABEL_KEY_PREFIX + set.group(1), values,
                        set.group(2).equals("in") ? AttributeType.IN : AttributeType.NOT_IN));
            } else if (!term.isBlank()) {
                kept.add(term.trim());
            }
        }
        if (sets.isEmpty()) {
            return super.fromPath(path);
        }
        String rest = kept.isEmpty() ? "" : query.group(1) + "labelSelector="
                + URLEncoder.encode(String.join(",", kept), StandardCharsets.UTF_8);
        String rewritten = path.substring(0, query.start()) + rest + path.substring(query.end());
        if (rest.isEmpty() && query.group(1).equals("?") && rewritten.length() > query.start()
                && rewritten.charAt(query.start()) == '&') {
            // the selector was the first parameter: the next one becomes first
            rewritten = rewritten.substring(0, query.start()) + "?" + rewritten.substring(query.start() + 1);
        }
        return super.fromPath(rewritten).add(sets.toArray(Attribute[]::new));
    }

    /** The selector's requirements: split at the commas that are not inside parentheses. */
    static List<String> terms(String selector) {
        List<String> terms = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < selector.length(); i++) {
            char c = selector.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == ',' && depth == 0) {
                terms.add(selector.substring(start, i));
                start = i + 1;
            }
        }
        terms.add(selector.substring(start));
        return terms;
    }
}
