package ai.kubernaut.testserver.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAccessor;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Checks of a service's generated model against its contract in deploy/crds. Both services generate their own
 * classes from the same CRDs (they share no main code), so the checks live here, in their shared test support.
 * A failed check throws {@link AssertionError}, which JUnit reports like its own assertions; this module has
 * no JUnit in main scope because the e2e suite and the demo run it outside tests.
 */
public final class ModelContract {

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private ModelContract() {
    }

    /**
     * Parses a CRD file as apiextensions.k8s.io/v1 and checks that it serves {@code model}: name and first
     * version match the class's group/plural and version, namespaced, status subresource on. Returns the CRD for
     * the service's own checks (short names, selectable fields, schema).
     */
    public static CustomResourceDefinition crdServing(Path crdFile, Class<? extends HasMetadata> model) throws IOException {
        CustomResourceDefinition crd;
        try (InputStream in = Files.newInputStream(crdFile)) {
            crd = SERIALIZATION.unmarshal(in, CustomResourceDefinition.class);
        }
        check("apiextensions.k8s.io/v1", crd.getApiVersion(), crdFile + ": apiVersion");
        check(HasMetadata.getFullResourceName(model), crd.getMetadata().getName(), crdFile + ": name");
        check("Namespaced", crd.getSpec().getScope(), crdFile + ": scope");
        CustomResourceDefinitionVersion version = crd.getSpec().getVersions().get(0);
        check(HasMetadata.getVersion(model), version.getName(), crdFile + ": first version");
        if (version.getSubresources() == null || version.getSubresources().getStatus() == null) {
            throw new AssertionError(crdFile + ": status subresource must be enabled");
        }
        return crd;
    }

    /** A sample object read into {@code model} and written back as JSON has every field, with its value, it had. */
    public static void assertRoundTrips(Path sampleJson, Class<? extends HasMetadata> model) throws IOException {
        String sample = Files.readString(sampleJson);
        HasMetadata parsed = SERIALIZATION.unmarshal(sample, model);
        ObjectMapper json = new ObjectMapper();
        JsonNode expected = json.readTree(sample);
        JsonNode actual = json.readTree(SERIALIZATION.asJson(parsed));
        check(expected, actual, sampleJson + " through " + model.getSimpleName());
    }

    /**
     * RFC 3339 date-times as different writers send them (whole seconds, every fraction length, an offset).
     * A real API server stores any of them, and one object the model cannot read fails every read of its kind.
     */
    public static Stream<String> rfc3339DateTimes() {
        return Stream.of("2026-11-22T06:23:25Z", "2026-11-22T06:23:25.7Z", "2026-11-22T06:23:25.715Z",
                "2026-11-22T06:23:25.715006Z", "2026-11-22T06:23:25.715006416Z", "2026-11-22T07:23:25.715+01:00");
    }

    /**
     * An object of {@code model} whose spec holds {@code time} in the date-time field {@code specField} is read as
     * the same instant and written back in whole seconds, UTC.
     */
    public static <T extends HasMetadata> void assertDateTimeReadAndWrittenInWholeSeconds(Class<T> model,
            String specField, Function<T, TemporalAccessor> field, String time) {
        String json = "{\"apiVersion\":\"" + HasMetadata.getApiVersion(model) + "\",\"kind\":\""
                + HasMetadata.getKind(model) + "\",\"metadata\":{\"name\":\"sample\"},"
                + "\"spec\":{\"" + specField + "\":\"" + time + "\"}}";
        T parsed = SERIALIZATION.unmarshal(json, model);
        Instant expected = OffsetDateTime.parse(time).toInstant();
        check(expected, Instant.from(field.apply(parsed)), specField + " read from " + time);
        String written = "\"" + specField + "\":\""
                + DateTimeFormatter.ISO_INSTANT.format(expected.truncatedTo(ChronoUnit.SECONDS)) + "\"";
        String back = SERIALIZATION.asJson(parsed);
        if (!back.contains(written)) {
            throw new AssertionError("expected " + written + " in " + back);
        }
    }

    /**
     * Every top-level class compiled into the package of {@code registration} (under {@code classesRoot}), other
     * than {@code registration} itself, is among {@code registered} and nothing else is: what a native image's
     * reflection registration needs. {@code atLeast} guards against an empty or unbuilt package passing.
     */
    public static void assertEveryClassRegistered(Path classesRoot, Class<?> registration, Class<?>[] registered,
            int atLeast) throws IOException {
        Path dir = classesRoot.resolve(registration.getPackageName().replace('.', '/'));
        Set<String> compiled;
        try (Stream<Path> files = Files.walk(dir)) {
            compiled = files.map(p -> classesRoot.relativize(p).toString().replace('\\', '/'))
                    .filter(p -> p.endsWith(".class") && !p.contains("$"))
                    .map(p -> p.substring(0, p.length() - ".class".length()).replace('/', '.'))
                    .filter(n -> !n.equals(registration.getName()))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        if (compiled.size() < atLeast) {
            throw new AssertionError("only " + compiled.size() + " classes under " + dir.toAbsolutePath()
                    + ", expected at least " + atLeast);
        }
        Set<String> names = Arrays.stream(registered).map(Class::getName).collect(Collectors.toCollection(TreeSet::new));
        check(compiled, names, "add the new classes to " + registration.getSimpleName());
    }

    private static void check(Object expected, Object actual, String what) {
        if (!Objects.equals(expected, actual)) {
            throw new AssertionError(what + ": expected <" + expected + "> but was <" + actual + ">");
        }
    }
}
