package dev.noharm.teams;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Responses that no model was called for (controls, post-hoc ensembles), in the shape of parsed
 * responses that scoring explodes into decisions: every column of a parsed response, with nothing to
 * parse (no parse failure, no invalid entry, no conflict), no runtime, no task of their own and no jury.
 */
public final class DerivedResponses {
    private DerivedResponses() {}

    /**
     * @param recommendations dataset_version, case_id, option_count, specialty, trial, recommended_options;
     *     a {@code parse_failure} column is kept if present (an ensemble member that did not parse)
     */
    public static Dataset<Row> shape(Dataset<Row> recommendations, String responder, String displayName, String condition,
            String team, String provider) {
        boolean hasFailure = java.util.List.of(recommendations.columns()).contains("parse_failure");
        return recommendations.select(
                col("dataset_version"),
                lit(responder).as("responder"),
                lit("").as("version"),
                lit(displayName).as("display_name"),
                lit(team).as("team"),
                lit(provider).as("provider"),
                lit(condition).as("condition"),
                col("trial").cast("int").as("trial"),
                col("case_id"),
                lit(null).cast("string").as("response_text"),
                lit(null).cast("double").as("runtime_seconds"),
                col("option_count"),
                col("specialty"),
                (hasFailure ? col("parse_failure") : lit(false)).as("parse_failure"),
                lit(0).as("invalid_entries"),
                lit(false).as("conflicting"),
                col("recommended_options").cast("array<int>").as("recommended_options"),
                lit(null).cast("string").as("task"),
                lit(null).cast("string").as("work_key"),
                lit(null).cast("int").as("judges"),
                lit(null).cast("string").as("plan_flag"));
    }
}
