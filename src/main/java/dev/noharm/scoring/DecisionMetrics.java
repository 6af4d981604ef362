package dev.noharm.scoring;

import static org.apache.spark.sql.functions.lit;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Every metric across trials straight from option decisions, the way score computes them (case results,
 * trial metrics per case set, then across trials), for callers that build decisions of their own:
 * the ensemble search and the scoring benchmark.
 */
public final class DecisionMetrics {
    private DecisionMetrics() {}

    /**
     * @param decisions the decisions table's columns (dataset_version, responder, version, condition, trial,
     *     case_id, option_no, recommended, parse_failure, runtime_seconds)
     * @param labels option_labels rows of the same dataset version
     * @param perSpecialty also per specialty, not only over all cases
     */
    public static Dataset<Row> acrossTrials(Dataset<Row> decisions, Dataset<Row> labels, HarmWeights weights, boolean perSpecialty) {
        Dataset<Row> caseResults = CaseResults.compute(decisions, labels, weights);
        Dataset<Row> scoped = (perSpecialty ? CaseResults.withCaseSets(caseResults, null) : caseResults.withColumn("cases", lit("AllCases")))
                .withColumn("weight", lit(1.0));
        return TrialMetrics.acrossTrials(TrialMetrics.compute(scoped, ScoreJob.TRIAL_KEYS), ScoreJob.METRIC_KEYS);
    }
}
