package ai.kubernaut.e2e.scenarios;

/** {@code -De2e.size=small} (CI, the default) or {@code full} ({@code -Pe2e-full}): the sizes. */
public enum ScenarioSize {
    SMALL, FULL;

    public static ScenarioSize current() {
        return "full".equalsIgnoreCase(System.getProperty("e2e.size", "small")) ? FULL : SMALL;
    }

    public static int pick(int small, int full) {
        return current() == FULL ? full : small;
    }
}
