package dev.noharm.cli;

import dev.noharm.lake.Lake;
import dev.noharm.lake.Maintenance;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "maintain", mixinStandardHelpOptions = true,
        description = {"Keep the lake's tables small: drop what incomplete scores left (and, with --keep-scores, older scores),",
            "rewrite small data files into larger ones, expire old snapshots and remove files no snapshot references.",
            "Time travel reaches back as far as the snapshots kept. Safe to run while other jobs write."})
final class MaintainCommand extends LakeCommand {

    @Option(names = "--snapshot-retention-days", paramLabel = "D", defaultValue = "7",
            description = "Expire snapshots older than this many days. Default: ${DEFAULT-VALUE}.")
    double retentionDays;

    @Option(names = "--retain-last", paramLabel = "N", defaultValue = "5",
            description = "Keep at least N snapshots of each table, however old. Default: ${DEFAULT-VALUE}.")
    int retainLast;

    @Option(names = "--orphan-age-hours", paramLabel = "H", defaultValue = "72",
            description = "Remove unreferenced files (and incomplete scores) older than this. Default: ${DEFAULT-VALUE}.")
    double orphanAgeHours;

    @Option(names = "--keep-scores", paramLabel = "N", defaultValue = "0",
            description = "Keep only the newest N complete scores of each dataset version (0: keep all). Default: ${DEFAULT-VALUE}.")
    int keepScores;

    @Override
    public Integer call() {
        PrintWriter out = out();
        Lake target = openLake();
        var options = new Maintenance.Options(Duration.ofMillis((long) (retentionDays * 86_400_000L)), retainLast,
                Duration.ofMillis((long) (orphanAgeHours * 3_600_000L)), keepScores);
        String format = "%-18s %14s %12s %10s %18s %15s %16s%n";
        out.printf(Locale.ROOT, format, "table", "scores dropped", "files rewritten", "into", "snapshots expired", "orphans removed",
                "live data files");
        for (Maintenance.TableReport r : new Maintenance(target, Clock.systemUTC()).run(options)) {
            out.printf(Locale.ROOT, format, r.table(), r.scoresDropped(), r.rewrittenFiles(), r.addedFiles(), r.expiredSnapshots(),
                    r.orphanFilesRemoved(), r.liveDataFiles());
        }
        return ExitCode.OK;
    }
}
