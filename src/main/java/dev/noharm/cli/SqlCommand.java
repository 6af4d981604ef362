package dev.noharm.cli;

import dev.noharm.lake.Lake;
import dev.noharm.lake.LakeSql;
import dev.noharm.lake.QueryResultWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "sql", mixinStandardHelpOptions = true,
        description = {"Run Spark SQL over the lake: every table of data-lake-layout.md is registered under its name",
            "(cases, options, option_labels, generations, responses, decisions, case_results, metrics, ...), score tables",
            "with each dataset version's latest complete score; lake.noharm.<table> is the table itself (every score,",
            "time travel with VERSION AS OF / TIMESTAMP AS OF, metadata tables such as lake.noharm.metrics.snapshots).",
            "A file may hold several statements, each ending with ';' at the end of a line."})
final class SqlCommand extends LakeCommand {

    static final class Source {
        @Parameters(paramLabel = "QUERY", description = "The query.")
        String query;

        @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Read the statements from a file.")
        Path file;
    }

    @ArgGroup(multiplicity = "1")
    Source source;

    @Option(names = "--format", defaultValue = "table", description = "Output: ${COMPLETION-CANDIDATES} (json = JSON Lines). Default: ${DEFAULT-VALUE}.")
    QueryResultWriter.Format format;

    @Option(names = "--max-rows", paramLabel = "N", defaultValue = "1000", description = "Print at most N rows per statement (0 = all). Default: ${DEFAULT-VALUE}.")
    int maxRows;

    @Mixin
    ScoreIdOption score;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = out();
        PrintWriter err = command.commandLine().getErr();
        List<String> statements = source.file == null ? List.of(source.query)
                : statements(Files.readString(source.file, StandardCharsets.UTF_8));
        Lake target = openExistingLake();
        SparkSession spark = target.spark();
        new LakeSql(target).registerFor(score.choice(), statements);
        if (String.join("\n", statements).contains(target.catalogName() + ".")) {
            target.catalog(); // a query of the tables by their full names: the catalog opens, and the tables are made if missing
        }
        QueryResultWriter writer = new QueryResultWriter(format, maxRows);
        for (int i = 0; i < statements.size(); i++) {
            String where = source.file == null ? "query" : source.file + ", statement " + (i + 1);
            Dataset<Row> result;
            try {
                result = spark.sql(statements.get(i));
                QueryResultWriter.Printed printed = writer.write(result, out);
                if (printed.truncated() && format != QueryResultWriter.Format.table) {
                    err.println("sql: " + where + ": printed the first " + printed.rows() + " rows; --max-rows 0 prints all");
                }
            } catch (Exception e) {
                if (!(e instanceof AnalysisException)) {
                    throw e;
                }
                // Spark's own message names the table, column or token; the stack trace would add nothing.
                out.flush();
                err.println("error: " + where + ": " + e.getMessage());
                return ExitCode.INVALID_INPUT;
            }
            if (statements.size() > 1 && i < statements.size() - 1 && format == QueryResultWriter.Format.table) {
                out.println();
            }
        }
        return ExitCode.OK;
    }

    /** Statements end with ';' at the end of a line; blank statements are skipped. */
    static List<String> statements(String text) {
        return Arrays.stream(text.split(";[ \\t]*(\\r?\\n|$)"))
                .map(String::strip)
                .filter(s -> !s.isEmpty() && !s.lines().allMatch(l -> l.isBlank() || l.strip().startsWith("--")))
                .toList();
    }
}
