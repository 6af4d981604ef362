package dev.noharm.cli;

import dev.noharm.lake.Lake;
import dev.noharm.scoring.LeaderboardExport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Export scored metrics; --format harmdash writes the NOHARM leaderboard's metrics.csv (CONTRACT section 5).")
final class ExportCommand extends LakeCommand {

    enum Format { harmdash }

    @Option(names = "--format", required = true, description = "Output format: ${COMPLETION-CANDIDATES}.")
    Format format;

    @Option(names = "--out", paramLabel = "FILE", required = true, description = "Where to write (local path or Hadoop URI).")
    String out;

    @Mixin
    DatasetVersionOption datasetVersion;

    @Option(names = "--specialties", description = "Also export the per-specialty rows (Cases = Specialty=<name>).")
    boolean specialties;

    @Mixin
    ScoreIdOption score;

    @Override
    public Integer call() {
        Lake target = score.apply(openExistingLake());
        String version = datasetVersion.resolve(target);
        int rows = new LeaderboardExport(target).export(version, specialties, out);
        out().printf("export: %d rows for dataset version %s written to %s%n", rows, version, out);
        return ExitCode.OK;
    }
}
