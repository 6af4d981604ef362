package dev.noharm.scoring;

import static org.apache.spark.sql.functions.col;

import com.fasterxml.jackson.databind.SequenceWriter;
import com.fasterxml.jackson.dataformat.csv.CsvGenerator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.noharm.lake.Lake;
import dev.noharm.lake.NothingYet;
import dev.noharm.lake.Tables;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;

/**
 * Writes the metrics table in the format of the NOHARM leaderboard's {@code metrics.csv} (CONTRACT
 * section 5): one row per (responder, condition, grading, harm level or All, metric), numbers unrounded,
 * absent values empty. The file is written beside its destination and renamed into place.
 */
public final class LeaderboardExport {
    public static final List<String> HEADER = List.of("Model", "Team", "Condition", "Harm", "Metric", "trials", "mean",
            "sd", "se", "ci", "Format", "Cases", "Grading", "Type", "Label", "Provider");

    private final Lake lake;

    public LeaderboardExport(Lake lake) {
        this.lake = lake;
    }

    /** Returns the number of rows written. */
    public int export(String datasetVersion, boolean withSpecialties, String outFile) {
        List<Row> rows = new ArrayList<>(lake.read(Tables.METRICS)
                .where(col("dataset_version").equalTo(datasetVersion)
                        .and(withSpecialties ? col("cases").isNotNull() : col("cases").equalTo("AllCases")))
                .collectAsList());
        if (rows.isEmpty()) {
            throw new NothingYet("nothing scored for dataset version " + datasetVersion + " in " + lake.uri()
                    + "; run ./submit.sh score first (nothing was written to " + outFile + ")");
        }
        List<String> metricOrder = Metric.wireNames();
        List<String> harmOrder = List.of("None", "Uncertain", "Mild", "Moderate", "Severe", "Death", "All");
        rows.sort(Comparator.<Row, String>comparing(r -> r.getAs("display_name"))
                .thenComparing(r -> r.<String>getAs("version"))
                .thenComparing(r -> r.<String>getAs("condition"))
                .thenComparing(r -> r.<String>getAs("grading"))
                .thenComparing(r -> !"AllCases".equals(r.getAs("cases")))
                .thenComparing(r -> r.<String>getAs("cases"))
                .thenComparingInt(r -> metricOrder.indexOf(r.<String>getAs("metric")))
                .thenComparingInt(r -> harmOrder.indexOf(r.<String>getAs("harm"))));

        CsvSchema.Builder schema = CsvSchema.builder().setUseHeader(true);
        HEADER.forEach(schema::addColumn);
        Path target = new Path(outFile);
        Path hidden = new Path(target.getParent() == null ? new Path(".") : target.getParent(), "." + target.getName() + ".inprogress");
        try {
            FileSystem fs = target.getFileSystem(lake.spark().sparkContext().hadoopConfiguration());
            try (Writer writer = new OutputStreamWriter(fs.create(hidden, true), StandardCharsets.UTF_8);
                    SequenceWriter csv = CsvMapper.builder().enable(CsvGenerator.Feature.STRICT_CHECK_FOR_QUOTING).build()
                            .writer(schema.build()).writeValues(writer)) {
                for (Row r : rows) {
                    String model = r.getAs("display_name");
                    csv.write(List.of(model, r.getAs("team"), r.getAs("condition"), r.getAs("harm"), r.getAs("metric"),
                            Long.toString(r.getAs("trials")), number(r, "mean"), number(r, "sd"), number(r, "se"), number(r, "ci"),
                            "NO", r.getAs("cases"), r.getAs("grading"), "AllHarm", model, r.getAs("provider")));
                }
            }
            if (fs.exists(target)) {
                fs.delete(target, false);
            }
            if (!fs.rename(hidden, target)) {
                throw new IOException("rename to " + target + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + outFile, e);
        }
        return rows.size();
    }

    /** Unrounded: the shortest decimal that reads back as the same double; empty when absent. */
    private static String number(Row r, String column) {
        Object value = r.getAs(column);
        return value == null ? "" : Double.toString((Double) value);
    }
}
