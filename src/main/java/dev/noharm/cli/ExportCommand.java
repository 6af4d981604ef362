package dev.noharm.cli;

import dev.noharm.lake.Lake;
import dev.noharm.scoring.LeaderboardExport;
import dev.noharm.scoring.LeaderboardExport.Format;
import java.util.Arrays;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Export scored metrics as the NOHARM leaderboard's metrics.csv (CONTRACT section 5): --format long writes "
                + "every computed row, --format harmdash the file the official leaderboard app reads.")
final class ExportCommand extends LakeCommand {

    @Option(names = "--format", required = true, converter = FormatConverter.class, completionCandidates = FormatNames.class,
            description = "Layout: ${COMPLETION-CANDIDATES}.")
    Format format;

    @Option(names = "--out", paramLabel = "FILE", required = true, description = "Where to write (local path or Hadoop URI).")
    String out;

    @Mixin
    DatasetVersionOption datasetVersion;

    @Option(names = "--specialties", description = "Also export the per-specialty rows (Cases = Specialty=<name>); --format long only.")
    boolean specialties;

    @Mixin
    ScoreIdOption score;

    @Override
    public Integer call() {
        if (specialties && format == Format.HARMDASH) {
            throw new ParameterException(command.commandLine(),
                    "--specialties: the harmdash layout has all-case rows only; use --format long for per-specialty rows");
        }
        Lake target = score.apply(openExistingLake());
        String version = datasetVersion.resolve(target);
        int rows = new LeaderboardExport(target).export(version, format, specialties, out);
        out().printf("export: %d rows (%s layout) for dataset version %s written to %s%n", rows, format.wireName(), version, out);
        return ExitCode.OK;
    }

    static final class FormatConverter implements ITypeConverter<Format> {
        @Override
        public Format convert(String value) {
            return Format.fromWireName(value).orElseThrow(() -> new TypeConversionException(
                    "unknown format '" + value + "' (formats: " + String.join(", ", new FormatNames()) + ")"));
        }
    }

    static final class FormatNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Arrays.stream(Format.values()).map(Format::wireName).iterator();
        }
    }
}
