package dev.noharm.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs {@code ./submit.sh} as a user would, from a work folder that collects its stdout and stderr. */
public final class SubmitProcess {
    private SubmitProcess() {}

    public static Process start(Path work, Map<String, String> env, List<String> args) throws IOException {
        List<String> command = new ArrayList<>();
        // With SIGINT at its default, as in a terminal: a suite started in the background by a script (`mvn verify &`)
        // passes SIGINT down ignored, and an ignored SIGINT cannot be handled, so Ctrl-C tests would see a run go on.
        // (GNU env 8.31 or later, as on Debian; env and submit.sh exec, so the process is still the driver's JVM.)
        command.addAll(List.of("env", "--default-signal=INT"));
        command.add(Path.of("submit.sh").toAbsolutePath().toString());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile())
                .redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("stdout.txt").toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(work.resolve("stderr.txt").toFile()));
        builder.environment().remove("SPARK_HOME");
        builder.environment().putAll(env);
        return builder.start();
    }

    /** Runs to the end (at most {@code minutes}) and returns the exit code; stderr's tail on failure helps the reader. */
    public static int run(Path work, Map<String, String> env, int minutes, List<String> args) throws Exception {
        long started = System.nanoTime();
        Process p = start(work, env, args);
        if (!p.waitFor(minutes, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("submit.sh " + String.join(" ", args) + " did not finish in " + minutes + " min");
        }
        // In the test's output file (target/failsafe-reports): where an integration test spends its time.
        System.out.printf("submit.sh %s: exit %d after %.1f s%n", args.get(0), p.exitValue(), (System.nanoTime() - started) / 1e9);
        return p.exitValue();
    }

    /** The last lines of the work folder's stderr, for assertion messages. */
    public static String stderrTail(Path work) throws IOException {
        Path err = work.resolve("stderr.txt");
        if (!Files.exists(err)) {
            return "";
        }
        List<String> lines = Files.readAllLines(err);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }
}
