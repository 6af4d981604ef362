package dev.noharm.teams;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import dev.noharm.lake.JoinKeys;
import dev.noharm.lake.Lake;
import dev.noharm.lake.Tables;
import dev.noharm.scoring.DerivedResponder;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * The two controls of the NOHARM study, computed without any call (condition {@code Control}):
 * {@code No Intervention} recommends only each case's no-intervention option (nothing where a case has
 * none), in one trial; {@code Random Intervention} recommends each option with probability 0.5, drawn
 * from a hash of (seed, trial, case, option) so the same seed always gives the same draws, in several trials.
 */
public final class Controls implements DerivedResponder {
    public static final String NO_INTERVENTION = "No Intervention";
    public static final String RANDOM_INTERVENTION = "Random Intervention";

    private final int randomTrials;
    private final long seed;

    public Controls(int randomTrials, long seed) {
        this.randomTrials = randomTrials;
        this.seed = seed;
    }

    @Override
    public String spec() {
        return DerivedResponders.CONTROLS + randomTrials + ":" + seed;
    }

    @Override
    public Dataset<Row> responses(Lake lake, String datasetVersion, Dataset<Row> cases, Dataset<Row> parsed) {
        Dataset<Row> options = lake.read(Tables.OPTIONS).where(col("dataset_version").equalTo(datasetVersion))
                .select("dataset_version", "case_id", "option_no", "no_intervention");
        return responses(cases, options, randomTrials, seed);
    }

    /**
     * Derived responses of both controls in {@link DerivedResponses}' shape.
     *
     * @param cases dataset_version, case_id, option_count, specialty
     * @param options dataset_version, case_id, option_no, no_intervention
     */
    public static Dataset<Row> responses(Dataset<Row> cases, Dataset<Row> options, int randomTrials, long seed) {
        Dataset<Row> noIntervention = cases.join(options.where(col("no_intervention")).select("dataset_version", "case_id", "option_no"),
                        JoinKeys.of("dataset_version", "case_id"), "left")
                .groupBy("dataset_version", "case_id", "option_count", "specialty")
                .agg(functions.array_sort(functions.filter(collect_list(col("option_no")), x -> x.isNotNull())).as("recommended_options"))
                .withColumn("trial", lit(1));
        Column trials = functions.explode(functions.sequence(lit(1), lit(randomTrials)));
        Column drawn = pmod(xxhash64(lit(seed), col("trial"), col("case_id"), col("option_no")), lit(2)).equalTo(0);
        Dataset<Row> random = cases.select(col("*"), trials.as("trial"))
                .select(col("*"), functions.explode(functions.sequence(lit(1), col("option_count"))).as("option_no"))
                .groupBy("dataset_version", "case_id", "option_count", "specialty", "trial")
                .agg(functions.array_sort(functions.filter(collect_list(when(drawn, col("option_no"))), x -> x.isNotNull()))
                        .as("recommended_options"));
        return DerivedResponses.shape(noIntervention, NO_INTERVENTION, NO_INTERVENTION, "Control", "Solo Models", "")
                .unionByName(DerivedResponses.shape(random, RANDOM_INTERVENTION, RANDOM_INTERVENTION, "Control", "Solo Models", ""));
    }
}
