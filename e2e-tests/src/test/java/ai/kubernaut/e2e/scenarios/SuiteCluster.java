package ai.kubernaut.e2e.scenarios;

import ai.kubernaut.e2e.cluster.Cluster;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One cluster for the whole test run (embedded by default, {@code -De2e.cluster=kubeconfig} for a real one),
 * injected into {@code @BeforeAll} methods and closed after the last test class.
 */
public final class SuiteCluster implements ParameterResolver {

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(SuiteCluster.class);

    /** Closed by JUnit with the root context, i.e. after every test class ran. */
    private record Holder(Cluster cluster) implements AutoCloseable {
        @Override
        public void close() {
            cluster.close();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Cluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot().getStore(NS)
                .computeIfAbsent(Holder.class.getName(), k -> new Holder(Cluster.fromSystemProperties()), Holder.class)
                .cluster();
    }
}
