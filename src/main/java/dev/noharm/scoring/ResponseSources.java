package dev.noharm.scoring;

import static org.apache.spark.sql.functions.array_join;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.split;
import static org.apache.spark.sql.functions.transform;
import static org.apache.spark.sql.functions.when;

import dev.noharm.generation.PromptBuilder;
import dev.noharm.generation.ProviderKind;
import dev.noharm.generation.Task;
import dev.noharm.lake.Lake;
import dev.noharm.lake.Tables;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * Every response to score for one dataset version, one row per (responder, version, condition, trial,
 * case): the models' successful generations and the imported responses, with what reports need to name
 * each responder.
 *
 * <p>Models: the responder is the registry id (with {@code /variant} for prompt variants other than
 * {@code standard}), the version is the model version, the condition {@code Advisor}, the trial the sample
 * index. Should a work key have two ok rows, the earliest is used. Items whose calls failed have no
 * response and are not in the trial's case set. Teams: the responder is the team id, scored on its last
 * stage's answers, with the team's condition, member names and providers, and the chain's latency. Imports: the latest import of a (responder, condition,
 * trial, case) wins; the version is empty, the name the import's display_name (or the responder id).
 *
 * <p>The {@code provider} column is CONTRACT section 5's {@code Provider}: the organisation behind each member
 * (for generations written before the registry had one: the default of the protocol they were called with),
 * {@code Human} for humans, empty for other imports. {@code task} is {@code options} or {@code free_text};
 * {@code work_key} is the answer's generation (null for imports), which judgments of it name.
 */
public final class ResponseSources {
    static final String[] COLUMNS = {"dataset_version", "responder", "version", "display_name", "team", "provider",
        "condition", "trial", "case_id", "response_text", "runtime_seconds", "task", "work_key"};

    private ResponseSources() {}

    /**
     * A solo model's responder name from a generation's columns: the model id, with {@code /variant} for every prompt
     * variant but {@code standard} ({@code PromptBuilder.responder} is the same rule on strings).
     */
    public static Column soloResponder() {
        return concat(col("model_id"), variantSuffix());
    }

    private static Column variantSuffix() {
        return when(col("prompt_variant").equalTo(PromptBuilder.DEFAULT_VARIANT), lit("")).otherwise(concat(lit("/"), col("prompt_variant")));
    }

    /** The task of a generation or imported response; rows from before free-text plans have none and are options. */
    private static Column task() {
        return coalesce(col("task"), lit(Task.OPTIONS.wireName()));
    }

    public static Dataset<Row> forVersion(Lake lake, String datasetVersion) {
        Column variantSuffix = variantSuffix();
        Column variantName = when(variantSuffix.equalTo(""), lit("")).otherwise(concat(lit(" ("), col("prompt_variant"), lit(" prompt)")));
        Dataset<Row> ok = lake.read(Tables.GENERATIONS)
                .where(col("status").equalTo("ok").and(col("dataset_version").equalTo(datasetVersion)))
                .withColumn("rank", row_number().over(Window.partitionBy("work_key").orderBy(col("finished_at"), col("job_id"))))
                .where(col("rank").equalTo(1));
        // Solo models: every call that is not a team's review or a judge's (a team's advisor call is the model's own answer).
        Dataset<Row> solo = ok.where(col("team_id").isNull().and(col("judged_work_key").isNull()))
                .select(
                        col("dataset_version"),
                        soloResponder().as("responder"),
                        col("model_version").as("version"),
                        concat(col("display_name"), variantName).as("display_name"),
                        lit("Solo Models").as("team"),
                        coalesce(col("organization"), defaultOrganization(col("provider"))).as("provider"),
                        lit("Advisor").as("condition"),
                        col("sample_index").as("trial"),
                        col("case_id"),
                        col("response_text"),
                        col("latency_ms").divide(1000.0).as("runtime_seconds"),
                        task().as("task"),
                        col("work_key"));
        // Teams: the answer of the last stage, with the chain's total latency (CONTRACT section 5's names).
        Dataset<Row> teams = ok.where(col("team_id").isNotNull().and(col("team_stage").equalTo(col("team_size"))))
                .select(
                        col("dataset_version"),
                        concat(col("team_id"), variantSuffix).as("responder"),
                        lit("").as("version"),
                        concat(col("team_display_name"), variantName).as("display_name"),
                        concat(col("team_size").cast("string"), lit("-Agent Teams")).as("team"),
                        coalesce(col("team_organizations"),
                                array_join(transform(split(col("team_providers"), " \\+ "), ResponseSources::defaultOrganization), " + "))
                                .as("provider"),
                        col("team_condition").as("condition"),
                        col("sample_index").as("trial"),
                        col("case_id"),
                        col("response_text"),
                        col("chain_latency_ms").divide(1000.0).as("runtime_seconds"),
                        lit(Task.OPTIONS.wireName()).as("task"),
                        col("work_key"));
        Dataset<Row> generations = solo.unionByName(teams);

        Dataset<Row> imported = lake.read(Tables.RESPONSES)
                .where(col("dataset_version").equalTo(datasetVersion))
                .withColumn("rank", row_number().over(Window.partitionBy("responder", "condition", "trial", "case_id")
                        .orderBy(col("imported_at").desc(), col("import_id"))))
                .where(col("rank").equalTo(1))
                .select(
                        col("dataset_version"),
                        col("responder"),
                        lit("").as("version"),
                        coalesce(col("display_name"), col("responder")).as("display_name"),
                        lit("Solo Models").as("team"),
                        when(col("condition").equalTo("Human"), lit("Human")).otherwise(lit("")).as("provider"),
                        col("condition"),
                        col("trial"),
                        col("case_id"),
                        col("response_text"),
                        lit(null).cast("double").as("runtime_seconds"),
                        task().as("task"),
                        lit(null).cast("string").as("work_key"));
        return generations.unionByName(imported);
    }

    /** The organisation a protocol's wire name stands for when the row names none. */
    private static Column defaultOrganization(Column wireName) {
        Column organization = lit("");
        for (ProviderKind kind : ProviderKind.values()) {
            organization = when(wireName.equalTo(kind.wireName()), lit(kind.defaultOrganization())).otherwise(organization);
        }
        return organization;
    }
}
