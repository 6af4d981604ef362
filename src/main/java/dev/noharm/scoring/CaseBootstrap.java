package dev.noharm.scoring;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Case bootstrap: each replicate draws the case set with replacement (seeded), and every metric is
 * recomputed by {@link TrialMetrics} with each case weighted by how often it was drawn, then averaged
 * over trials like the point estimate. The same draws serve every responder, so differences are paired.
 */
final class CaseBootstrap {
    private static final StructType WEIGHTS = new StructType()
            .add("replicate", DataTypes.IntegerType, false)
            .add("case_id", DataTypes.StringType, false)
            .add("weight", DataTypes.DoubleType, false);

    private CaseBootstrap() {}

    /** (replicate, case_id, weight) for the cases drawn at least once; replicate 0 is the original sample. */
    static Dataset<Row> weights(SparkSession spark, List<String> caseIds, int replicates, long seed) {
        List<Row> rows = new ArrayList<>();
        caseIds.forEach(c -> rows.add(RowFactory.create(0, c, 1.0)));
        SplittableRandom random = new SplittableRandom(seed);
        for (int b = 1; b <= replicates; b++) {
            int[] drawn = new int[caseIds.size()];
            for (int i = 0; i < caseIds.size(); i++) {
                drawn[random.nextInt(caseIds.size())]++;
            }
            for (int i = 0; i < drawn.length; i++) {
                if (drawn[i] > 0) {
                    rows.add(RowFactory.create(b, caseIds.get(i), (double) drawn[i]));
                }
            }
        }
        return spark.createDataFrame(rows, WEIGHTS);
    }

    /**
     * Per (replicate, responder, version, condition, grading, cases, harm, metric): the metric's mean over
     * trials on that replicate's case set. The case set is {@code AllCases} unless the input already has
     * a {@code cases} column (see {@link CaseResults#withCaseSets}).
     */
    static Dataset<Row> replicateMeans(Dataset<Row> caseResults, Dataset<Row> weights) {
        List<String> trialKeys = List.of("replicate", "dataset_version", "responder", "version", "condition", "grading", "trial", "cases");
        Dataset<Row> scoped = List.of(caseResults.columns()).contains("cases") ? caseResults : caseResults.withColumn("cases", lit("AllCases"));
        Dataset<Row> weighted = scoped.join(broadcast(weights), "case_id");
        return TrialMetrics.compute(weighted, trialKeys)
                .groupBy("replicate", "dataset_version", "responder", "version", "condition", "grading", "cases", "harm", "metric")
                .agg(avg("value").as("mean"));
    }

    static Dataset<Row> withoutOriginal(Dataset<Row> replicateMeans) {
        return replicateMeans.where(col("replicate").gt(0));
    }
}
