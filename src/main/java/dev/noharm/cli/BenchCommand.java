package dev.noharm.cli;

import dev.noharm.generation.GenerationBench;
import dev.noharm.lake.SparkSessions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks that print numbers (one JSON line each); they use their own scratch lakes.",
        subcommands = {BenchCommand.Generation.class})
final class BenchCommand implements Runnable {

    @Spec
    CommandSpec command;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(command.commandLine(), "missing benchmark (generation)");
    }

    @Command(name = "generation", mixinStandardHelpOptions = true,
            description = {
                "The generation job against the simulator at a set rate limit and latency, and a naive baseline",
                "(one synchronous call at a time per task) in the same run. Prints achieved rate / limit at steady",
                "state, 429s, calls per item and items lost."})
    static final class Generation implements Callable<Integer> {
        @Option(names = "--items", defaultValue = "2000", description = "Work items for the pipelined run. Default: ${DEFAULT-VALUE}.")
        int items;

        @Option(names = "--baseline-items", defaultValue = "400", description = "Work items for the baseline. Default: ${DEFAULT-VALUE}.")
        int baselineItems;

        @Option(names = "--rpm", defaultValue = "3000", description = "Requests per minute, in the registry and at the simulator. Default: ${DEFAULT-VALUE}.")
        int rpm;

        @Option(names = "--latency-ms", defaultValue = "200", description = "Median simulated latency. Default: ${DEFAULT-VALUE}.")
        long latencyMs;

        @Option(names = "--concurrency-per-task", defaultValue = "32", description = "Calls in flight per task (pipelined run). Default: ${DEFAULT-VALUE}.")
        int concurrency;

        @Option(names = "--work-dir", paramLabel = "DIR", description = "Scratch folder (default: a new temporary folder).")
        Path workDir;

        @Mixin
        LakeOption lake; // accepted for uniformity; benchmarks use scratch lakes under --work-dir

        @Spec
        CommandSpec command;

        @Override
        public Integer call() throws Exception {
            Path dir = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("noharm-bench-");
            String line = new GenerationBench(SparkSessions.getOrCreate("noharm bench generation"), dir)
                    .run(new GenerationBench.Settings(items, baselineItems, rpm, latencyMs, concurrency));
            command.commandLine().getOut().println(line);
            return ExitCode.OK;
        }
    }
}
