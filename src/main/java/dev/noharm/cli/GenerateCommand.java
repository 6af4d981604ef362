package dev.noharm.cli;

import dev.noharm.generation.CallMode;
import dev.noharm.generation.GenerateJob;
import dev.noharm.generation.GenerationSettings;
import dev.noharm.generation.ModelRegistry;
import dev.noharm.generation.RunSpec;
import dev.noharm.generation.batch.BatchLedger;
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

    @Option(names = "--status", description = "List the spec's models' provider batches that are still open (age, requests, answered so far) and call nothing else.")
    boolean status;

    @Option(names = "--cancel", description = "Ask the providers to cancel the spec's models' open batches; the next run collects what they answered and calls the rest again.")
    boolean cancel;

    @Option(names = "--batch-wait", negatable = true, fallbackValue = "true",
            description = "Whether the job waits for its provider batches (mode: batch) to end (default: the spec's batch.wait, else true). "
                    + "--no-batch-wait submits them, collects those already ended and returns; a later run collects the rest.")
    Boolean batchWait;

    @Override
    public Integer call() {
        RunSpec spec = RunSpec.load(specFile);
        ModelRegistry registry = ModelRegistry.load(spec.registry(), System::getenv);
        if (budgetUsd != null && budgetUsd <= 0) {
            throw new picocli.CommandLine.ParameterException(command.commandLine(), "--budget-usd must be a positive number of US dollars");
        }
        if (List.of(dryRun, status, cancel).stream().filter(b -> b).count() > 1) {
            throw new picocli.CommandLine.ParameterException(command.commandLine(), "give one of --dry-run, --status and --cancel");
        }
        GenerationSettings.CommandLine given = new GenerationSettings.CommandLine(explicitLake(command, lake), datasetVersion, budgetUsd,
                waitForLease, batchWait);
        SparkSession spark = SparkSessions.getOrCreate("noharm generate " + spec.runId());
        Lake target = new Lake(spark, GenerationSettings.resolve(given, spec, spark).lakeUri());
        GenerateJob job = new GenerateJob(target, spec, specFile, registry, System::getenv, out(), given);
        if (dryRun) {
            printEstimate(spec, job.dryRun(), out());
            return ExitCode.OK;
        }
        if (status) {
            printOpenBatches(job.openBatches(), out());
            return ExitCode.OK;
        }
        if (cancel) {
            List<BatchLedger.Batch> asked = job.cancelOpenBatches();
            asked.forEach(b -> out().printf("generate --cancel: asked %s to cancel batch %s (%s) of %s, %d requests%n", b.protocol(),
                    b.batchId(), b.providerBatchId(), b.modelId(), b.requests()));
            out().printf("generate --cancel: %d open batches asked to cancel; the next run collects what they answered and calls the rest "
                    + "again%n", asked.size());
            out().flush();
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

    private static void printOpenBatches(List<GenerateJob.OpenBatch> open, PrintWriter out) {
        String format = "%-32s %-20s %-12s %-14s %-10s %8s %10s %-13s %s%n";
        out.printf(Locale.ROOT, format, "batch", "model", "protocol", "stage", "state", "requests", "age", "provider", "answered");
        java.time.Instant now = java.time.Instant.now();
        for (GenerateJob.OpenBatch o : open) {
            BatchLedger.Batch b = o.batch();
            java.time.Duration age = java.time.Duration.between(b.submittedAt(), now);
            String answered = o.provider() != null ? String.format(Locale.ROOT, "%d of %d (%d failed)", o.provider().succeeded() + o.provider().errored(),
                    o.provider().total(), o.provider().errored()) : o.providerError();
            out.printf(Locale.ROOT, format, b.batchId(), b.modelId(), b.protocol(), b.stage(), b.state().wireName(), b.requests(),
                    String.format(Locale.ROOT, "%dh%02dm", age.toHours(), age.toMinutesPart()), o.provider() == null ? "?" : o.provider().providerState(),
                    answered);
        }
        out.printf("generate --status: %d open batches%s%n", open.size(), open.isEmpty() ? "" : " (a run of the spec resumes them: nothing is submitted twice)");
        out.flush();
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
        double asSpecified = 0;
        for (DryRun.Estimate e : estimates) {
            asSpecified += spec.callMode(e.model()) == CallMode.BATCH ? e.maxBatchCostUsd() : e.maxCostUsd();
            out.printf(Locale.ROOT, format, e.model(), e.stage(), e.planned(), e.alreadyDone(), e.toCall(), e.inputTokens(),
                    e.maxOutputTokens(), String.format(Locale.ROOT, "%.4f", e.maxCostUsd()), String.format(Locale.ROOT, "%.4f", e.maxBatchCostUsd()));
            calls += e.toCall();
            cost += e.maxCostUsd();
            batchCost += e.maxBatchCostUsd();
        }
        out.printf(Locale.ROOT, "generate --dry-run: %d calls, at most $%.4f (at most $%.4f through batch APIs); as the spec's modes ask, "
                + "at most $%.4f%n", calls, cost, batchCost, asSpecified);
        out.flush();
    }
}
