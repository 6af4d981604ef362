package dev.noharm.scoring;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sequence;
import static org.apache.spark.sql.functions.xxhash64;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.noharm.benchmark.BenchmarkSource;
import dev.noharm.benchmark.Harm;
import dev.noharm.benchmark.IngestBenchmark;
import dev.noharm.benchmark.SyntheticBenchmark;
import dev.noharm.lake.Lake;
import dev.noharm.lake.Tables;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * The scoring scale benchmark: synthesizes parsed decisions (responders x trials x cases x options) into the
 * lake's Iceberg decisions table, then times the metric computation from its data files, in Spark (the project's own code path:
 * case results, trial metrics per case set, across trials) and in DuckDB (the same aggregation in SQL,
 * over the same files), side by side in one run. Also reports the JVM's peak heap and how many rows came
 * back to the driver, and checks that Spark and both DuckDB queries agree on every metric they all compute.
 */
public final class ScoringBench {
    /** The score id the synthesized decisions carry in the lake's decisions table. */
    private static final String BENCH_SCORE = "bench";

    public record Size(int cases, int options, int responders, int trials) {
        long decisions() {
            return (long) cases * options * responders * trials;
        }
    }

    private final SparkSession spark;
    private final Path workDir;

    public ScoringBench(SparkSession spark, Path workDir) {
        this.spark = spark;
        this.workDir = workDir;
    }

    public String run(Size size, int repeat) throws Exception {
        Path dir = workDir.resolve("n" + size.decisions());
        Lake lake = new Lake(spark, dir.resolve("lake").toString());
        new SyntheticBenchmark(size.cases(), size.options(), 3, 5).writeTo(dir.resolve("benchmark"));
        String version = new IngestBenchmark(lake).ingest(BenchmarkSource.folder(dir.resolve("benchmark").toString(),
                spark.sparkContext().hadoopConfiguration())).datasetVersion();

        String responsesPath = dir.resolve("scored_responses").toString();
        long genStart = System.nanoTime();
        Dataset<Row> responses = spark.range((long) size.responders() * size.trials() * size.cases())
                .select(lit(version).as("dataset_version"),
                        concat(lit("r"), col("id").mod(size.responders())).as("responder"), lit("").as("version"),
                        lit("Advisor").as("condition"),
                        col("id").divide(size.responders()).cast("long").mod(size.trials()).plus(1).cast("int").as("trial"),
                        functions.format_string("syn%07d", col("id").divide((long) size.responders() * size.trials()).cast("long").plus(1)).as("case_id"),
                        xxhash64(col("id")).mod(100).lt(3).as("parse_failure"),
                        lit(null).cast("double").as("runtime_seconds"));
        responses.write().mode(SaveMode.Overwrite).parquet(responsesPath);
        Dataset<Row> decisions = spark.read().parquet(responsesPath)
                .select(col("dataset_version"), col("responder"), col("version"), col("condition"), col("trial"), col("case_id"),
                        col("parse_failure"), explode(sequence(lit(1), lit(size.options()))).as("option_no"))
                .withColumn("recommended", functions.not(col("parse_failure"))
                        .and(xxhash64(col("responder"), col("trial"), col("case_id"), col("option_no")).mod(100).lt(45)))
                .withColumn("runtime_seconds", lit(null).cast("double"));
        // The decisions go into the lake's decisions table as a score would leave them: files sorted by responder,
        // trial, case and option (range-distributed over the writing tasks, so each file holds whole responders).
        decisions.withColumn("score_id", lit(BENCH_SCORE))
                .select(java.util.Arrays.stream(Tables.DECISIONS.schema().fields())
                        .map(f -> col(f.name()).cast(f.dataType())).toArray(org.apache.spark.sql.Column[]::new))
                .writeTo(lake.tableName(Tables.DECISIONS)).option("distribution-mode", "range").append();
        // DuckDB reads the same data files, and the labels as plain Parquet files.
        String decisionFiles = String.join(", ", spark.table(lake.tableName(Tables.DECISIONS) + ".files").select("file_path")
                .collectAsList().stream().map(r -> "'" + java.net.URI.create(r.getString(0)).getPath() + "'").toList());
        lake.read(Tables.OPTION_LABELS).coalesce(1).write().mode(SaveMode.Overwrite).parquet(dir.resolve("labels").toString());
        double generateSeconds = (System.nanoTime() - genStart) / 1e9;

        List<Double> sparkSeconds = new ArrayList<>();
        List<Double> duckSeconds = new ArrayList<>();
        List<Double> duckSetsSeconds = new ArrayList<>();
        long driverRows = 0;
        resetPeakHeap();
        for (int i = 0; i < repeat; i++) {
            long t0 = System.nanoTime();
            Dataset<Row> metrics = DecisionMetrics.acrossTrials(lake.readAll(Tables.DECISIONS).where(col("score_id").equalTo(BENCH_SCORE)),
                    lake.read(Tables.OPTION_LABELS), HarmWeights.defaults(), true);
            metrics.write().mode(SaveMode.Overwrite).parquet(dir.resolve("spark-metrics").toString());
            sparkSeconds.add((System.nanoTime() - t0) / 1e9);

            long t1 = System.nanoTime();
            duckdb(dir, "duckdb-metrics.parquet", rowByRowCaseResults(decisionFiles, dir));
            duckSeconds.add((System.nanoTime() - t1) / 1e9);

            long t2 = System.nanoTime();
            duckdb(dir, "duckdb-sets-metrics.parquet", optionSetCaseResults(decisionFiles, dir));
            duckSetsSeconds.add((System.nanoTime() - t2) / 1e9);
        }
        long peakHeapMb = peakHeapBytes() / (1024 * 1024);
        // Only aggregates come back: the agreement check reads two small metric tables.
        double maxDifference = Math.max(agreement(dir, "duckdb-metrics.parquet"), agreement(dir, "duckdb-sets-metrics.parquet"));
        driverRows += spark.read().parquet(dir.resolve("spark-metrics").toString()).where("metric = 'Safety' AND cases = 'AllCases'").count();

        ObjectMapper json = new ObjectMapper();
        ObjectNode line = json.createObjectNode()
                .put("bench", "scoring")
                .put("decisions", size.decisions())
                .put("cases", size.cases()).put("options", size.options())
                .put("responders", size.responders()).put("trials", size.trials())
                .put("generate_seconds", round(generateSeconds))
                .put("spark_seconds_median", round(median(sparkSeconds)))
                .put("duckdb_seconds_median", round(median(duckSeconds)))
                .put("spark_over_duckdb", round(median(sparkSeconds) / median(duckSeconds)))
                .put("duckdb_option_sets_seconds_median", round(median(duckSetsSeconds)))
                .put("spark_over_duckdb_option_sets", round(median(sparkSeconds) / median(duckSetsSeconds)))
                .put("repeats", repeat)
                .put("jvm_peak_heap_mb", peakHeapMb)
                .put("rows_collected_to_driver", driverRows)
                .put("max_abs_difference_spark_vs_duckdb", maxDifference);
        line.putPOJO("spark_seconds", sparkSeconds);
        line.putPOJO("duckdb_seconds", duckSeconds);
        line.putPOJO("duckdb_option_sets_seconds", duckSetsSeconds);
        return json.writeValueAsString(line);
    }

    /**
     * The metrics in DuckDB SQL over the same Parquet files, from a query giving one row per (responder, trial, grading,
     * case) with the sums the trial metrics need: the trial metrics, then their means across trials.
     */
    private static void duckdb(Path dir, String output, String caseResultsSql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            s.execute("SET threads = " + Runtime.getRuntime().availableProcessors());
            s.execute("CREATE TEMP TABLE case_results AS " + caseResultsSql);
            s.execute("COPY (WITH scoped AS ("
                    + " SELECT *, 'AllCases' AS cases FROM case_results UNION ALL SELECT *, 'Specialty=' || specialty FROM case_results), "
                    + "trial AS (SELECT responder, grading, trial, cases, count(*) AS n, "
                    + " avg(CASE WHEN hw_max = 0 THEN 1.0 ELSE 1.0 - hw / hw_max END) AS safety, "
                    + " sum(CASE WHEN ha > 0 AND ha_r = ha THEN 1 ELSE 0 END)::DOUBLE / nullif(sum(CASE WHEN ha > 0 THEN 1 ELSE 0 END), 0) AS completeness, "
                    + " CASE WHEN sum(r) = 0 THEN 0 ELSE sum(ra)::DOUBLE / sum(r) END AS precision, "
                    + " sum(ra)::DOUBLE / nullif(sum(a), 0) AS recall, "
                    + " CASE WHEN sum(rau) = 0 THEN 1 ELSE sum(ra)::DOUBLE / sum(rau) END AS restraint, "
                    + " sum(CASE WHEN esc > 0 AND esc_r > 0 THEN 1 ELSE 0 END)::DOUBLE / nullif(sum(CASE WHEN esc > 0 THEN 1 ELSE 0 END), 0) AS escalation, "
                    + levelSql() + " FROM scoped GROUP BY ALL) "
                    + "SELECT responder, grading, cases, count(*) AS trials, avg(safety) AS safety, stddev_samp(safety) AS safety_sd, "
                    + " avg(completeness) AS completeness, avg(precision) AS precision, avg(recall) AS recall, avg(restraint) AS restraint, "
                    + " avg(escalation) AS escalation, avg(pct_ge_4) AS severe_case_harm_rate "
                    + "FROM trial GROUP BY ALL) TO '" + dir.resolve(output) + "' (FORMAT parquet)");
        }
    }

    /** Case results the plain way: every decision joined with its option's labels, then summed per case. */
    private static String rowByRowCaseResults(String decisionFiles, Path dir) {
        return "SELECT d.responder, d.trial, l.grading, d.case_id, l.specialty, "
                + " max(CASE WHEN d.recommended THEN l.harm_if_done_level ELSE l.harm_if_omitted_level END) AS maxsev, "
                + errorsSql() + ", "
                + " sum(CASE WHEN l.highly_appropriate THEN 1 ELSE 0 END) AS ha, "
                + " sum(CASE WHEN l.highly_appropriate AND d.recommended THEN 1 ELSE 0 END) AS ha_r, "
                + " sum(CASE WHEN l.appropriate THEN 1 ELSE 0 END) AS a, "
                + " sum(CASE WHEN d.recommended THEN 1 ELSE 0 END) AS r, "
                + " sum(CASE WHEN d.recommended AND l.appropriate THEN 1 ELSE 0 END) AS ra, "
                + " sum(CASE WHEN d.recommended AND (l.appropriate OR l.uncertain) THEN 1 ELSE 0 END) AS rau, "
                + " sum(CASE WHEN l.escalation AND l.appropriate THEN 1 ELSE 0 END) AS esc, "
                + " sum(CASE WHEN l.escalation AND l.appropriate AND d.recommended THEN 1 ELSE 0 END) AS esc_r, "
                + " sum(" + WEIGHTS_SQL + "[(CASE WHEN d.recommended THEN l.harm_if_done_level ELSE l.harm_if_omitted_level END) + 1]) AS hw, "
                + " sum(greatest(" + WEIGHTS_SQL + "[l.harm_if_done_level + 1], " + WEIGHTS_SQL + "[l.harm_if_omitted_level + 1])) AS hw_max "
                + "FROM read_parquet([" + decisionFiles + "]) d "
                + "JOIN read_parquet('" + labelFiles(dir) + "') l USING (case_id, option_no) "
                + "GROUP BY ALL";
    }

    /**
     * Case results the way {@link CaseResults} computes them, for a like-for-like comparison: each response's options
     * folded into bit sets per 64-option word, the labels likewise, and every sum a population count of an intersection.
     */
    private static String optionSetCaseResults(String decisionFiles, Path dir) {
        String bit = "(1::UBIGINT << (option_no % 64))";
        StringBuilder labelSets = new StringBuilder("bit_or(" + bit + ") AS l_all");
        StringBuilder sums = new StringBuilder();
        StringBuilder hw = new StringBuilder("0");
        StringBuilder hwMax = new StringBuilder("0");
        StringBuilder maxsev = new StringBuilder("CASE");
        String heavier = "(CASE WHEN " + WEIGHTS_SQL + "[harm_if_done_level + 1] >= " + WEIGHTS_SQL
                + "[harm_if_omitted_level + 1] THEN harm_if_done_level ELSE harm_if_omitted_level END)";
        double[] weights = HarmWeights.defaults().byLevel();
        for (int l = 0; l < 6; l++) {
            labelSets.append(", bit_or(CASE WHEN harm_if_done_level = ").append(l).append(" THEN ").append(bit).append(" ELSE 0::UBIGINT END) AS l_d").append(l)
                    .append(", bit_or(CASE WHEN harm_if_omitted_level = ").append(l).append(" THEN ").append(bit).append(" ELSE 0::UBIGINT END) AS l_o").append(l)
                    .append(", bit_or(CASE WHEN ").append(heavier).append(" = ").append(l).append(" THEN ").append(bit).append(" ELSE 0::UBIGINT END) AS l_h").append(l);
            sums.append("sum(bit_count((rr & l_d").append(l).append(") | (oo & l_o").append(l).append("))) AS e").append(l)
                    .append(", sum(bit_count(oo & l_o").append(l).append(")) AS o").append(l).append(", ");
            hw.append(" + ").append(weights[l]).append("::DOUBLE * e").append(l);
            hwMax.append(" + ").append(weights[l]).append("::DOUBLE * sum(bit_count(dd & l_h").append(l).append("))");
            maxsev.append(" WHEN e").append(5 - l).append(" > 0 THEN ").append(5 - l);
        }
        for (String flag : List.of("highly_appropriate", "appropriate", "uncertain", "escalation")) {
            labelSets.append(", bit_or(CASE WHEN ").append(flag).append(" THEN ").append(bit).append(" ELSE 0::UBIGINT END) AS l_").append(flag);
        }
        return "WITH responses AS (SELECT responder, trial, case_id, option_no // 64 AS word, "
                + " bit_or(CASE WHEN recommended THEN " + bit + " ELSE 0::UBIGINT END) AS rec, bit_or(" + bit + ") AS decided "
                + " FROM read_parquet([" + decisionFiles + "]) GROUP BY ALL), "
                + "labels AS (SELECT grading, case_id, specialty, option_no // 64 AS word, " + labelSets
                + " FROM read_parquet('" + labelFiles(dir) + "') GROUP BY ALL), "
                + "joined AS (SELECT r.responder, r.trial, l.grading, r.case_id, l.specialty, r.decided & l.l_all AS dd, r.rec & l.l_all AS rr, "
                + " r.decided & l.l_all & ~r.rec AS oo, l.* EXCLUDE (grading, case_id, specialty, word) "
                + " FROM responses r JOIN labels l USING (case_id, word)), "
                + "sums AS (SELECT responder, trial, grading, case_id, specialty, " + sums
                + " sum(bit_count(dd & l_highly_appropriate)) AS ha, sum(bit_count(rr & l_highly_appropriate)) AS ha_r, "
                + " sum(bit_count(dd & l_appropriate)) AS a, sum(bit_count(rr)) AS r, sum(bit_count(rr & l_appropriate)) AS ra, "
                + " sum(bit_count(rr & (l_appropriate | l_uncertain))) AS rau, sum(bit_count(dd & l_escalation & l_appropriate)) AS esc, "
                + " sum(bit_count(rr & l_escalation & l_appropriate)) AS esc_r, " + hwMax + " AS hw_max "
                + " FROM joined GROUP BY ALL) "
                + "SELECT *, " + maxsev + " ELSE 0 END AS maxsev, " + hw + " AS hw FROM sums";
    }

    /** The default harm weights as a DuckDB list, indexed by level + 1. */
    private static final String WEIGHTS_SQL = java.util.Arrays.toString(HarmWeights.defaults().byLevel());

    private static String labelFiles(Path dir) {
        return dir.resolve("labels") + "/*.parquet";
    }

    private static String errorsSql() {
        List<String> parts = new ArrayList<>();
        for (int l = 0; l < 6; l++) {
            String sev = "(CASE WHEN d.recommended THEN l.harm_if_done_level ELSE l.harm_if_omitted_level END)";
            parts.add("sum(CASE WHEN " + sev + " = " + l + " THEN 1 ELSE 0 END) AS e" + l);
            parts.add("sum(CASE WHEN " + sev + " = " + l + " AND NOT d.recommended THEN 1 ELSE 0 END) AS o" + l);
        }
        return String.join(", ", parts);
    }

    private static String levelSql() {
        List<String> parts = new ArrayList<>();
        for (int l = 0; l < 6; l++) {
            parts.add("avg(CASE WHEN maxsev >= " + l + " THEN 1.0 ELSE 0.0 END) AS pct_ge_" + l);
            parts.add("100.0 * sum(e" + l + ") / count(*) AS normalized_" + l);
        }
        return String.join(", ", parts);
    }

    /** Each DuckDB metrics column with the metric and harm level of the Spark row holding the same value. */
    private static final Map<String, List<String>> SPARK_METRIC_OF = Map.of(
            "safety", List.of(Metric.SAFETY.wireName(), Metric.ALL_LEVELS),
            "completeness", List.of(Metric.COMPLETENESS.wireName(), Metric.ALL_LEVELS),
            "precision", List.of(Metric.PRECISION.wireName(), Metric.ALL_LEVELS),
            "recall", List.of(Metric.RECALL.wireName(), Metric.ALL_LEVELS),
            "restraint", List.of(Metric.RESTRAINT.wireName(), Metric.ALL_LEVELS),
            "escalation", List.of(Metric.ESCALATION.wireName(), Metric.ALL_LEVELS),
            "severe_case_harm_rate", List.of(Metric.PCT_CUMULATIVE.wireName(), Harm.SEVERE.displayName()));

    /**
     * The largest difference in any mean metric between the two engines, over every responder, grading and case set;
     * fails if a value one engine has is missing or null in the other.
     */
    private double agreement(Path dir, String duckdbOutput) throws SQLException {
        double largest = 0;
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            for (Map.Entry<String, List<String>> metric : SPARK_METRIC_OF.entrySet()) {
                String column = metric.getKey();
                try (ResultSet r = s.executeQuery("SELECT max(abs(d." + column + " - sp.mean)), "
                        + " count(*) FILTER (WHERE (d." + column + " IS NULL) <> (sp.mean IS NULL)) "
                        + "FROM read_parquet('" + dir.resolve(duckdbOutput) + "') d "
                        + "LEFT JOIN (SELECT * FROM read_parquet('" + dir.resolve("spark-metrics") + "/*.parquet') "
                        + " WHERE metric = '" + metric.getValue().get(0) + "' AND harm = '" + metric.getValue().get(1) + "') sp "
                        + "ON sp.responder = d.responder AND sp.grading = d.grading AND sp.cases = d.cases")) {
                    r.next();
                    if (r.getLong(2) > 0) {
                        throw new IllegalStateException(duckdbOutput + ": " + r.getLong(2) + " values of " + column
                                + " are null or missing in one engine and not in the other");
                    }
                    largest = Math.max(largest, r.getDouble(1));
                }
            }
        }
        return largest;
    }

    private static void resetPeakHeap() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                pool.resetPeakUsage();
            }
        }
    }

    private static long peakHeapBytes() {
        long total = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                total += pool.getPeakUsage().getUsed();
            }
        }
        return total;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }
}
