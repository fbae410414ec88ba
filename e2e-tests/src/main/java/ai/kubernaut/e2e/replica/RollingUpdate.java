package ai.kubernaut.e2e.replica;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The Deployment controller's side of a rollout with {@code maxSurge: 1} and {@code maxUnavailable: 0} (both
 * services' {@code deploy/base/<service>/deployment.yaml}): for each old pod in turn, start a new one, wait until it
 * is ready, add it to the endpoints, then delete the old one ({@link PodTermination}) and wait until it is gone
 * before the next. (The real controller may already start the next new pod while the old one terminates; one at a
 * time keeps each termination's measurements apart on a small machine.)
 */
public final class RollingUpdate {

    /** One replacement: the old pod, the new one that replaced it, and how the old one ended. */
    public record Step(Replica replaced, Replica replacement, PodTermination.Record termination) {
    }

    /** Called around each termination, on the rollout's thread. */
    public interface Hooks {
        Hooks NONE = new Hooks() {
        };

        /** The replacement is ready and in the endpoints; {@code old} gets SIGTERM right after this returns. */
        default void beforeTermination(Replica old) {
        }

        /** {@code step}'s old pod is gone; the next replacement starts after this returns. */
        default void afterTermination(Step step) {
        }
    }

    private RollingUpdate() {
    }

    /**
     * @param startReady starts the new pod replacing the given old one and returns it once it is ready
     */
    public static List<Step> replaceEach(List<Replica> olds, Function<Replica, Replica> startReady, Endpoints endpoints,
                                         PodTermination.Settings settings, Hooks hooks) {
        List<Step> steps = new ArrayList<>();
        for (Replica old : olds) {
            Replica replacement = startReady.apply(old);
            endpoints.add(replacement);
            hooks.beforeTermination(old);
            Step step = new Step(old, replacement, PodTermination.terminate(old, endpoints, settings));
            steps.add(step);
            hooks.afterTermination(step);
        }
        return steps;
    }
}
