package dev.noharm.scoring;

import dev.noharm.lake.Lake;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * A responder whose answers are derived rather than called for (controls, post-hoc ensembles). Score
 * adds its rows to the parsed responses of a dataset version, and scores them like any other.
 */
public interface DerivedResponder {
    /** The spec prefix of the controls; every other derived responder is an ensemble ({@code ensemble:...}). */
    String CONTROLS = "controls:";
    String ENSEMBLE = "ensemble:";

    /**
     * Rows in the shape of parsed responses (see {@code dev.noharm.teams.DerivedResponses}).
     *
     * @param cases dataset_version, case_id, option_count, specialty of the version
     * @param parsed the parsed responses of models and imports
     */
    Dataset<Row> responses(Lake lake, String datasetVersion, Dataset<Row> cases, Dataset<Row> parsed);

    /** How it was asked for ({@code controls:5:1}, {@code ensemble:NAME=RULE:A,B}): kept with each score, so the next score can make it again. */
    String spec();
}
