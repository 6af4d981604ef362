package dev.noharm.teams;

import static org.apache.spark.sql.functions.array_contains;
import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.sequence;
import static org.apache.spark.sql.functions.when;

import dev.noharm.scoring.DecisionMetrics;
import dev.noharm.scoring.HarmWeights;
import dev.noharm.scoring.Metric;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Scores every k-subset (k = 2..K) of a set of models as a post-hoc ensemble, in one Spark job, and ranks
 * the subsets by one metric. Each member's answers are reduced to one array of recommended options per
 * (trial, case) first, so the subsets multiply arrays, not option rows; the rule is {@link Ensembles#combine}.
 */
public final class EnsembleSearch {
    private static final StructType SUBSETS = new StructType()
            .add("subset", DataTypes.StringType, false)
            .add("k", DataTypes.IntegerType, false)
            .add("member", DataTypes.StringType, false);

    private EnsembleSearch() {}

    /** Every combination of {@code k} of {@code items}, in lexicographic order of positions. */
    static List<List<String>> combinations(List<String> items, int k) {
        List<List<String>> out = new ArrayList<>();
        int[] index = new int[k];
        for (int i = 0; i < k; i++) {
            index[i] = i;
        }
        while (k <= items.size()) {
            List<String> combo = new ArrayList<>(k);
            for (int i : index) {
                combo.add(items.get(i));
            }
            out.add(combo);
            int i = k - 1;
            while (i >= 0 && index[i] == items.size() - k + i) {
                i--;
            }
            if (i < 0) {
                break;
            }
            index[i]++;
            for (int j = i + 1; j < k; j++) {
                index[j] = index[j - 1] + 1;
            }
        }
        return out;
    }

    /**
     * One row per subset: dataset_version, subset (members joined by " + "), k, grading, cases, harm,
     * metric, trials, mean and rank (1 = best), for the chosen metric only.
     *
     * @param decisions the decisions table, with {@code member} naming each model (id or id@version)
     */
    public static Dataset<Row> search(SparkSession spark, Dataset<Row> decisions, Dataset<Row> labels, List<String> models,
            int maxK, Ensembles.Rule rule, String metric, String harm, String grading, HarmWeights weights) {
        List<Row> subsetRows = new ArrayList<>();
        for (int k = 2; k <= Math.min(maxK, models.size()); k++) {
            for (List<String> combo : combinations(models, k)) {
                String name = String.join(" + ", combo);
                for (String member : combo) {
                    subsetRows.add(RowFactory.create(name, k, member));
                }
            }
        }
        Dataset<Row> subsets = spark.createDataFrame(subsetRows, SUBSETS);
        Dataset<Row> answers = decisions.where(col("member").isin(models.toArray()))
                .groupBy("dataset_version", "member", "trial", "case_id")
                .agg(array_sort(functions.filter(collect_list(when(col("recommended"), col("option_no"))), x -> x.isNotNull()))
                                .as("recommended_options"),
                        count(lit(1)).as("option_count"), max("parse_failure").as("parse_failure"));
        Dataset<Row> combined = answers.join(broadcast(subsets), "member")
                .groupBy("dataset_version", "subset", "k", "trial", "case_id", "option_count")
                .agg(count(lit(1)).as("members"), collect_list("recommended_options").as("arrays"), max("parse_failure").as("parse_failure"))
                .where(col("members").equalTo(col("k")))
                .withColumn("recommended_options", Ensembles.combine(col("arrays"), col("k"), rule));
        Dataset<Row> ensembleDecisions = combined
                .select(col("dataset_version"), col("subset").as("responder"), lit("").as("version"),
                        col("k").cast("string").as("condition"), col("trial"), col("case_id"), col("parse_failure"),
                        col("recommended_options"), explode(sequence(lit(1), col("option_count").cast("int"))).as("option_no"))
                .withColumn("recommended", array_contains(col("recommended_options"), col("option_no")))
                .withColumn("runtime_seconds", lit(null).cast("double"))
                .drop("recommended_options");
        Dataset<Row> metrics = DecisionMetrics.acrossTrials(ensembleDecisions, labels.where(col("grading").equalTo(grading)), weights, false)
                .where(col("metric").equalTo(metric).and(col("harm").equalTo(harm)));
        var order = Metric.fromWireName(metric).map(Metric::lowerIsBetter).orElse(false) ? col("mean").asc() : col("mean").desc();
        return metrics.withColumn("rank", functions.row_number().over(Window.partitionBy("dataset_version").orderBy(order, col("responder"))))
                .select(col("dataset_version"), col("responder").as("subset"), col("condition").cast("int").as("k"), col("grading"),
                        col("cases"), col("harm"), col("metric"), col("trials"), col("mean"), col("rank"));
    }
}
