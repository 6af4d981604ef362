package dev.noharm.report;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;

import dev.noharm.benchmark.Harm;
import dev.noharm.lake.JoinKeys;
import dev.noharm.lake.Lake;
import dev.noharm.lake.Tables;
import dev.noharm.scoring.Metric;
import dev.noharm.scoring.ResponderLabels;
import dev.noharm.scoring.ResponseSources;
import dev.noharm.scoring.Robustness;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * Everything the HTML report shows, computed from the lake's score tables by Spark and brought to the
 * driver as small aggregates (one row per responder, specialty, option or version). Serialized to JSON
 * and embedded in the page.
 */
public record ReportData(
        String datasetVersion,
        String generatedAt,
        String grading,
        boolean syntheticBenchmark,
        List<LeaderboardRow> leaderboard,
        List<String> specialties,
        List<HeatCell> severeHarmBySpecialty,
        List<ErrorBar> errorsByLevel,
        List<OptionRow> omittedHighlyAppropriate,
        List<OptionRow> harmfulRecommendations,
        List<TrendPoint> trends,
        List<Regression> regressions,
        List<RobustnessRow> robustness,
        List<FlipRow> flips,
        List<JuryPanel> juries) {

    /** When the report was made, and nightly's checks, to the minute: seconds' fractions only made the table wide. */
    static final java.time.format.DateTimeFormatter MINUTES =
            java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", java.util.Locale.ROOT).withZone(java.time.ZoneOffset.UTC);

    /** One nightly comparison of a model version with its previous version (CONTRACT's interval on the difference). */
    public record Regression(String checkedAt, String model, String version, String previousVersion, String grading, String metric,
            String harm, double previousValue, double newValue, double difference, double low, double high, boolean regression) {}

    /** The headline metrics of one responder: mean over trials with the contract's ci (null for one trial). */
    public record LeaderboardRow(String responder, String version, String displayName, String label, String team, String condition,
            long trials, Estimate safety, Estimate completeness, Estimate restraint, Estimate overall,
            Estimate severeCaseHarmRate, Estimate parseFailureRate) {}

    /** mean ± ci, and the case-bootstrap interval when scoring computed one. */
    public record Estimate(Double mean, Double ci, Double bootstrapLow, Double bootstrapHigh) {}

    public record HeatCell(String label, String specialty, double severeCaseHarmRate) {}

    /** Mean errors per case at one harm level, split into omissions and commissions. */
    public record ErrorBar(String label, String level, double omissions, double commissions) {}

    /** One option, with how the responders (models, teams, humans; never controls) treated it. */
    public record OptionRow(String caseId, String specialty, int optionNo, String text, String harm, long responses,
            long count, double rate) {}

    /** A model's headline metrics per version, versions in the order they were first generated. */
    public record TrendPoint(String responder, String version, String firstGenerated, double safety,
            double severeCaseHarmRate, double completeness) {}

    /**
     * One responder's robustness to one kind of perturbation (CONTRACT section 7), across trials: the shifts with
     * their intervals over pairs, whether each interval excludes zero, and the flip rate (null where absent).
     */
    public record RobustnessRow(String label, String perturbation, long pairs, boolean labelsChanged, Estimate safetyShift,
            boolean safetyShiftFlagged, Estimate severeShift, boolean severeShiftFlagged, Estimate flipRate) {}

    /** Flags need this many pairs: in the page's data as {@code minPairsToFlag}, for the robustness panel. */
    public int getMinPairsToFlag() {
        return Robustness.MIN_PAIRS_TO_FLAG;
    }

    /**
     * An option a variant shares word for word with its original, how often answers to the two differed on it, and
     * the specialists' appropriateness of it in the original and in the copy (a flip is expected where they differ).
     */
    public record FlipRow(String perturbation, String caseId, String originalCaseId, int optionNo, String text, long flips,
            long comparisons, double rate, String originalLabel, String copyLabel) {}

    /**
     * The jury of one free-text responder (CONTRACT section 6): how many plans it wrote, how many the jury could not read
     * (m = 0), how many were flagged short or unnumbered, what its judges cost, and the agreement matrix.
     */
    public record JuryPanel(String label, long plans, long juryParseFailures, long shortPlans, long unnumberedPlans,
            double judgeCostUsd, List<JuryCell> cells) {}

    /**
     * One cell of a jury's matrix: a judge with itself (its agreement with the jury, {@code otherJudge} null) or a pair
     * of judges (their share of agreement and Cohen's kappa); {@code inJury}: the judge (both judges) counted in R_c.
     */
    public record JuryCell(String judge, String judgeSource, String otherJudge, boolean inJury, long items, Double agreement,
            Double kappa) {}

    static final String HEADLINE_LEVEL = Harm.SEVERE.displayName();

    public static ReportData from(Lake lake, String datasetVersion, String grading) {
        Dataset<Row> metrics = ResponderLabels.withLabels(lake.read(Tables.METRICS)
                .where(col("dataset_version").equalTo(datasetVersion).and(col("grading").equalTo(grading))));
        boolean synthetic = lake.read(Tables.CASES).where(col("dataset_version").equalTo(datasetVersion)
                .and(functions.lower(col("source")).contains("synthetic"))).limit(1).count() > 0;
        return new ReportData(datasetVersion, MINUTES.format(Instant.now()), grading, synthetic,
                leaderboard(metrics), specialties(metrics), heatmap(metrics),
                errorsByLevel(lake, datasetVersion, grading, metrics),
                options(lake, datasetVersion, grading, true), options(lake, datasetVersion, grading, false),
                trends(lake, datasetVersion, grading), regressions(lake, datasetVersion), robustness(lake, datasetVersion, grading, metrics),
                flips(lake, datasetVersion, grading), juries(lake, datasetVersion, metrics));
    }

    /** Per free-text responder of the newest score, its jury; empty when no plan was judged. */
    private static List<JuryPanel> juries(Lake lake, String datasetVersion, Dataset<Row> metrics) {
        Column version = col("dataset_version").equalTo(datasetVersion);
        List<Row> scored = lake.read(Tables.SCORED_RESPONSES).where(version.and(col("task").equalTo("free_text")))
                .groupBy("responder", "version", "condition")
                .agg(functions.count(functions.lit(1)).as("plans"),
                        sum(functions.when(col("parse_failure"), 1L).otherwise(0L)).as("failures"),
                        sum(functions.when(col("plan_flag").equalTo(dev.noharm.judging.PlanFlags.SHORT), 1L).otherwise(0L)).as("short"),
                        sum(functions.when(col("plan_flag").equalTo(dev.noharm.judging.PlanFlags.UNNUMBERED), 1L).otherwise(0L)).as("unnumbered"))
                .collectAsList();
        if (scored.isEmpty()) {
            return List.of();
        }
        Map<String, String> labels = new TreeMap<>();
        metrics.select("responder", "version", "condition", "label").distinct().collectAsList()
                .forEach(r -> labels.put(String.join("\u0000", r.getString(0), r.getString(1), r.getString(2)), r.getString(3)));
        // What every judge call on a version's plans cost, superseded calls (a judge's earlier version) included.
        Dataset<Row> generations = lake.read(Tables.GENERATIONS).where(version);
        Dataset<Row> plans = generations.where(col("judged_work_key").isNull().and(col("task").equalTo("free_text")))
                .select(col("work_key").as("judged_work_key"), ResponseSources.soloResponder().as("responder"), col("model_version").as("version"));
        Map<String, Double> costs = new TreeMap<>();
        generations.where(col("judged_work_key").isNotNull()).join(plans, "judged_work_key")
                .groupBy("responder", "version").agg(functions.coalesce(sum("cost_usd"), functions.lit(0.0))).collectAsList()
                .forEach(r -> costs.put(r.getString(0) + "\u0000" + r.getString(1), r.getDouble(2)));
        Map<String, List<JuryCell>> cells = new TreeMap<>();
        for (Row r : lake.read(Tables.JUDGE_AGREEMENT).where(version).orderBy("judge", "other_judge").collectAsList()) {
            String key = String.join("\u0000", r.<String>getAs("responder"), r.<String>getAs("version"), r.<String>getAs("condition"));
            cells.computeIfAbsent(key, k -> new ArrayList<>()).add(new JuryCell(r.getAs("judge"), r.getAs("judge_source"),
                    r.getAs("other_judge"), r.<Boolean>getAs("in_jury"), r.<Long>getAs("items"), r.getAs("agreement"), r.getAs("kappa")));
        }
        List<JuryPanel> panels = new ArrayList<>();
        for (Row r : scored) {
            String key = String.join("\u0000", r.getString(0), r.getString(1), r.getString(2));
            panels.add(new JuryPanel(labels.getOrDefault(key, r.getString(0)), r.getLong(3), r.getLong(4), r.getLong(5), r.getLong(6),
                    costs.getOrDefault(r.getString(0) + "\u0000" + r.getString(1), 0.0), cells.getOrDefault(key, List.of())));
        }
        panels.sort(java.util.Comparator.comparing(JuryPanel::label));
        return panels;
    }

    private static List<LeaderboardRow> leaderboard(Dataset<Row> metrics) {
        Dataset<Row> all = metrics.where(col("cases").equalTo("AllCases"));
        List<LeaderboardRow> rows = new ArrayList<>();
        Map<String, Map<String, Row>> byResponder = new TreeMap<>();
        for (Row r : all.where(col("harm").equalTo("All").or(col("metric").equalTo("pct_cumulative").and(col("harm").equalTo(HEADLINE_LEVEL))))
                .collectAsList()) {
            String key = r.<String>getAs("responder") + "\u0000" + r.getAs("version") + "\u0000" + r.getAs("condition");
            byResponder.computeIfAbsent(key, k -> new TreeMap<>()).put(r.getAs("metric"), r);
        }
        for (Map<String, Row> m : byResponder.values()) {
            Row any = m.values().iterator().next();
            long trials = m.values().stream().mapToLong(r -> r.<Long>getAs("trials")).max().orElse(0);
            rows.add(new LeaderboardRow(any.getAs("responder"), any.getAs("version"), any.getAs("display_name"), any.getAs("label"), any.getAs("team"),
                    any.getAs("condition"), trials, estimate(m.get("Safety")), estimate(m.get("Completeness")),
                    estimate(m.get("Restraint")), estimate(m.get("OverallScore")), estimate(m.get("pct_cumulative")),
                    estimate(m.get("ParseFailureRate"))));
        }
        rows.sort((a, b) -> Double.compare(orZero(b.overall()), orZero(a.overall())));
        return rows;
    }

    /**
     * Per responder (as labelled in the leaderboard) and kind, with the most pairs a trial of it answered (what the
     * flag counts) and whether some copy of the kind has labels of its own.
     */
    private static List<RobustnessRow> robustness(Lake lake, String datasetVersion, String grading, Dataset<Row> metrics) {
        Dataset<Row> shifts = metrics.where(col("cases").startsWith("Perturbation=")
                .and(col("metric").isin(Metric.SAFETY_SHIFT.wireName(), Metric.SEVERE_SHIFT.wireName(), Metric.FLIP_RATE.wireName())));
        if (shifts.isEmpty()) {
            return List.of();
        }
        Column version = col("dataset_version").equalTo(datasetVersion);
        Map<String, Boolean> labelsChanged = new TreeMap<>();
        Robustness.pairLabels(lake.read(Tables.CASES).where(version), lake.read(Tables.OPTIONS).where(version),
                        lake.read(Tables.OPTION_LABELS).where(version.and(col("grading").equalTo(grading))))
                .groupBy("perturbation").agg(functions.max("labels_changed")).collectAsList()
                .forEach(r -> labelsChanged.put(r.getString(0), r.getBoolean(1)));
        // The most pairs a trial answered, per responder and kind (collected: a join on a computed case set would ask
        // Iceberg to push a filter down that it cannot, and it warns).
        Map<String, Long> pairsAnswered = new TreeMap<>();
        lake.read(Tables.ROBUSTNESS).where(version.and(col("grading").equalTo(grading)).and(col("metric").equalTo(Metric.SAFETY_SHIFT.wireName())))
                .groupBy("responder", "version", "condition", "perturbation").agg(functions.max("pairs")).collectAsList()
                .forEach(r -> pairsAnswered.put(String.join("\u0000", r.getString(0), r.getString(1), r.getString(2), r.getString(3)), r.getLong(4)));
        Map<String, Map<String, Row>> byResponderAndKind = new TreeMap<>();
        for (Row r : shifts.collectAsList()) {
            String key = r.<String>getAs("label") + "\u0000" + r.<String>getAs("cases").substring("Perturbation=".length());
            byResponderAndKind.computeIfAbsent(key, k -> new TreeMap<>()).put(r.getAs("metric"), r);
        }
        List<RobustnessRow> rows = new ArrayList<>();
        byResponderAndKind.forEach((key, m) -> {
            String[] parts = key.split("\u0000", 2);
            Row any = m.values().iterator().next();
            long pairs = pairsAnswered.getOrDefault(String.join("\u0000", any.<String>getAs("responder"), any.<String>getAs("version"),
                    any.<String>getAs("condition"), parts[1]), 0L);
            Row safety = m.get(Metric.SAFETY_SHIFT.wireName());
            Row severe = m.get(Metric.SEVERE_SHIFT.wireName());
            rows.add(new RobustnessRow(parts[0], parts[1], pairs, labelsChanged.getOrDefault(parts[1], false),
                    estimate(safety), flagged(safety), estimate(severe), flagged(severe), estimate(m.get(Metric.FLIP_RATE.wireName()))));
        });
        return rows;
    }

    private static boolean flagged(Row r) {
        return r != null && Boolean.TRUE.equals(r.getAs("shift_flagged"));
    }

    /**
     * The ten options shared by a variant and its original whose recommendation differed most often between the two,
     * over every answer pair (responder and trial; controls left out) of the newest score: first those the specialists
     * rated alike in both cases (where a flip is the model's instability), then those they rated differently.
     */
    private static List<FlipRow> flips(Lake lake, String datasetVersion, String grading) {
        Column version = col("dataset_version").equalTo(datasetVersion);
        Dataset<Row> cases = lake.read(Tables.CASES).where(version).select("dataset_version", "case_id", "variant_of", "perturbation");
        if (cases.where(col("variant_of").isNotNull()).isEmpty()) {
            return List.of();
        }
        Dataset<Row> decisions = lake.read(Tables.DECISIONS).where(version.and(col("condition").notEqual("Control")));
        Dataset<Row> options = lake.read(Tables.OPTIONS).where(version).select("dataset_version", "case_id", "option_no", "text");
        Dataset<Row> labels = lake.read(Tables.OPTION_LABELS).where(version.and(col("grading").equalTo(grading)))
                .select("case_id", "option_no", "appropriateness");
        return Robustness.sharedOptionFlips(decisions, cases, options)
                .groupBy("perturbation", "v_case", "o_case", "option_no", "text")
                .agg(sum("flipped").cast("long").as("flips"), functions.count(functions.lit(1)).as("comparisons"))
                .where(col("flips").gt(0))
                .withColumn("rate", col("flips").divide(col("comparisons")))
                .join(labels.select(col("case_id").as("o_case"), col("option_no"), col("appropriateness").as("original_label")),
                        JoinKeys.of("o_case", "option_no"))
                .join(labels.select(col("case_id").as("v_case"), col("option_no"), col("appropriateness").as("copy_label")),
                        JoinKeys.of("v_case", "option_no"))
                .orderBy(col("original_label").notEqual(col("copy_label")), col("rate").desc(), col("flips").desc(), col("v_case"),
                        col("option_no"))
                .limit(10).collectAsList().stream()
                .map(r -> new FlipRow(r.getAs("perturbation"), r.getAs("v_case"), r.getAs("o_case"), r.<Integer>getAs("option_no"),
                        r.getAs("text"), r.<Long>getAs("flips"), r.<Long>getAs("comparisons"), r.<Double>getAs("rate"),
                        r.getAs("original_label"), r.getAs("copy_label")))
                .toList();
    }

    private static double orZero(Estimate e) {
        return e.mean() == null ? -1 : e.mean();
    }

    private static Estimate estimate(Row r) {
        if (r == null) {
            return new Estimate(null, null, null, null);
        }
        return new Estimate(r.getAs("mean"), r.getAs("ci"), r.getAs("bootstrap_low"), r.getAs("bootstrap_high"));
    }

    private static List<String> specialties(Dataset<Row> metrics) {
        return metrics.where(col("cases").startsWith("Specialty=")).select("cases").distinct().orderBy("cases")
                .collectAsList().stream().map(r -> r.getString(0).substring("Specialty=".length())).toList();
    }

    private static List<HeatCell> heatmap(Dataset<Row> metrics) {
        return metrics.where(col("cases").startsWith("Specialty=").and(col("metric").equalTo("pct_cumulative"))
                        .and(col("harm").equalTo(HEADLINE_LEVEL)))
                .select("label", "cases", "mean").orderBy("label", "cases").collectAsList().stream()
                .map(r -> new HeatCell(r.getString(0), r.getString(1).substring("Specialty=".length()), r.getDouble(2)))
                .toList();
    }

    private static List<ErrorBar> errorsByLevel(Lake lake, String datasetVersion, String grading, Dataset<Row> metrics) {
        Dataset<Row> names = metrics.select("responder", "version", "condition", "label").distinct();
        List<Column> aggregates = new ArrayList<>();
        List<Harm> levels = List.of(Harm.MILD, Harm.MODERATE, Harm.SEVERE, Harm.DEATH);
        for (Harm h : levels) {
            aggregates.add(avg(col("errors_" + h.wireName())).as("errors_" + h.wireName()));
            aggregates.add(avg(col("omissions_" + h.wireName())).as("omissions_" + h.wireName()));
        }
        List<ErrorBar> bars = new ArrayList<>();
        for (Row r : lake.read(Tables.CASE_RESULTS)
                .where(col("dataset_version").equalTo(datasetVersion).and(col("grading").equalTo(grading)))
                .groupBy("responder", "version", "condition")
                .agg(aggregates.get(0), aggregates.subList(1, aggregates.size()).toArray(Column[]::new))
                .join(names, JoinKeys.of("responder", "version", "condition"))
                .orderBy("label").collectAsList()) {
            for (Harm h : levels) {
                double errors = r.getAs("errors_" + h.wireName());
                double omissions = r.getAs("omissions_" + h.wireName());
                bars.add(new ErrorBar(r.getAs("label"), h.displayName(), omissions, errors - omissions));
            }
        }
        return bars;
    }

    /**
     * The ten highly appropriate options omitted most often ({@code omitted}), or the ten options whose
     * recommendation did moderate or worse harm most often, over every responder except controls.
     */
    private static List<OptionRow> options(Lake lake, String datasetVersion, String grading, boolean omitted) {
        Dataset<Row> labels = lake.read(Tables.OPTION_LABELS)
                .where(col("dataset_version").equalTo(datasetVersion).and(col("grading").equalTo(grading)))
                .select("case_id", "option_no", "highly_appropriate", "harm_if_done_level");
        Dataset<Row> texts = lake.read(Tables.OPTIONS).where(col("dataset_version").equalTo(datasetVersion))
                .select("case_id", "option_no", "text");
        Dataset<Row> perOption = lake.read(Tables.OPTION_RESULTS)
                .where(col("dataset_version").equalTo(datasetVersion).and(col("grading").equalTo(grading))
                        .and(col("condition").notEqual("Control")))
                .groupBy("case_id", "specialty", "option_no", "harm_if_done", "harm_if_omitted")
                .agg(sum("responses").as("responses"), sum("recommended").as("recommended"),
                        sum("harmful_recommendations").as("harmful_recommendations"))
                .join(labels, JoinKeys.of("case_id", "option_no"))
                .join(texts, JoinKeys.of("case_id", "option_no"));
        Dataset<Row> ranked = omitted
                ? perOption.where(col("highly_appropriate"))
                        .withColumn("count", col("responses").minus(col("recommended")))
                        .withColumn("harm", col("harm_if_omitted"))
                : perOption.where(col("harm_if_done_level").geq(Harm.MODERATE.ordinal()))
                        .withColumn("count", col("harmful_recommendations"))
                        .withColumn("harm", col("harm_if_done"));
        return ranked.where(col("count").gt(0))
                .withColumn("rate", col("count").divide(col("responses")))
                .orderBy(col("rate").desc(), col("count").desc(), col("case_id"), col("option_no"))
                .limit(10).collectAsList().stream()
                .map(r -> new OptionRow(r.getAs("case_id"), r.getAs("specialty"), r.<Integer>getAs("option_no"), r.getAs("text"),
                        r.getAs("harm"), r.<Long>getAs("responses"), r.<Long>getAs("count"), r.<Double>getAs("rate")))
                .toList();
    }

    /** Models with more than one scored version, in the order each version was first generated. */
    private static List<TrendPoint> trends(Lake lake, String datasetVersion, String grading) {
        Dataset<Row> firstGenerated = lake.read(Tables.GENERATIONS).where(col("dataset_version").equalTo(datasetVersion))
                .groupBy(col("model_id").as("responder"), col("model_version").as("version"))
                .agg(min("started_at").as("first_generated"));
        Dataset<Row> headline = lake.read(Tables.METRICS)
                .where(col("dataset_version").equalTo(datasetVersion).and(col("grading").equalTo(grading))
                        .and(col("cases").equalTo("AllCases")).and(col("condition").equalTo("Advisor"))
                        .and(col("metric").isin("Safety", "Completeness").or(col("metric").equalTo("pct_cumulative")
                                .and(col("harm").equalTo(HEADLINE_LEVEL)))))
                .groupBy("responder", "version").pivot("metric", List.of("Safety", "Completeness", "pct_cumulative"))
                .agg(first("mean"))
                .join(firstGenerated, JoinKeys.of("responder", "version"));
        Dataset<Row> versions = headline.groupBy("responder").count().where(col("count").gt(1)).select("responder");
        return headline.join(versions, "responder").orderBy("responder", "first_generated").collectAsList().stream()
                .map(r -> new TrendPoint(r.getAs("responder"), r.getAs("version"), r.getAs("first_generated").toString(),
                        value(r, "Safety"), value(r, "pct_cumulative"), value(r, "Completeness")))
                .toList();
    }

    private static double value(Row r, String column) {
        Object v = r.getAs(column);
        return v == null ? Double.NaN : (Double) v;
    }

    /** Nightly comparisons of this dataset version, flagged ones first. */
    private static List<Regression> regressions(Lake lake, String datasetVersion) {
        Dataset<Row> table = lake.read(Tables.REGRESSIONS).where(col("dataset_version").equalTo(datasetVersion)
                .and(col("cases").equalTo("AllCases")));
        return table.orderBy(col("regression").desc(), col("checked_at").desc(), col("model_id"), col("metric"))
                .limit(200).collectAsList().stream()
                .map(r -> new Regression(MINUTES.format(r.<java.sql.Timestamp>getAs("checked_at").toInstant()), r.getAs("model_id"),
                        r.getAs("version"), r.getAs("previous_version"), r.getAs("grading"), r.getAs("metric"), r.getAs("harm"),
                        r.<Double>getAs("previous_value"), r.<Double>getAs("new_value"), r.<Double>getAs("difference"),
                        r.<Double>getAs("low"), r.<Double>getAs("high"), r.<Boolean>getAs("regression")))
                .toList();
    }
}
