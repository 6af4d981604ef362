package dev.noharm.cli;

import dev.noharm.generation.ModelRegistry;
import dev.noharm.lake.Lake;
import dev.noharm.lake.SparkSessions;
import dev.noharm.nightly.NightlyJob;
import dev.noharm.nightly.NightlySpec;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "nightly", mixinStandardHelpOptions = true,
        description = {"Bring every (model version x dataset version x prompt) of a nightly spec up to date: generate what is",
            "missing, score what changed, and compare each new model version with the previous one. Exits 4 when a",
            "regression is flagged, so a scheduler can alert; a second run with nothing new does nothing and calls nothing."})
final class NightlyCommand extends LakeCommand {

    @Option(names = "--spec", paramLabel = "FILE", required = true, description = "Nightly spec, e.g. jobs/nightly.yaml.")
    String specFile;

    @Option(names = "--summary-dir", paramLabel = "DIR",
            description = "Where summary-<time>.{txt,json} and latest.{txt,json} go. Default: <lake>/nightly/<nightly_id>.")
    String summaryDir;

    @Override
    public Integer call() {
        NightlySpec spec = NightlySpec.load(specFile);
        var spark = SparkSessions.getOrCreate("noharm nightly");
        Lake target = new Lake(spark, GenerateCommand.lakeUri(command, lake, spec.run(), spark));
        ModelRegistry registry = ModelRegistry.load(spec.run().registry(), System::getenv);
        NightlyJob job = new NightlyJob(target, spec, specFile, registry, System::getenv, out());
        NightlyJob.Summary summary = job.run();
        if (summary.workDone()) {
            Path dir = summaryDir != null ? new Path(summaryDir) : new Path(target.uri(), "nightly/" + spec.run().runId());
            job.writeSummary(summary, dir);
            out().println("nightly: summary written to " + dir);
        }
        if (!summary.regressions().isEmpty()) {
            return ExitCode.REGRESSION;
        }
        return summary.failedItems() > 0 ? ExitCode.ITEMS_FAILED : ExitCode.OK;
    }
}
