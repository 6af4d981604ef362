package dev.noharm.lake;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.row_number;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * Which complete score the readers of score tables see: the latest of each dataset version (what the report,
 * exports, {@code sql} views and nightly show), or one chosen by its id ({@code --score-id}). A score is
 * complete when its {@code score_runs} row exists, which {@code score} writes after all its tables.
 */
public record ScoreChoice(String scoreId) {
    public static final ScoreChoice LATEST = new ScoreChoice(null);

    public static ScoreChoice of(String scoreId) {
        return scoreId == null || scoreId.isBlank() ? LATEST : new ScoreChoice(scoreId);
    }

    /** The chosen {@code score_runs} rows: one per dataset version for {@link #LATEST}, or the one with the given id. */
    public Dataset<Row> runs(Lake lake) {
        Dataset<Row> runs = lake.readAll(Tables.SCORE_RUNS);
        if (scoreId != null) {
            return runs.where(col("score_id").equalTo(scoreId));
        }
        return runs.withColumn("rank", row_number().over(Window.partitionBy("dataset_version")
                        .orderBy(col("scored_at").desc(), col("score_id").desc())))
                .where(col("rank").equalTo(1)).drop("rank");
    }
}
