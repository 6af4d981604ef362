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
            "benchmark/dataset_versions",
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
            "dev.noharm.benchmark.IngestBenchmark");

    public static final LakeTable CASES = new LakeTable(
            "cases",
            "benchmark/cases",
            List.of("dataset_version"),
            schema(
                    required("dataset_version", StringType),
                    required("case_id", StringType),
                    required("specialty", StringType),
                    required("text", StringType),
                    optional("source", StringType),
                    required("option_count", IntegerType)),
            "dev.noharm.benchmark.IngestBenchmark");

    public static final LakeTable OPTIONS = new LakeTable(
            "options",
            "benchmark/options",
            List.of("dataset_version"),
            schema(
                    required("dataset_version", StringType),
                    required("case_id", StringType),
                    required("option_no", IntegerType),
                    required("category", StringType),
                    required("text", StringType),
                    required("escalation", BooleanType),
                    required("no_intervention", BooleanType)),
            "dev.noharm.benchmark.IngestBenchmark");

    public static final LakeTable ANNOTATIONS = new LakeTable(
            "annotations",
            "benchmark/annotations",
            List.of("dataset_version"),
            schema(
                    required("dataset_version", StringType),
                    required("case_id", StringType),
                    required("option_no", IntegerType),
                    required("annotator_id", StringType),
                    required("appropriateness", StringType),
                    required("harm_if_done", StringType),
                    required("harm_if_omitted", StringType)),
            "dev.noharm.benchmark.IngestBenchmark");

    /** CONTRACT section 2: one row per (grading mode, option), with the per-case set memberships as flags. */
    public static final LakeTable OPTION_LABELS = new LakeTable(
            "option_labels",
            "benchmark/option_labels",
            List.of("dataset_version"),
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
            "dev.noharm.benchmark.IngestBenchmark");

    /**
     * One row per model call outcome (a work item finished, successfully or not). Written in batches by
     * the executors while the job runs; a work key may have an error row from one run and an ok row from
     * a later one, and readers take the ok row (see data-lake-layout.md).
     */
    public static final LakeTable GENERATIONS = new LakeTable(
            "generations",
            "generations",
            List.of("run_id", "model_id"),
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
                    required("case_id", StringType),
                    required("sample_index", IntegerType),
                    required("prompt_variant", StringType),
                    required("prompt_hash", StringType),
                    required("request_params", StringType),
                    optional("response_text", StringType),
                    optional("finish_reason", StringType),
                    optional("input_tokens", LongType),
                    optional("output_tokens", LongType),
                    optional("cost_usd", DoubleType),
                    required("latency_ms", LongType),
                    required("attempts", IntegerType),
                    required("rate_limit_waits", IntegerType),
                    required("status", StringType),
                    optional("error_class", StringType),
                    optional("error_message", StringType),
                    optional("http_status", IntegerType),
                    required("started_at", TimestampType),
                    required("finished_at", TimestampType)),
            "dev.noharm.generation.GenerationTask");

    public static List<LakeTable> all() {
        return List.of(DATASET_VERSIONS, CASES, OPTIONS, ANNOTATIONS, OPTION_LABELS, GENERATIONS);
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
