package dev.noharm.cli;

import dev.noharm.benchmark.GradingMode;
import dev.noharm.lake.Lake;
import dev.noharm.lake.NothingYet;
import dev.noharm.report.HtmlReport;
import dev.noharm.report.ReportData;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Write a static HTML report of the scored results (leaderboard with intervals, Safety against Completeness,",
            "severe case harm rate per specialty, errors by harm level, the options most often got wrong, version trends).",
            "It works offline: every library is in the folder."})
final class ReportCommand extends LakeCommand {

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Folder to write (local path or Hadoop URI).")
    String out;

    @Option(names = "--grading", defaultValue = "Majority", converter = GradingModeConverter.class,
            description = "Grading mode shown: Majority or Unanimous. Default: ${DEFAULT-VALUE}.")
    GradingMode grading;

    @Mixin
    DatasetVersionOption datasetVersion;

    @Mixin
    ScoreIdOption score;

    @Override
    public Integer call() {
        Lake target = score.apply(openExistingLake());
        String version = datasetVersion.resolve(target);
        ReportData data = ReportData.from(target, version, grading.displayName());
        if (data.leaderboard().isEmpty()) {
            throw new NothingYet("nothing scored for dataset version " + version + " in " + target.uri() + "; run ./submit.sh score first");
        }
        var index = HtmlReport.write(data, out, target.spark().sparkContext().hadoopConfiguration());
        out().printf("report: %d responders, dataset version %s, written to %s%n",
                data.leaderboard().size(), version, index);
        return ExitCode.OK;
    }
}
