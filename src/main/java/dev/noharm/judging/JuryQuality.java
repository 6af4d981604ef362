package dev.noharm.judging;

import static org.apache.spark.sql.functions.array_contains;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.sequence;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.noharm.lake.JoinKeys;
import dev.noharm.lake.Tables;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The {@code judge_agreement} table of a score (CONTRACT section 6's jury quality), per free-text responder: each judge's
 * agreement with the jury, and each pair of judges' agreement and Cohen's kappa, over the items (trial, case, option)
 * judged without a parse failure. Spark counts; {@link Jury#agreement} and {@link Jury#kappa} turn the counts into
 * the figures. Pairs cover every judge in the lake, so an LLM judge is compared with people's imported judgments even
 * when the jury leaves the people out.
 */
public final class JuryQuality {
    private JuryQuality() {}

    /**
     * @param judgments the latest judgment of every judge in the lake ({@link Judgments#latest} with no judge named)
     * @param answers the score's free-text answers: responder, version, condition, trial, case_id, work_key
     * @param decisions the score's decisions: the jury's verdict per option in {@code recommended}
     * @param jury the judges of the jury; empty: every judge
     */
    public static Dataset<Row> compute(SparkSession spark, String datasetVersion, Dataset<Row> judgments, Dataset<Row> answers,
            Dataset<Row> decisions, Set<String> jury) {
        if (judgments.isEmpty()) {
            return spark.createDataFrame(List.of(), SCHEMA);
        }
        Dataset<Row> items = judgments.where(not(col("parse_failure")))
                .join(answers.withColumn("answer_key", Judgments.answerKey(col("work_key"))).drop("responder", "trial", "case_id"),
                        JoinKeys.of("answer_key"))
                .select(col("responder"), col("version"), col("condition"), col("trial"), col("case_id"), col("judge"), col("source"),
                        col("recommended_options"), explode(sequence(lit(1), col("option_count"))).as("option_no"))
                .withColumn("verdict", array_contains(col("recommended_options"), col("option_no")))
                .drop("recommended_options")
                .cache();
        Column inJury = jury.isEmpty() ? lit(true) : col("judge").isin(jury.toArray());
        List<Row> single = items.withColumn("in_jury", inJury)
                .join(decisions.select("responder", "version", "condition", "trial", "case_id", "option_no", "recommended"),
                        JoinKeys.of("responder", "version", "condition", "trial", "case_id", "option_no"), "left")
                .groupBy("responder", "version", "condition", "judge", "source", "in_jury")
                .agg(count(lit(1)).as("items"), sum(when(col("verdict").equalTo(col("recommended")), 1L).otherwise(0L)).as("agreeing"))
                .collectAsList();
        Dataset<Row> a = items.select(col("responder"), col("version"), col("condition"), col("trial"), col("case_id"), col("option_no"),
                col("judge").as("a_judge"), col("source").as("a_source"), col("verdict").as("a_verdict"));
        Dataset<Row> b = items.select(col("responder"), col("version"), col("condition"), col("trial"), col("case_id"), col("option_no"),
                col("judge").as("b_judge"), col("source").as("b_source"), col("verdict").as("b_verdict"));
        List<Row> pairs = a.join(b, JoinKeys.of("responder", "version", "condition", "trial", "case_id", "option_no"))
                .where(col("a_judge").lt(col("b_judge")))
                .groupBy("responder", "version", "condition", "a_judge", "a_source", "b_judge", "b_source")
                .agg(count(lit(1)).as("items"),
                        sum(when(col("a_verdict").equalTo(col("b_verdict")), 1L).otherwise(0L)).as("agreeing"),
                        sum(when(col("a_verdict"), 1L).otherwise(0L)).as("a_yes"),
                        sum(when(col("b_verdict"), 1L).otherwise(0L)).as("b_yes"))
                .collectAsList();
        items.unpersist();

        List<Row> rows = new ArrayList<>();
        for (Row r : single) {
            boolean member = r.getAs("in_jury");
            long n = r.getAs("items");
            rows.add(RowFactory.create(datasetVersion, r.getAs("responder"), r.getAs("version"), r.getAs("condition"), r.getAs("judge"),
                    r.getAs("source"), null, null, member, n,
                    member ? value(Jury.agreement(n, r.<Long>getAs("agreeing"))) : null, null));
        }
        for (Row r : pairs) {
            long n = r.getAs("items");
            boolean member = jury.isEmpty() || jury.contains(r.<String>getAs("a_judge")) && jury.contains(r.<String>getAs("b_judge"));
            rows.add(RowFactory.create(datasetVersion, r.getAs("responder"), r.getAs("version"), r.getAs("condition"), r.getAs("a_judge"),
                    r.getAs("a_source"), r.getAs("b_judge"), r.getAs("b_source"), member, n,
                    value(Jury.agreement(n, r.<Long>getAs("agreeing"))),
                    value(Jury.kappa(n, r.<Long>getAs("agreeing"), r.<Long>getAs("a_yes"), r.<Long>getAs("b_yes")))));
        }
        return spark.createDataFrame(rows, SCHEMA);
    }

    /** The table's columns without the score id, which the score's committer adds. */
    private static final StructType SCHEMA = new StructType(java.util.Arrays.stream(Tables.JUDGE_AGREEMENT.schema().fields())
            .filter(f -> !f.name().equals("score_id")).toArray(StructField[]::new));

    private static Double value(OptionalDouble v) {
        return v.isPresent() ? v.getAsDouble() : null;
    }
}
