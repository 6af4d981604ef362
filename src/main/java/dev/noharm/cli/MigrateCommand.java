package dev.noharm.cli;

import dev.noharm.lake.Lake;
import dev.noharm.lake.Migration;
import java.io.PrintWriter;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = {"Bring a lake written by release 0.1 (Parquet folders) into the Iceberg tables of --lake, losing no",
            "generation (they were paid for). The old folders are read, never changed; --from may be the same root as --lake.",
            "Running it again finishes a migration that stopped and skips the tables already done."})
final class MigrateCommand extends LakeCommand {

    @Option(names = "--from", paramLabel = "OLD_LAKE", description = "Root of the old lake. Default: the --lake root itself.")
    String from;

    @Override
    public Integer call() {
        PrintWriter out = out();
        Lake target = openLake();
        String source = from == null ? target.uri() : from;
        String format = "%-18s %10s %10s  %s%n";
        out.printf(Locale.ROOT, format, "table", "old rows", "migrated", "");
        for (Migration.TableReport r : new Migration(target).from(source)) {
            out.printf(Locale.ROOT, format, r.table(), r.oldRows() < 0 ? "-" : Long.toString(r.oldRows()),
                    r.migratedRows() < 0 ? "-" : Long.toString(r.migratedRows()), r.note());
        }
        out.println("migrate: " + source + " is in the lake's Iceberg tables (catalog " + target.settings().describe() + ")");
        return ExitCode.OK;
    }
}
