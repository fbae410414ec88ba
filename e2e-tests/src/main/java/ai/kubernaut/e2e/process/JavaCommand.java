package ai.kubernaut.e2e.process;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Command lines for child JVMs, on the JDK this JVM runs on. */
public final class JavaCommand {

    /**
     * JVM flags for a service replica on a small (2-core) machine: C1 only (fast start, little CPU spent
     * compiling), serial GC (no GC threads competing for the cores), a bounded heap.
     */
    public static final List<String> SMALL_MACHINE_FLAGS = List.of(
            "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xms32m", "-Xmx256m", "-Xss512k",
            "-XX:+ExitOnOutOfMemoryError", "-Djava.net.preferIPv4Stack=true");

    private JavaCommand() {
    }

    public static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** {@code java <flags> -jar <jar>}. */
    public static List<String> jar(Path jar, List<String> jvmFlags) {
        List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        command.addAll(jvmFlags);
        command.add("-jar");
        command.add(jar.toString());
        return command;
    }

    /** {@code java <flags> -cp <this JVM's classpath> <mainClass> <args>}. */
    public static List<String> mainClass(Class<?> mainClass, List<String> jvmFlags, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        command.addAll(jvmFlags);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(args);
        return command;
    }
}
