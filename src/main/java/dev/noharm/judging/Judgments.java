package dev.noharm.judging;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;

import dev.noharm.generation.Generation;
import dev.noharm.lake.JoinKeys;
import dev.noharm.lake.Lake;
import dev.noharm.lake.Tables;
import dev.noharm.scoring.ResponseParsing;
import dev.noharm.scoring.ResponseSources;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.functions;

/**
 * The {@code judgments} table (CONTRACT section 6): what each judge said about each free-text answer. LLM judges'
 * calls are stored like every model call, in {@code generations} (paid once, resumable); {@link #recordGenerated}
 * turns those not yet recorded into judgments, parsed. {@link ImportJudgments} adds people's and external judges'.
 * Scoring reads only this table ({@link #latest}).
 */
public final class Judgments {
    /** {@code judgments.source} of an LLM judge's call. */
    public static final String LLM = "llm";
    /** {@code judgments.source} of an imported judgment. */
    public static final String IMPORT = "import";

    private Judgments() {}

    /**
     * Records every ok judge call of the dataset version that has no judgment yet, as one commit, and returns how many.
     * Run after the judging stage and again before scoring, so a driver that died in between loses nothing. Two
     * writers at once may both record a call; {@link #latest} reads one row per judgment key.
     */
    public static long recordGenerated(Lake lake, String datasetVersion) {
        Dataset<Row> ok = lake.read(Tables.GENERATIONS)
                .where(col("status").equalTo(Generation.OK).and(col("dataset_version").equalTo(datasetVersion)));
        Dataset<Row> calls = first(ok.where(col("judged_work_key").isNotNull()));
        Dataset<Row> answers = first(ok.where(col("judged_work_key").isNull().and(col("team_id").isNull())))
                .select(col("work_key").as("judged_work_key"), ResponseSources.soloResponder().as("responder"),
                        col("sample_index").as("trial"));
        Dataset<Row> recorded = lake.readAll(Tables.JUDGMENTS).where(col("dataset_version").equalTo(datasetVersion))
                .select(col("judgment_key").as("work_key"));
        Dataset<Row> optionCounts = lake.read(Tables.CASES).where(col("dataset_version").equalTo(datasetVersion))
                .select("case_id", "option_count");
        Dataset<Row> fresh = calls.join(answers, "judged_work_key")
                .join(recorded, JoinKeys.of("work_key"), "left_anti")
                .join(optionCounts, "case_id")
                .select(col("dataset_version"), col("work_key").as("judgment_key"), lit(LLM).as("source"),
                        lit(null).cast("string").as("import_id"), col("model_id").as("judge"), col("model_version").as("judge_version"),
                        col("responder"), col("trial"), col("case_id"), col("judged_work_key"), col("option_count"),
                        col("response_text").as("raw_text"), col("input_tokens"), col("output_tokens"), col("cost_usd"),
                        col("finished_at").as("judged_at"))
                .cache();
        long count = fresh.count();
        if (count > 0) {
            lake.append(Tables.JUDGMENTS, shape(ResponseParsing.parse(fresh, ResponseParsing.Kind.JUDGMENT, "raw_text")),
                    Map.of("noharm.dataset-version", datasetVersion));
        }
        fresh.unpersist();
        return count;
    }

    /**
     * The judgments a score counts: one per (answer, judge), the latest judged; of the judges named in {@code judges}
     * only, or of every judge when it is empty. An answer is its generation's work key (two versions of a model answer
     * the same case twice), or for an imported answer its (responder, trial, case): {@code answer_key}.
     */
    public static Dataset<Row> latest(Lake lake, String datasetVersion, Set<String> judges) {
        Dataset<Row> rows = lake.read(Tables.JUDGMENTS).where(col("dataset_version").equalTo(datasetVersion));
        if (!judges.isEmpty()) {
            rows = rows.where(col("judge").isin(judges.toArray()));
        }
        return rows.withColumn("answer_key", answerKey(col("judged_work_key")))
                .withColumn("rank", row_number().over(Window.partitionBy("answer_key", "judge")
                        .orderBy(col("judged_at").desc(), col("judgment_key"))))
                .where(col("rank").equalTo(1))
                .drop("rank");
    }

    /**
     * Which answer a row is about: {@code workKey} (a generation's key, or a judgment's {@code judged_work_key}), else
     * the row's (responder, trial, case), which is how an imported answer is named.
     */
    public static Column answerKey(Column workKey) {
        return functions.coalesce(workKey, functions.concat_ws("\u0000", col("responder"), col("trial").cast("string"), col("case_id")));
    }

    /** The judges that have judgments of the dataset version: those a score's jury may name. */
    public static java.util.List<String> judges(Lake lake, String datasetVersion) {
        return lake.read(Tables.JUDGMENTS).where(col("dataset_version").equalTo(datasetVersion)).select("judge").distinct().orderBy("judge")
                .collectAsList().stream().map(r -> r.getString(0)).toList();
    }

    /** The rows in the table's column order. */
    static Dataset<Row> shape(Dataset<Row> rows) {
        return rows.select(Arrays.stream(Tables.JUDGMENTS.schema().fieldNames()).map(name -> col(name)).toArray(Column[]::new));
    }

    /** The first ok row of each work key (a key may have two: two drivers, or a retried commit). */
    private static Dataset<Row> first(Dataset<Row> rows) {
        return rows.withColumn("rank", row_number().over(Window.partitionBy("work_key").orderBy(col("finished_at"), col("job_id"))))
                .where(col("rank").equalTo(1)).drop("rank");
    }
}
