package dev.noharm.cli;

import dev.noharm.generation.GenerateJob;
import dev.noharm.generation.ModelRegistry;
import dev.noharm.generation.RunSpec;
import dev.noharm.lake.Lake;
import dev.noharm.lake.SparkSessions;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {
            "Call the models of a run spec on every case of a dataset version, under each model's cluster-wide rate limits,",
            "and store the raw generations in the lake. Work already completed is skipped: rerun the same spec to resume."})
final class GenerateCommand implements Callable<Integer> {

    @Option(names = "--spec", paramLabel = "FILE", required = true, description = "Run spec (YAML), e.g. jobs/demo.yaml.")
    String specFile;

    @Option(names = "--dry-run", description = "Print what the run would call (items, tokens, upper-bound cost per model) and call nothing.")
    boolean dryRun;

    @Mixin
    LakeOption lake;

    @Spec
    CommandSpec command;

    @Override
    public Integer call() {
        RunSpec spec = RunSpec.load(specFile);
        ModelRegistry registry = ModelRegistry.load(spec.registry(), System::getenv);
        Lake target = new Lake(SparkSessions.getOrCreate("noharm generate " + spec.runId()), lakeUri(command, lake, spec));
        GenerateJob job = new GenerateJob(target, spec, specFile, registry, System::getenv, command.commandLine().getOut());
        if (dryRun) {
            printEstimate(spec, job.dryRun(), command.commandLine().getOut());
            return ExitCode.OK;
        }
        GenerateJob.Result result = job.run();
        if (result.failed() > 0) {
            return ExitCode.ITEMS_FAILED;
        }
        return result.overBudget() > 0 ? ExitCode.BUDGET_REACHED : ExitCode.OK;
    }

    /** An explicit --lake wins over the spec's lake, which wins over the default. */
    static String lakeUri(CommandSpec command, LakeOption lake, RunSpec spec) {
        boolean explicit = command.commandLine().getParseResult().hasMatchedOption("--lake");
        return explicit || spec.lake() == null ? lake.uri() : spec.lake();
    }

    private static void printEstimate(RunSpec spec, java.util.List<GenerateJob.Estimate> estimates, java.io.PrintWriter out) {
        out.printf("generate --dry-run: run %s; nothing is called. Output tokens and cost are upper bounds (max_output_tokens per call).%n",
                spec.runId());
        String format = "%-22s %-44s %8s %8s %8s %13s %13s %11s%n";
        out.printf(java.util.Locale.ROOT, format, "model", "stage", "planned", "done", "to call", "input tokens", "max output", "max cost $");
        long calls = 0;
        double cost = 0;
        for (GenerateJob.Estimate e : estimates) {
            out.printf(java.util.Locale.ROOT, format, e.model(), e.stage(), e.planned(), e.alreadyDone(), e.toCall(), e.inputTokens(),
                    e.maxOutputTokens(), String.format(java.util.Locale.ROOT, "%.4f", e.maxCostUsd()));
            calls += e.toCall();
            cost += e.maxCostUsd();
        }
        out.printf(java.util.Locale.ROOT, "generate --dry-run: %d calls, at most $%.4f%n", calls, cost);
        out.flush();
    }
}
