package dev.noharm.cli;

import dev.noharm.generation.GenerationBench;
import dev.noharm.lake.SparkSessions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks that print numbers (one JSON line each); they use their own scratch lakes.",
        subcommands = {BenchCommand.Generation.class, BenchCommand.Scoring.class, BenchCommand.EnsembleSearch.class})
final class BenchCommand implements Runnable {

    @Spec
    CommandSpec command;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(command.commandLine(), "missing benchmark (generation, scoring or ensembles)");
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

    @Command(name = "scoring", mixinStandardHelpOptions = true,
            description = {
                "Time the metric computation from parsed-decision Parquet files (cases x options x responders x trials",
                "decisions), in Spark and in DuckDB over the same files, side by side; prints one JSON line."})
    static final class Scoring implements Callable<Integer> {
        @Option(names = "--cases", defaultValue = "1000", description = "Default: ${DEFAULT-VALUE}.")
        int cases;

        @Option(names = "--options", defaultValue = "50", description = "Options per case. Default: ${DEFAULT-VALUE}.")
        int options;

        @Option(names = "--responders", defaultValue = "20", description = "Default: ${DEFAULT-VALUE}.")
        int responders;

        @Option(names = "--trials", defaultValue = "1", description = "Default: ${DEFAULT-VALUE}.")
        int trials;

        @Option(names = "--repeat", defaultValue = "3", description = "Timed repetitions (medians are reported). Default: ${DEFAULT-VALUE}.")
        int repeat;

        @Option(names = "--work-dir", paramLabel = "DIR", description = "Scratch folder (default: a new temporary folder).")
        Path workDir;

        @Mixin
        LakeOption lake; // accepted for uniformity; benchmarks use scratch lakes under --work-dir

        @Spec
        CommandSpec command;

        @Override
        public Integer call() throws Exception {
            Path dir = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("noharm-bench-");
            String line = new dev.noharm.scoring.ScoringBench(SparkSessions.getOrCreate("noharm bench scoring"), dir)
                    .run(new dev.noharm.scoring.ScoringBench.Size(cases, options, responders, trials), repeat);
            command.commandLine().getOut().println(line);
            return ExitCode.OK;
        }
    }

    @Command(name = "ensembles", mixinStandardHelpOptions = true,
            description = {"Time the ensemble search (every k-subset of N simulated models, majority rule, ranked by Safety)",
                "on synthesized decisions; one JSON line per model count."})
    static final class EnsembleSearch implements Callable<Integer> {
        @Option(names = "--models", split = ",", defaultValue = "10,20,30", description = "Model counts. Default: ${DEFAULT-VALUE}.")
        List<Integer> models;

        @Option(names = "--max-k", defaultValue = "3", description = "Default: ${DEFAULT-VALUE}.")
        int maxK;

        @Option(names = "--cases", defaultValue = "100", description = "Default: ${DEFAULT-VALUE}.")
        int cases;

        @Option(names = "--options", defaultValue = "42", description = "Options per case. Default: ${DEFAULT-VALUE}.")
        int options;

        @Option(names = "--trials", defaultValue = "3", description = "Default: ${DEFAULT-VALUE}.")
        int trials;

        @Option(names = "--repeat", defaultValue = "3", description = "Timed repetitions per model count (medians are reported). Default: ${DEFAULT-VALUE}.")
        int repeat;

        @Option(names = "--work-dir", paramLabel = "DIR", description = "Scratch folder (default: a new temporary folder).")
        Path workDir;

        @Mixin
        LakeOption lake; // accepted for uniformity; benchmarks use scratch lakes under --work-dir

        @Spec
        CommandSpec command;

        @Override
        public Integer call() throws Exception {
            Path dir = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("noharm-bench-");
            new dev.noharm.teams.EnsembleBench(SparkSessions.getOrCreate("noharm bench ensembles"), dir)
                    .run(new dev.noharm.teams.EnsembleBench.Settings(models, maxK, cases, options, trials, repeat))
                    .forEach(command.commandLine().getOut()::println);
            return ExitCode.OK;
        }
    }
}
