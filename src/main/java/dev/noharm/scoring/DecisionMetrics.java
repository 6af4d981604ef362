package dev.noharm.scoring;

import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Every metric across trials straight from option decisions, the way score computes them (case results,
 * trial metrics per case set, then across trials): the metrics' key columns, trials, mean, sd, se and ci, for callers that build decisions of their own:
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
        return ResponderMetrics.acrossRows(ResponderMetrics.compute(caseResults, new ResponderMetrics.CaseSets(perSpecialty, Map.of()),
                ResponderMetrics.Bootstrap.NONE)).drop("bootstrap_low", "bootstrap_high");
    }
}
