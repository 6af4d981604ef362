package dev.noharm.lake;

import static org.apache.spark.sql.types.DataTypes.BooleanType;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.TimestampType;

import java.util.List;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** Every table of the lake, defined once. data-lake-layout.md describes the same tables for people. */
public final class Tables {
    private Tables() {}

    public static final LakeTable DATASET_VERSIONS = new LakeTable(
            "dataset_versions",
            List.of(),
            List.of("dataset_version"),
            schema(
                    required("dataset_version", StringType),
                    required("content_sha256", StringType),
                    required("source", StringType),
                    required("ingested_at", TimestampType),
                    required("cases", IntegerType),
                    required("options", IntegerType),
                    required("annotations", LongType),
                    required("specialties", IntegerType)),
            "dev.noharm.benchmark.IngestBenchmark",
            LakeTable.Visibility.ALL);

    public static final LakeTable CASES = new LakeTable(
            "cases",
            List.of("dataset_version"),
            List.of("case_id"),
            schema(
                    required("dataset_version", StringType),
                    required("case_id", StringType),
                    required("specialty", StringType),
                    required("text", StringType),
                    optional("source", StringType),
                    optional("variant_of", StringType),
                    optional("perturbation", StringType),
                    required("option_count", IntegerType)),
            "dev.noharm.benchmark.IngestBenchmark",
            LakeTable.Visibility.COMMITTED_DATASET_VERSIONS);

    public static final LakeTable OPTIONS = new LakeTable(
            "options",
            List.of("dataset_version"),
            List.of("case_id", "option_no"),
            schema(
                    required("dataset_version", StringType),
                    required("case_id", StringType),
                    required("option_no", IntegerType),
                    required("category", StringType),
                    required("text", StringType),
                    required("escalation", BooleanType),
                    required("no_intervention", BooleanType)),
            "dev.noharm.benchmark.IngestBenchmark",
            LakeTable.Visibility.COMMITTED_DATASET_VERSIONS);

    public static final LakeTable ANNOTATIONS = new LakeTable(
            "annotations",
            List.of("dataset_version"),
            List.of("case_id", "option_no", "annotator_id"),
            schema(
                    required("dataset_version", StringType),
                    required("case_id", StringType),
                    required("option_no", IntegerType),
                    required("annotator_id", StringType),
                    required("appropriateness", StringType),
                    required("harm_if_done", StringType),
                    required("harm_if_omitted", StringType)),
            "dev.noharm.benchmark.IngestBenchmark",
            LakeTable.Visibility.COMMITTED_DATASET_VERSIONS);

    /** CONTRACT section 2: one row per (grading mode, option), with the per-case set memberships as flags. */
    public static final LakeTable OPTION_LABELS = new LakeTable(
            "option_labels",
            List.of("dataset_version"),
            List.of("grading", "case_id", "option_no"),
            schema(
                    required("dataset_version", StringType),
                    required("grading", StringType),
                    required("case_id", StringType),
                    required("specialty", StringType),
                    required("option_no", IntegerType),
                    required("appropriateness", StringType),
                    required("harm_if_done", StringType),
                    required("harm_if_omitted", StringType),
                    required("harm_if_done_level", IntegerType),
                    required("harm_if_omitted_level", IntegerType),
                    required("highly_appropriate", BooleanType),
                    required("appropriate", BooleanType),
                    required("uncertain", BooleanType),
                    required("escalation", BooleanType),
                    required("no_intervention", BooleanType),
                    required("annotators", IntegerType)),
            "dev.noharm.benchmark.IngestBenchmark",
            LakeTable.Visibility.COMMITTED_DATASET_VERSIONS);

    /**
     * One row per model call outcome (a work item finished, successfully or not). Written in batches by
     * the executors while the job runs; a work key may have an error row from one run and an ok row from
     * a later one, and readers take the ok row (see data-lake-layout.md).
     */
    public static final LakeTable GENERATIONS = new LakeTable(
            "generations",
            List.of("dataset_version", "model_id"),
            List.of("case_id", "sample_index", "prompt_variant"),
            schema(
                    required("run_id", StringType),
                    required("model_id", StringType),
                    required("work_key", StringType),
                    required("job_id", StringType),
                    required("dataset_version", StringType),
                    required("model_version", StringType),
                    required("model_name", StringType),
                    required("display_name", StringType),
                    required("provider", StringType),
                    optional("organization", StringType),
                    required("case_id", StringType),
                    required("sample_index", IntegerType),
                    required("prompt_variant", StringType),
                    required("prompt_hash", StringType),
                    required("request_params", StringType),
                    optional("task", StringType),
                    optional("response_text", StringType),
                    optional("finish_reason", StringType),
                    optional("input_tokens", LongType),
                    optional("output_tokens", LongType),
                    optional("reasoning_tokens", LongType),
                    optional("cost_usd", DoubleType),
                    required("latency_ms", LongType),
                    required("attempts", IntegerType),
                    required("rate_limit_waits", IntegerType),
                    required("status", StringType),
                    optional("error_class", StringType),
                    optional("error_message", StringType),
                    optional("http_status", IntegerType),
                    required("started_at", TimestampType),
                    required("finished_at", TimestampType),
                    optional("team_id", StringType),
                    optional("team_stage", IntegerType),
                    optional("team_size", IntegerType),
                    optional("team_condition", StringType),
                    optional("team_display_name", StringType),
                    optional("team_providers", StringType),
                    optional("team_organizations", StringType),
                    optional("reviewed_work_key", StringType),
                    optional("chain_latency_ms", LongType),
                    optional("judged_work_key", StringType),
                    optional("call_mode", StringType)),
            "dev.noharm.generation.GenerationCommits",
            LakeTable.Visibility.ALL);

    /** Responses imported from outside (physicians, other systems): CONTRACT section 3's JSON Lines. */
    public static final LakeTable RESPONSES = new LakeTable(
            "responses",
            List.of("dataset_version"),
            List.of("responder", "condition", "trial", "case_id"),
            schema(
                    required("import_id", StringType),
                    required("dataset_version", StringType),
                    required("responder", StringType),
                    optional("display_name", StringType),
                    required("condition", StringType),
                    required("trial", IntegerType),
                    required("case_id", StringType),
                    required("response_text", StringType),
                    required("source", StringType),
                    required("imported_at", TimestampType),
                    optional("task", StringType)),
            "dev.noharm.scoring.ImportResponses",
            LakeTable.Visibility.ALL);

    /**
     * CONTRACT section 6's judgments: one row per (judge, free-text answer), a judge's answer as given and as parsed.
     * LLM judges' rows are made from their calls in {@code generations} (the judgment key is the judge call's work
     * key); imported ones from {@code import --judgments}. Should a (judge, responder, trial, case) have two rows,
     * the latest {@code judged_at} counts.
     */
    public static final LakeTable JUDGMENTS = new LakeTable(
            "judgments",
            List.of("dataset_version"),
            List.of("responder", "trial", "case_id", "judge"),
            schema(
                    required("dataset_version", StringType),
                    required("judgment_key", StringType),
                    required("source", StringType),
                    optional("import_id", StringType),
                    required("judge", StringType),
                    optional("judge_version", StringType),
                    required("responder", StringType),
                    required("trial", IntegerType),
                    required("case_id", StringType),
                    optional("judged_work_key", StringType),
                    required("option_count", IntegerType),
                    required("raw_text", StringType),
                    required("parse_failure", BooleanType),
                    required("invalid_entries", IntegerType),
                    required("conflicting", BooleanType),
                    required("recommended_options", DataTypes.createArrayType(IntegerType, false)),
                    optional("input_tokens", LongType),
                    optional("output_tokens", LongType),
                    optional("cost_usd", DoubleType),
                    required("judged_at", TimestampType)),
            "dev.noharm.judging.Judgments",
            LakeTable.Visibility.ALL);

    /** One row per (responder, trial, case) scored: how its response parsed. */
    public static final LakeTable SCORED_RESPONSES = new LakeTable(
            "scored_responses",
            List.of("dataset_version", "score_id"),
            List.of("responder", "version", "condition", "trial", "case_id"),
            schema(
                    required("dataset_version", StringType),
                    required("score_id", StringType),
                    required("responder", StringType),
                    required("version", StringType),
                    required("condition", StringType),
                    required("trial", IntegerType),
                    required("case_id", StringType),
                    required("parse_failure", BooleanType),
                    required("invalid_entries", IntegerType),
                    required("conflicting", BooleanType),
                    required("recommended", IntegerType),
                    optional("runtime_seconds", DoubleType),
                    optional("task", StringType),
                    optional("judges", IntegerType),
                    optional("plan_flag", StringType)),
            "dev.noharm.scoring.ScoreJob",
            LakeTable.Visibility.COMPLETE_SCORES);

    /** The parsed decisions: one row per (responder, trial, case, option), recommended or not. */
    public static final LakeTable DECISIONS = new LakeTable(
            "decisions",
            List.of("dataset_version", "score_id"),
            List.of("responder", "version", "condition", "trial", "case_id", "option_no"),
            schema(
                    required("dataset_version", StringType),
                    required("score_id", StringType),
                    required("responder", StringType),
                    required("version", StringType),
                    required("condition", StringType),
                    required("trial", IntegerType),
                    required("case_id", StringType),
                    required("option_no", IntegerType),
                    required("recommended", BooleanType),
                    required("parse_failure", BooleanType),
                    optional("runtime_seconds", DoubleType)),
            "dev.noharm.scoring.ScoreJob",
            LakeTable.Visibility.COMPLETE_SCORES);

    /** Per (responder, grading, trial, case): severity, errors by level, and the sums every trial metric is built from. */
    public static final LakeTable CASE_RESULTS = new LakeTable(
            "case_results",
            List.of("dataset_version", "score_id"),
            List.of("responder", "version", "condition", "grading", "trial", "case_id"),
            schema(
                    required("dataset_version", StringType),
                    required("score_id", StringType),
                    required("responder", StringType),
                    required("version", StringType),
                    required("condition", StringType),
                    required("grading", StringType),
                    required("trial", IntegerType),
                    required("case_id", StringType),
                    required("specialty", StringType),
                    required("max_severity", StringType),
                    required("max_severity_level", IntegerType),
                    required("errors_none", IntegerType),
                    required("errors_uncertain", IntegerType),
                    required("errors_mild", IntegerType),
                    required("errors_moderate", IntegerType),
                    required("errors_severe", IntegerType),
                    required("errors_death", IntegerType),
                    required("omissions_none", IntegerType),
                    required("omissions_uncertain", IntegerType),
                    required("omissions_mild", IntegerType),
                    required("omissions_moderate", IntegerType),
                    required("omissions_severe", IntegerType),
                    required("omissions_death", IntegerType),
                    required("highly_appropriate", IntegerType),
                    required("highly_appropriate_recommended", IntegerType),
                    required("appropriate", IntegerType),
                    required("recommended", IntegerType),
                    required("recommended_appropriate", IntegerType),
                    required("recommended_appropriate_or_uncertain", IntegerType),
                    required("escalation_appropriate", IntegerType),
                    required("escalation_appropriate_recommended", IntegerType),
                    required("harm_weight", DoubleType),
                    required("harm_weight_max", DoubleType),
                    required("parse_failure", BooleanType),
                    optional("runtime_seconds", DoubleType)),
            "dev.noharm.scoring.ScoreJob",
            LakeTable.Visibility.COMPLETE_SCORES);

    /** Every metric of CONTRACT section 4 per trial, long format: one row per (responder, grading, trial, cases, harm, metric). */
    public static final LakeTable TRIAL_METRICS = new LakeTable(
            "trial_metrics",
            List.of("dataset_version", "score_id"),
            List.of("responder", "version", "condition", "grading", "trial", "cases", "metric", "harm"),
            schema(
                    required("dataset_version", StringType),
                    required("score_id", StringType),
                    required("responder", StringType),
                    required("version", StringType),
                    required("condition", StringType),
                    required("grading", StringType),
                    required("trial", IntegerType),
                    required("cases", StringType),
                    required("harm", StringType),
                    required("metric", StringType),
                    required("value", DoubleType)),
            "dev.noharm.scoring.ScoreJob",
            LakeTable.Visibility.COMPLETE_SCORES);

    /** The metrics across trials (trials, mean, sd, se, ci), with what the leaderboard needs to name each responder. */
    public static final LakeTable METRICS = new LakeTable(
            "metrics",
            List.of("dataset_version", "score_id"),
            List.of("responder", "version", "condition", "grading", "cases", "metric", "harm"),
            schema(
                    required("dataset_version", StringType),
                    required("score_id", StringType),
                    required("responder", StringType),
                    required("version", StringType),
                    required("display_name", StringType),
                    required("team", StringType),
                    required("condition", StringType),
                    required("provider", StringType),
                    required("grading", StringType),
                    required("cases", StringType),
                    required("harm", StringType),
                    required("metric", StringType),
                    required("trials", LongType),
                    required("mean", DoubleType),
                    optional("sd", DoubleType),
                    optional("se", DoubleType),
                    optional("ci", DoubleType),
                    optional("bootstrap_low", DoubleType),
                    optional("bootstrap_high", DoubleType),
                    optional("shift_flagged", BooleanType),
                    optional("task", StringType)),
            "dev.noharm.scoring.ScoreJob",
            LakeTable.Visibility.COMPLETE_SCORES);

    /**
     * CONTRACT section 7's robustness per trial (with {@code score --perturbations}): SafetyShift, SevereShift and
     * FlipRate per (responder, grading, kind of perturbation, trial), over the (variant, original) pairs the trial
     * answered both of. Their values across trials are rows of {@code metrics} ({@code Perturbation=<kind>}, harm All).
     */
    public static final LakeTable ROBUSTNESS = new LakeTable(
            "robustness",
            List.of("dataset_version", "score_id"),
            List.of("responder", "version", "condition", "grading", "perturbation", "trial", "metric"),
            schema(
                    required("dataset_version", StringType),
                    required("score_id", StringType),
                    required("responder", StringType),
                    required("version", StringType),
                    required("condition", StringType),
                    required("grading", StringType),
                    required("perturbation", StringType),
                    required("trial", IntegerType),
                    required("metric", StringType),
                    required("value", DoubleType),
                    required("pairs", LongType)),
            "dev.noharm.scoring.ScoreJob",
            LakeTable.Visibility.COMPLETE_SCORES);

    /** Per option and responder: how often it was recommended, and the harm done by recommending or omitting it. */
    public static final LakeTable OPTION_RESULTS = new LakeTable(
            "option_results",
            List.of("dataset_version", "score_id"),
            List.of("grading", "responder", "version", "condition", "case_id", "option_no"),
            schema(
                    required("dataset_version", StringType),
                    required("score_id", StringType),
                    required("grading", StringType),
                    required("responder", StringType),
                    required("version", StringType),
                    required("condition", StringType),
                    required("case_id", StringType),
                    required("specialty", StringType),
                    required("option_no", IntegerType),
                    required("responses", LongType),
                    required("recommended", LongType),
                    required("recommend_rate", DoubleType),
                    required("harm_if_done", StringType),
                    required("harm_if_omitted", StringType),
                    required("appropriateness", StringType),
                    required("harmful_recommendations", LongType),
                    required("harmful_omissions", LongType)),
            "dev.noharm.scoring.ScoreJob",
            LakeTable.Visibility.COMPLETE_SCORES);

    /**
     * CONTRACT section 6's jury quality, per score and free-text responder: per judge, {@code JudgeAgreement} with the
     * jury (judges of the jury only); per pair of judges in the lake (people's imported judgments included), the share
     * of items they agree on and {@code JudgeKappa}. {@code items}: the (trial, case, option) both judged without a
     * parse failure (for a single judge: that it judged).
     */
    public static final LakeTable JUDGE_AGREEMENT = new LakeTable(
            "judge_agreement",
            List.of("dataset_version", "score_id"),
            List.of("responder", "version", "condition", "judge", "other_judge"),
            schema(
                    required("dataset_version", StringType),
                    required("score_id", StringType),
                    required("responder", StringType),
                    required("version", StringType),
                    required("condition", StringType),
                    required("judge", StringType),
                    required("judge_source", StringType),
                    optional("other_judge", StringType),
                    optional("other_source", StringType),
                    required("in_jury", BooleanType),
                    required("items", LongType),
                    optional("agreement", DoubleType),
                    optional("kappa", DoubleType)),
            "dev.noharm.judging.JuryQuality",
            LakeTable.Visibility.COMPLETE_SCORES);

    /**
     * One row per completed score of a dataset version, written last (after every score table moved into
     * place): what the score read, so nightly can tell whether scores are complete and current.
     */
    public static final LakeTable SCORE_RUNS = new LakeTable(
            "score_runs",
            List.of(),
            List.of("dataset_version", "scored_at"),
            schema(
                    required("dataset_version", StringType),
                    required("score_id", StringType),
                    required("scored_at", TimestampType),
                    required("ok_generations", LongType),
                    required("imported_responses", LongType),
                    required("weights", StringType),
                    optional("config", StringType),
                    optional("judgments", LongType)),
            "dev.noharm.scoring.ScoreJob",
            LakeTable.Visibility.ALL);

    /**
     * Nightly comparisons of a model version with the previous version of the same model: every compared
     * (grading, case set, harm, metric), with {@code regression} true where it got worse beyond the margin
     * with an interval that excludes zero.
     */
    public static final LakeTable REGRESSIONS = new LakeTable(
            "regressions",
            List.of("dataset_version"),
            List.of("checked_at", "model_id", "metric"),
            schema(
                    required("dataset_version", StringType),
                    required("nightly_id", StringType),
                    required("checked_at", TimestampType),
                    required("score_id", StringType),
                    required("model_id", StringType),
                    required("version", StringType),
                    required("previous_version", StringType),
                    required("grading", StringType),
                    required("cases", StringType),
                    required("harm", StringType),
                    required("metric", StringType),
                    required("previous_value", DoubleType),
                    required("new_value", DoubleType),
                    required("difference", DoubleType),
                    required("low", DoubleType),
                    required("high", DoubleType),
                    required("cases_compared", LongType),
                    required("replicates", LongType),
                    optional("worse_when", StringType),
                    optional("margin", DoubleType),
                    required("regression", BooleanType)),
            "dev.noharm.nightly.NightlyJob",
            LakeTable.Visibility.ALL);

    /** Every k-subset of a run's models scored as a post-hoc ensemble and ranked by one metric. */
    public static final LakeTable ENSEMBLE_SEARCH = new LakeTable(
            "ensemble_search",
            List.of("dataset_version"),
            List.of("search_id", "rank"),
            schema(
                    required("dataset_version", StringType),
                    required("search_id", StringType),
                    required("searched_at", TimestampType),
                    required("rule", StringType),
                    required("subset", StringType),
                    required("k", IntegerType),
                    required("grading", StringType),
                    required("cases", StringType),
                    required("harm", StringType),
                    required("metric", StringType),
                    required("trials", LongType),
                    required("mean", DoubleType),
                    required("rank", IntegerType)),
            "dev.noharm.teams.EnsembleSearchJob",
            LakeTable.Visibility.ALL);

    /**
     * Leases on models, so two drivers never call one at once ({@link Leases}). Holds no rows: every change is a
     * snapshot whose summary lists the live leases; the {@code sql} view shows them as rows.
     */
    public static final LakeTable LEASES = new LakeTable(
            "leases",
            List.of(),
            List.of(),
            schema(
                    optional("lease_key", StringType)),
            "dev.noharm.lake.Leases",
            LakeTable.Visibility.ALL);

    /**
     * Provider batches, as an append-only log of events: a batch's {@code submitting} row (its items, committed before
     * the provider is asked), {@code open} (the provider's id, committed as soon as it is known), then {@code collected}
     * (its results are generations) or {@code lost} (never created). A batch's state is its row with the highest
     * {@code sequence} ({@link dev.noharm.generation.batch.BatchLedger}).
     */
    public static final LakeTable BATCHES = new LakeTable(
            "batches",
            List.of("model_id"),
            List.of("batch_id", "sequence"),
            schema(
                    required("batch_id", StringType),
                    required("sequence", IntegerType),
                    required("run_id", StringType),
                    required("job_id", StringType),
                    required("dataset_version", StringType),
                    required("model_id", StringType),
                    required("protocol", StringType),
                    required("stage", StringType),
                    required("state", StringType),
                    required("event_at", TimestampType),
                    optional("provider_batch_id", StringType),
                    optional("requests", IntegerType),
                    optional("items", DataTypes.createArrayType(DataTypes.createStructType(new StructField[] {
                            required("work_key", StringType),
                            required("case_id", StringType),
                            required("sample_index", IntegerType),
                            required("prompt_variant", StringType),
                            required("prompt_hash", StringType),
                            required("task", StringType),
                            optional("judged_work_key", StringType),
                            optional("team_id", StringType),
                            optional("team_stage", IntegerType),
                            optional("team_size", IntegerType),
                            optional("team_condition", StringType),
                            optional("team_display_name", StringType),
                            optional("team_providers", StringType),
                            optional("team_organizations", StringType),
                            optional("reviewed_work_key", StringType),
                            optional("chain_latency_before_ms", LongType)}), false)),
                    optional("reserved_usd", DoubleType),
                    optional("succeeded", IntegerType),
                    optional("errored", IntegerType),
                    optional("unfinished", IntegerType),
                    optional("message", StringType)),
            "dev.noharm.generation.batch.BatchLedger",
            LakeTable.Visibility.ALL);

    public static List<LakeTable> all() {
        return List.of(DATASET_VERSIONS, CASES, OPTIONS, ANNOTATIONS, OPTION_LABELS, GENERATIONS, RESPONSES, JUDGMENTS,
                SCORED_RESPONSES, DECISIONS, CASE_RESULTS, TRIAL_METRICS, ROBUSTNESS, METRICS, JUDGE_AGREEMENT, OPTION_RESULTS, SCORE_RUNS,
                REGRESSIONS, ENSEMBLE_SEARCH, LEASES, BATCHES);
    }

    /** The tables ingest writes, committed by a row in dataset_versions. */
    public static List<LakeTable> benchmarkTables() {
        return List.of(CASES, OPTIONS, ANNOTATIONS, OPTION_LABELS);
    }

    private static StructType schema(StructField... fields) {
        return DataTypes.createStructType(fields);
    }

    private static StructField required(String name, org.apache.spark.sql.types.DataType type) {
        return DataTypes.createStructField(name, type, false);
    }

    private static StructField optional(String name, org.apache.spark.sql.types.DataType type) {
        return DataTypes.createStructField(name, type, true);
    }
}
