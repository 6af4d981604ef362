package dev.noharm.cli;

import dev.noharm.generation.GenerateJob;
import dev.noharm.generation.GenerationSettings;
import dev.noharm.generation.ModelRegistry;
import dev.noharm.generation.RunSpec;
import dev.noharm.generation.plan.DryRun;
import dev.noharm.lake.Lake;
import dev.noharm.lake.SparkSessions;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {
            "Call the models of a run spec on every case of a dataset version, under each model's cluster-wide rate limits,",
            "and store the raw generations in the lake. Work already completed is skipped: rerun the same spec to resume.",
            "Options given here win over the run spec (and --conf spark.noharm.generate.<field>=... over the spec too)."})
final class GenerateCommand extends LakeCommand {

    @Option(names = "--spec", paramLabel = "FILE", required = true, description = "Run spec (YAML), e.g. jobs/demo.yaml.")
    String specFile;

    @Option(names = "--dry-run", description = "Print what the run would call (items, tokens, upper-bound cost per model) and call nothing.")
    boolean dryRun;

    @Option(names = "--dataset-version", paramLabel = "V", description = "Dataset version to run on (instead of the spec's): an exact version or latest.")
    String datasetVersion;

    @Option(names = "--budget-usd", paramLabel = "USD", description = "The run's spending limit (instead of the spec's budget_usd).")
    Double budgetUsd;

    @Option(names = "--wait-for-lease", paramLabel = "SECONDS",
            description = "When another driver holds one of the run's models, wait up to this long for it (0: stop at once, exit code 7). Default: 0.")
    Integer waitForLease;

    @Override
    public Integer call() {
        RunSpec spec = RunSpec.load(specFile);
        ModelRegistry registry = ModelRegistry.load(spec.registry(), System::getenv);
        if (budgetUsd != null && budgetUsd <= 0) {
            throw new picocli.CommandLine.ParameterException(command.commandLine(), "--budget-usd must be a positive number of US dollars");
        }
        GenerationSettings.CommandLine given = new GenerationSettings.CommandLine(explicitLake(command, lake), datasetVersion, budgetUsd,
                waitForLease);
        SparkSession spark = SparkSessions.getOrCreate("noharm generate " + spec.runId());
        Lake target = new Lake(spark, GenerationSettings.resolve(given, spec, spark).lakeUri());
        GenerateJob job = new GenerateJob(target, spec, specFile, registry, System::getenv, out(), given);
        if (dryRun) {
            printEstimate(spec, job.dryRun(), out());
            return ExitCode.OK;
        }
        GenerateJob.Result result = job.run();
        if (result.failed() > 0) {
            return ExitCode.ITEMS_FAILED;
        }
        return result.overBudget() > 0 ? ExitCode.BUDGET_REACHED : ExitCode.OK;
    }

    /** The --lake option when the user gave it (it then wins over the spec's lake); null otherwise. */
    static String explicitLake(CommandSpec command, LakeOption lake) {
        return command.commandLine().getParseResult().hasMatchedOption("--lake") ? lake.uri() : null;
    }

    /** The lake a spec-driven command uses: --lake, then the spec's lake, then the default (see {@link GenerationSettings}). */
    static String lakeUri(CommandSpec command, LakeOption lake, RunSpec spec, SparkSession spark) {
        return GenerationSettings.resolve(new GenerationSettings.CommandLine(explicitLake(command, lake), null, null), spec, spark)
                .lakeUri();
    }

    private static void printEstimate(RunSpec spec, List<DryRun.Estimate> estimates, PrintWriter out) {
        out.printf("generate --dry-run: run %s; nothing is called. Tokens and cost are upper bounds: prompt characters / 2 as input"
                + " and max_output_tokens as output per call, as the budget reserves them; real-time, and through the providers'"
                + " batch APIs at the registry's batch prices (half unless it says otherwise).%n", spec.runId());
        String format = "%-22s %-44s %8s %8s %8s %13s %13s %11s %11s%n";
        out.printf(Locale.ROOT, format, "model", "stage", "planned", "done", "to call", "input tokens", "max output", "max cost $",
                "batch $");
        long calls = 0;
        double cost = 0;
        double batchCost = 0;
        for (DryRun.Estimate e : estimates) {
            out.printf(Locale.ROOT, format, e.model(), e.stage(), e.planned(), e.alreadyDone(), e.toCall(), e.inputTokens(),
                    e.maxOutputTokens(), String.format(Locale.ROOT, "%.4f", e.maxCostUsd()), String.format(Locale.ROOT, "%.4f", e.maxBatchCostUsd()));
            calls += e.toCall();
            cost += e.maxCostUsd();
            batchCost += e.maxBatchCostUsd();
        }
        out.printf(Locale.ROOT, "generate --dry-run: %d calls, at most $%.4f (at most $%.4f through batch APIs)%n", calls, cost, batchCost);
        out.flush();
    }
}
