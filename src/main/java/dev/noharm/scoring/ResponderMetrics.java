package dev.noharm.scoring;

import static org.apache.spark.sql.functions.col;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.spark.api.java.function.FlatMapGroupsFunction;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Every metric of each responder from its case results, in one pass per responder: Spark groups the case results
 * by (dataset_version, responder, version, condition) and runs {@link TrialMetrics}' functions on each group, so a
 * score computes its per-trial metrics, their summaries across trials and the case-bootstrap intervals in one
 * shuffle instead of a query plan per table ({@link Robustness#shifts} does the same for section 7's shifts, in a
 * second). A responder's case results are cases x trials x gradings rows (10^5 for a thousand cases over fifty
 * trials), which one task holds easily; a case bootstrap of B replicates adds B passes over its AllCases rows, in
 * that responder's task (so responders, not replicates, are what runs in parallel).
 */
public final class ResponderMetrics {
    /** The columns a responder is grouped by, first in every output row. */
    static final List<String> RESPONDER = List.of("dataset_version", "responder", "version", "condition");

    /** The summary of a metric across trials, and its bootstrap interval when it has one: the last columns of {@link #SCHEMA}. */
    static final StructType ACROSS = new StructType()
            .add("trials", DataTypes.LongType, true)
            .add("mean", DataTypes.DoubleType, true)
            .add("sd", DataTypes.DoubleType, true)
            .add("se", DataTypes.DoubleType, true)
            .add("ci", DataTypes.DoubleType, true)
            .add("bootstrap_low", DataTypes.DoubleType, true)
            .add("bootstrap_high", DataTypes.DoubleType, true);

    /**
     * One row per metric value: per trial ({@code trial} set, {@code value}), or across trials ({@code trial} null;
     * the {@link #ACROSS} columns, with the case bootstrap's interval when one was asked for).
     */
    static final StructType SCHEMA = withResponder(new StructType()
            .add("grading", DataTypes.StringType, false)
            .add("cases", DataTypes.StringType, false)
            .add("harm", DataTypes.StringType, false)
            .add("metric", DataTypes.StringType, false)
            .add("trial", DataTypes.IntegerType, true)
            .add("value", DataTypes.DoubleType, true), ACROSS);

    /** Per bootstrap replicate (0: the cases as answered), the mean over trials of every metric: {@link #replicateMeans}. */
    static final StructType REPLICATE_SCHEMA = withResponder(new StructType()
            .add("replicate", DataTypes.IntegerType, false)
            .add("grading", DataTypes.StringType, false)
            .add("cases", DataTypes.StringType, false)
            .add("harm", DataTypes.StringType, false)
            .add("metric", DataTypes.StringType, false)
            .add("mean", DataTypes.DoubleType, false));

    private ResponderMetrics() {}

    /**
     * The case sets a case result counts in: {@code AllCases}; with {@code perSpecialty} also {@code Specialty=<its
     * specialty>}; and, when {@code perturbationSets} is not empty, the set it names for the case ({@code Originals}
     * or {@code Perturbation=<kind>}, CONTRACT section 7).
     */
    public record CaseSets(boolean perSpecialty, Map<String, String> perturbationSets) implements Serializable {
        public static final CaseSets ALL_CASES = new CaseSets(false, Map.of());

        List<String> of(CaseResult r) {
            List<String> sets = new ArrayList<>(3);
            sets.add("AllCases");
            if (perSpecialty) {
                sets.add("Specialty=" + r.specialty());
            }
            String perturbation = perturbationSets.get(r.caseId());
            if (perturbation != null) {
                sets.add(perturbation);
            }
            return sets;
        }
    }

    /**
     * A seeded case bootstrap ({@link CaseBootstrap#draws}) over these cases, for the {@code AllCases} metrics
     * only, or for every case set with {@code everySet}; {@code replicates} 0 for none.
     */
    public record Bootstrap(List<String> caseIds, int replicates, long seed, boolean everySet) implements Serializable {
        public static final Bootstrap NONE = new Bootstrap(List.of(), 0, 0, false);

        boolean covers(String caseSet) {
            return replicates > 0 && (everySet || caseSet.equals("AllCases"));
        }
    }

    /** Rows of {@link #SCHEMA} for every responder of {@code caseResults} (rows with the case_results columns). */
    static Dataset<Row> compute(Dataset<Row> caseResults, CaseSets sets, Bootstrap bootstrap) {
        StructType in = caseResults.schema();
        return byResponder(caseResults).flatMapGroups((FlatMapGroupsFunction<Row, Row, Row>) (key, rows) -> {
            List<Row> out = new ArrayList<>();
            List<CaseBootstrap.Draw> draws = CaseBootstrap.draws(bootstrap.caseIds(), bootstrap.replicates(), bootstrap.seed());
            for (var scope : byScope(rows, CaseResult.reader(in), sets).entrySet()) {
                Map<TrialMetrics.Measure, double[]> intervals = bootstrap.covers(scope.getKey().cases())
                        ? intervals(replicates(scope.getValue(), draws)) : Map.of();
                Map<TrialMetrics.Measure, List<Double>> perTrial = new LinkedHashMap<>();
                for (var trial : scope.getValue().entrySet()) {
                    for (TrialMetrics.Value v : sums(trial.getValue()).values()) {
                        out.add(row(key, scope.getKey(), v.measure(), trial.getKey(), v.value(), null, null));
                        perTrial.computeIfAbsent(v.measure(), k -> new ArrayList<>()).add(v.value());
                    }
                }
                perTrial.forEach((measure, values) -> out.add(row(key, scope.getKey(), measure, null, null,
                        TrialMetrics.AcrossTrials.of(values), intervals.get(measure))));
            }
            return out.iterator();
        }, Encoders.row(SCHEMA));
    }

    /** The per-trial rows of {@link #compute}'s output, with the trial_metrics columns (without score id). */
    static Dataset<Row> trialRows(Dataset<Row> computed) {
        return computed.where(col("trial").isNotNull()).select("dataset_version", "responder", "version", "condition", "grading", "trial",
                "cases", "harm", "metric", "value");
    }

    /** The across-trial rows of {@link #compute}'s output: the metrics' keys, trials, mean, sd, se, ci, bootstrap_low and _high. */
    static Dataset<Row> acrossRows(Dataset<Row> computed) {
        return computed.where(col("trial").isNull()).drop("trial", "value");
    }

    /**
     * Per (replicate, responder, grading, case set, harm, metric): the metric's mean over trials on the replicate's
     * draws of {@code bootstrap}'s cases (replicate 0: each of them once), as rows of {@link #REPLICATE_SCHEMA}.
     */
    static Dataset<Row> replicateMeans(Dataset<Row> caseResults, CaseSets sets, Bootstrap bootstrap) {
        StructType in = caseResults.schema();
        return byResponder(caseResults).flatMapGroups((FlatMapGroupsFunction<Row, Row, Row>) (key, rows) -> {
            List<Row> out = new ArrayList<>();
            List<CaseBootstrap.Draw> draws = new ArrayList<>(List.of(CaseBootstrap.original(bootstrap.caseIds())));
            draws.addAll(CaseBootstrap.draws(bootstrap.caseIds(), bootstrap.replicates(), bootstrap.seed()));
            for (var scope : byScope(rows, CaseResult.reader(in), sets).entrySet()) {
                if (!bootstrap.covers(scope.getKey().cases())) {
                    continue;
                }
                List<Map<TrialMetrics.Measure, Double>> means = replicates(scope.getValue(), draws);
                for (int b = 0; b < means.size(); b++) {
                    for (var mean : means.get(b).entrySet()) {
                        out.add(RowFactory.create(key.getString(0), key.getString(1), key.getString(2), key.getString(3), b,
                                scope.getKey().grading(), scope.getKey().cases(), mean.getKey().harm(), mean.getKey().metric().wireName(),
                                mean.getValue()));
                    }
                }
            }
            return out.iterator();
        }, Encoders.row(REPLICATE_SCHEMA));
    }

    /**
     * Across trials, per responder, grading, case set, harm and metric, of rows that are already per trial (the
     * trial_metrics columns): rows of {@link #SCHEMA} with trial null and no bootstrap interval.
     */
    static Dataset<Row> acrossTrialRows(Dataset<Row> trialMetrics) {
        int grading = trialMetrics.schema().fieldIndex("grading");
        int cases = trialMetrics.schema().fieldIndex("cases");
        int harm = trialMetrics.schema().fieldIndex("harm");
        int metric = trialMetrics.schema().fieldIndex("metric");
        int trial = trialMetrics.schema().fieldIndex("trial");
        int value = trialMetrics.schema().fieldIndex("value");
        return byResponder(trialMetrics).flatMapGroups((FlatMapGroupsFunction<Row, Row, Row>) (key, rows) -> {
            // In trial order, so the sums are the same from run to run.
            Map<Scope, Map<String, Map<String, TreeMap<Integer, Double>>>> values = new TreeMap<>(Scope.ORDER);
            rows.forEachRemaining(r -> {
                if (!r.isNullAt(value)) {
                    Double before = values.computeIfAbsent(new Scope(r.getString(grading), r.getString(cases)), k -> new TreeMap<>())
                            .computeIfAbsent(r.getString(metric), k -> new TreeMap<>()).computeIfAbsent(r.getString(harm), k -> new TreeMap<>())
                            .put(r.getInt(trial), r.getDouble(value));
                    if (before != null) {
                        throw new IllegalStateException("two values of " + r.getString(metric) + " (" + r.getString(harm) + ", " + r.getString(cases)
                                + ", " + r.getString(grading) + ") for trial " + r.getInt(trial) + " of " + key.mkString(" "));
                    }
                }
            });
            List<Row> out = new ArrayList<>();
            values.forEach((scope, byMetric) -> byMetric.forEach((metricName, byHarm) -> byHarm.forEach((harmName, perTrial) -> {
                TrialMetrics.AcrossTrials across = TrialMetrics.AcrossTrials.of(perTrial.values());
                out.add(row(key, scope, harmName, metricName, null, null, across, null));
            })));
            return out.iterator();
        }, Encoders.row(SCHEMA));
    }

    /** The {@link #RESPONDER} columns, then the fields of each of {@code more}. */
    static StructType withResponder(StructType... more) {
        StructType schema = new StructType();
        for (String column : RESPONDER) {
            schema = schema.add(column, DataTypes.StringType, false);
        }
        for (StructType part : more) {
            for (org.apache.spark.sql.types.StructField field : part.fields()) {
                schema = schema.add(field);
            }
        }
        return schema;
    }

    /** Rows grouped by {@link #RESPONDER}. */
    static org.apache.spark.sql.KeyValueGroupedDataset<Row, Row> byResponder(Dataset<Row> rows) {
        StructType key = new StructType();
        int[] at = new int[RESPONDER.size()];
        for (int i = 0; i < at.length; i++) {
            key = key.add(RESPONDER.get(i), DataTypes.StringType, false);
            at[i] = rows.schema().fieldIndex(RESPONDER.get(i));
        }
        return rows.groupByKey((MapFunction<Row, Row>) r -> RowFactory.create(r.getString(at[0]), r.getString(at[1]), r.getString(at[2]),
                r.getString(at[3])), Encoders.row(key));
    }

    /** A grading and a case set: what a responder's metrics are computed over. */
    record Scope(String grading, String cases) {
        static final Comparator<Scope> ORDER = Comparator.comparing(Scope::grading).thenComparing(Scope::cases);
    }

    /**
     * A responder's case results per scope, each per trial in trial order, each trial's in case order: the order
     * every sum is taken in, so a score computes the same values bit for bit every time.
     */
    private static Map<Scope, Map<Integer, List<CaseResult>>> byScope(Iterator<Row> rows, Function<Row, CaseResult> reader, CaseSets sets) {
        Map<Scope, Map<Integer, List<CaseResult>>> byScope = new TreeMap<>(Scope.ORDER);
        rows.forEachRemaining(row -> {
            CaseResult r = reader.apply(row);
            for (String set : sets.of(r)) {
                byScope.computeIfAbsent(new Scope(r.grading(), set), k -> new TreeMap<>()).computeIfAbsent(r.trial(), k -> new ArrayList<>()).add(r);
            }
        });
        byScope.values().forEach(trials -> trials.values().forEach(list -> list.sort(Comparator.comparing(CaseResult::caseId))));
        return byScope;
    }

    /** One trial's sums, each case once. */
    private static TrialMetrics.Sums sums(List<CaseResult> trial) {
        TrialMetrics.Sums sums = new TrialMetrics.Sums();
        trial.forEach(r -> sums.add(r, 1.0));
        return sums;
    }

    /**
     * Per draw, in their order: each metric's mean over the trials that have a value on the draw, each case weighted by
     * how often the draw drew it (a case the bootstrap does not draw from: not at all; a trial none of whose cases was
     * drawn has no value).
     */
    private static List<Map<TrialMetrics.Measure, Double>> replicates(Map<Integer, List<CaseResult>> trials, List<CaseBootstrap.Draw> draws) {
        if (draws.isEmpty()) {
            return List.of();
        }
        // Every draw numbers the cases alike: each case's position is looked up once, not once per draw.
        Map<String, Integer> index = draws.get(0).index();
        List<List<CaseResult>> results = new ArrayList<>(trials.values());
        List<int[]> positions = results.stream().map(trial -> trial.stream().mapToInt(r -> index.getOrDefault(r.caseId(), -1)).toArray()).toList();
        List<Map<TrialMetrics.Measure, Double>> out = new ArrayList<>(draws.size());
        for (CaseBootstrap.Draw draw : draws) {
            Map<TrialMetrics.Measure, double[]> sums = new LinkedHashMap<>();
            for (int t = 0; t < results.size(); t++) {
                TrialMetrics.Sums s = new TrialMetrics.Sums();
                int[] at = positions.get(t);
                for (int i = 0; i < at.length; i++) {
                    if (at[i] >= 0 && draw.counts()[at[i]] > 0) {
                        s.add(results.get(t).get(i), draw.counts()[at[i]]);
                    }
                }
                if (s.isEmpty()) {
                    continue;
                }
                for (TrialMetrics.Value v : s.values()) {
                    double[] sumAndCount = sums.computeIfAbsent(v.measure(), k -> new double[2]);
                    sumAndCount[0] += v.value();
                    sumAndCount[1]++;
                }
            }
            Map<TrialMetrics.Measure, Double> means = new LinkedHashMap<>();
            sums.forEach((k, sumAndCount) -> means.put(k, sumAndCount[0] / sumAndCount[1]));
            out.add(means);
        }
        return out;
    }

    /** Per metric: the 2.5th and 97.5th percentiles of its replicate means (the replicates where it has a value). */
    private static Map<TrialMetrics.Measure, double[]> intervals(List<Map<TrialMetrics.Measure, Double>> replicates) {
        Map<TrialMetrics.Measure, List<Double>> values = new HashMap<>();
        replicates.forEach(means -> means.forEach((k, v) -> values.computeIfAbsent(k, x -> new ArrayList<>()).add(v)));
        Map<TrialMetrics.Measure, double[]> out = new HashMap<>();
        values.forEach((k, v) -> out.put(k, TrialMetrics.interval95(v)));
        return out;
    }

    private static Row row(Row key, Scope scope, TrialMetrics.Measure measure, Integer trial, Double value, TrialMetrics.AcrossTrials across,
            double[] interval) {
        return row(key, scope, measure.harm(), measure.metric().wireName(), trial, value, across, interval);
    }

    private static Row row(Row key, Scope scope, String harm, String metric, Integer trial, Double value, TrialMetrics.AcrossTrials across,
            double[] interval) {
        return RowFactory.create(key.getString(0), key.getString(1), key.getString(2), key.getString(3), scope.grading(), scope.cases(),
                harm, metric, trial, value, across == null ? null : across.trials(), across == null ? null : across.mean(),
                across == null ? null : across.sd(), across == null ? null : across.se(), across == null ? null : across.ci(),
                interval == null ? null : interval[0], interval == null ? null : interval[1]);
    }
}
