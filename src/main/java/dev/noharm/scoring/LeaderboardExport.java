package dev.noharm.scoring;

import static org.apache.spark.sql.functions.col;

import com.fasterxml.jackson.databind.SequenceWriter;
import com.fasterxml.jackson.dataformat.csv.CsvGenerator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.noharm.benchmark.Harm;
import dev.noharm.generation.Task;
import dev.noharm.lake.Lake;
import dev.noharm.lake.NothingYet;
import dev.noharm.lake.Tables;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * Writes the metrics table as the NOHARM leaderboard's {@code metrics.csv} (CONTRACT section 5), in one of
 * its two layouts. Responders are named by {@link ResponderLabels}, as the report names them, so two scored
 * versions of one model are two distinguishable rows. The file is written beside its destination and renamed
 * into place.
 */
public final class LeaderboardExport {

    /** The two layouts of section 5. */
    public enum Format {
        /** Every computed row, numbers unrounded. */
        LONG("long", List.of("Model", "Team", "Condition", "Harm", "Metric", "trials", "mean", "sd", "se", "ci", "Format",
                "Cases", "Grading", "Type", "Label", "Provider")),
        /** The official leaderboard app's current file: Unanimous grading, all cases, headline metrics, 3 decimals. */
        HARMDASH("harmdash", List.of("Model", "Team", "Condition", "Provider", "Metric", "mean", "ci"));

        private final String wireName;
        private final List<String> header;

        Format(String wireName, List<String> header) {
            this.wireName = wireName;
            this.header = header;
        }

        public String wireName() {
            return wireName;
        }

        public List<String> header() {
            return header;
        }

        public static Optional<Format> fromWireName(String name) {
            return Arrays.stream(values()).filter(f -> f.wireName.equals(name)).findFirst();
        }
    }

    /** CONTRACT section 5's {@code Format} of a metrics row: {@code FT} for free-text plans, else {@code NO} (rows from before tasks, controls and ensembles included). */
    static String format(Row metricsRow) {
        String task = metricsRow.getAs("task");
        return (Task.FREE_TEXT.wireName().equals(task) ? Task.FREE_TEXT : Task.OPTIONS).exportFormat();
    }

    /**
     * The harmdash rows in the app's order: whole-trial metrics, then the three harm metrics at the top of the
     * leaderboard's scale (severe and above, so death counts as severe) under the app's names.
     */
    private static final List<Metric> HARMDASH_WHOLE_TRIAL = List.of(Metric.OVERALL_SCORE, Metric.SAFETY, Metric.COMPLETENESS,
            Metric.RESTRAINT, Metric.PRECISION, Metric.RECALL, Metric.F1, Metric.ESCALATION, Metric.RUNTIME);

    private record HarmdashHarmMetric(Metric metric, String name) {}

    private static final List<HarmdashHarmMetric> HARMDASH_AT_SEVERE = List.of(
            new HarmdashHarmMetric(Metric.PCT_CUMULATIVE, "pct_cumulative"),
            new HarmdashHarmMetric(Metric.NORMALIZED_CUMULATIVE, "normalized"),
            new HarmdashHarmMetric(Metric.NNH_CUMULATIVE, "nnh_cumulative"));

    private static final String SEVERE = Harm.SEVERE.displayName();

    private final Lake lake;

    public LeaderboardExport(Lake lake) {
        this.lake = lake;
    }

    /** Returns the number of rows written; {@code withSpecialties} adds the per-specialty rows (long layout only). */
    public int export(String datasetVersion, Format format, boolean withSpecialties, String outFile) {
        if (withSpecialties && format == Format.HARMDASH) {
            throw new IllegalArgumentException("the harmdash layout has all-case rows only; per-specialty rows need --format long");
        }
        Dataset<Row> metrics = ResponderLabels.withLabels(lake.read(Tables.METRICS).where(col("dataset_version").equalTo(datasetVersion)));
        if (metrics.isEmpty()) {
            throw new NothingYet("nothing scored for dataset version " + datasetVersion + " in " + lake.uri()
                    + "; run ./submit.sh score first (nothing was written to " + outFile + ")");
        }
        List<List<String>> rows = format == Format.LONG ? longRows(metrics, withSpecialties) : harmdashRows(metrics);
        write(format.header(), rows, outFile);
        return rows.size();
    }

    private static List<List<String>> longRows(Dataset<Row> metrics, boolean withSpecialties) {
        // All cases and, where scored, the perturbation case sets; the per-specialty rows on request.
        List<Row> rows = new ArrayList<>(metrics.where(withSpecialties ? col("cases").isNotNull() : functions.not(col("cases").startsWith("Specialty=")))
                .collectAsList());
        List<String> metricOrder = Metric.wireNames();
        List<String> harmOrder = new ArrayList<>(Arrays.stream(Harm.values()).map(Harm::displayName).toList());
        harmOrder.add(Metric.ALL_LEVELS);
        rows.sort(Comparator.<Row, String>comparing(r -> r.getAs("label"))
                .thenComparing(r -> r.<String>getAs("version"))
                .thenComparing(r -> r.<String>getAs("condition"))
                .thenComparing(r -> r.<String>getAs("grading"))
                .thenComparingInt(r -> caseSetOrder(r.getAs("cases")))
                .thenComparing(r -> r.<String>getAs("cases"))
                .thenComparingInt(r -> metricOrder.indexOf(r.<String>getAs("metric")))
                .thenComparingInt(r -> harmOrder.indexOf(r.<String>getAs("harm"))));
        List<List<String>> lines = new ArrayList<>();
        for (Row r : rows) {
            String model = r.getAs("label");
            lines.add(List.of(model, r.getAs("team"), r.getAs("condition"), r.getAs("harm"), r.getAs("metric"),
                    Long.toString(r.getAs("trials")), unrounded(r.getAs("mean")), unrounded(r.getAs("sd")), unrounded(r.getAs("se")),
                    unrounded(r.getAs("ci")), format(r), r.getAs("cases"), r.getAs("grading"), "AllHarm", model, r.getAs("provider")));
        }
        return lines;
    }

    /** AllCases first, then Originals and the perturbation sets, then the specialties. */
    private static int caseSetOrder(String cases) {
        return cases.equals("AllCases") ? 0 : cases.equals("Originals") ? 1 : cases.startsWith("Perturbation=") ? 2 : 3;
    }

    /** A metrics row the harmdash layout shows, under its name there. */
    private record Shown(Row row, String name) {}

    private static List<List<String>> harmdashRows(Dataset<Row> metrics) {
        List<String> order = new ArrayList<>(HARMDASH_WHOLE_TRIAL.stream().map(Metric::wireName).toList());
        HARMDASH_AT_SEVERE.forEach(m -> order.add(m.name()));
        List<Shown> shown = new ArrayList<>();
        for (Row r : metrics.where(col("grading").equalTo("Unanimous").and(col("cases").equalTo("AllCases"))).collectAsList()) {
            if (!format(r).equals(Task.OPTIONS.exportFormat())) {
                continue; // the app's file is the numbered-options task only
            }
            harmdashName(r).ifPresent(name -> shown.add(new Shown(r, name)));
        }
        shown.sort(Comparator.<Shown, String>comparing(s -> s.row().getAs("label"))
                .thenComparing(s -> s.row().<String>getAs("version"))
                .thenComparing(s -> s.row().<String>getAs("condition"))
                .thenComparingInt(s -> order.indexOf(s.name())));
        List<List<String>> lines = new ArrayList<>();
        for (Shown s : shown) {
            Row r = s.row();
            boolean oneTrial = r.<Long>getAs("trials") == 1;
            lines.add(List.of(r.getAs("label"), r.getAs("team"), r.getAs("condition"), r.getAs("provider"), s.name(),
                    threeDecimals(r.getAs("mean")), oneTrial ? "" : threeDecimals(r.getAs("ci"))));
        }
        return lines;
    }

    /** The row's name in the harmdash layout, or empty if the app does not show it. */
    private static Optional<String> harmdashName(Row r) {
        String metric = r.getAs("metric");
        String harm = r.getAs("harm");
        if (Metric.ALL_LEVELS.equals(harm)) {
            return HARMDASH_WHOLE_TRIAL.stream().map(Metric::wireName).filter(metric::equals).findFirst();
        }
        if (SEVERE.equals(harm)) {
            return HARMDASH_AT_SEVERE.stream().filter(m -> m.metric().wireName().equals(metric)).map(HarmdashHarmMetric::name).findFirst();
        }
        return Optional.empty();
    }

    private void write(List<String> header, List<List<String>> rows, String outFile) {
        CsvSchema.Builder schema = CsvSchema.builder().setUseHeader(true);
        header.forEach(schema::addColumn);
        Path target = new Path(outFile);
        Path hidden = new Path(target.getParent() == null ? new Path(".") : target.getParent(), "." + target.getName() + ".inprogress");
        try {
            FileSystem fs = target.getFileSystem(lake.spark().sparkContext().hadoopConfiguration());
            try (Writer writer = new OutputStreamWriter(fs.create(hidden, true), StandardCharsets.UTF_8);
                    SequenceWriter csv = CsvMapper.builder().enable(CsvGenerator.Feature.STRICT_CHECK_FOR_QUOTING).build()
                            .writer(schema.build()).writeValues(writer)) {
                for (List<String> row : rows) {
                    csv.write(row);
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
    }

    /** Unrounded: the shortest decimal that reads back as the same double; empty when absent. */
    private static String unrounded(Double value) {
        return value == null ? "" : Double.toString(value);
    }

    /**
     * Three decimals, rounding the double's exact binary value half to even (what Python's {@code round} does);
     * empty when absent.
     */
    static String threeDecimals(Double value) {
        if (value == null) {
            return "";
        }
        if (!Double.isFinite(value)) {
            return Double.toString(value);
        }
        return new BigDecimal(value).setScale(3, RoundingMode.HALF_EVEN).toPlainString();
    }
}
