package dev.noharm.generation;

import static org.apache.spark.sql.functions.col;

import dev.noharm.benchmark.BenchmarkOption;
import dev.noharm.generation.call.GenerationSink;
import dev.noharm.generation.plan.PlanInputs;
import dev.noharm.generation.plan.PriorAnswer;
import dev.noharm.lake.DatasetVersions;
import dev.noharm.lake.Lake;
import dev.noharm.lake.Tables;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * What generation reads from and writes to the lake, in one place: the cases it prompts with, the work
 * already finished, the answers a review builds on, the run's spending so far, and where new generations go.
 */
public final class GenerationsLake {
    private final Lake lake;

    public GenerationsLake(Lake lake) {
        this.lake = lake;
    }

    public Lake lake() {
        return lake;
    }

    /** {@code latest} or a version that must exist; {@code where} and {@code field} name the request in errors. */
    public String datasetVersion(String requested, String where, String field) {
        return DatasetVersions.resolve(lake, requested, where, field);
    }

    /** The cases and options of a dataset version, in case order. */
    public PlanInputs planInputs(String datasetVersion) {
        Map<String, String> caseText = new LinkedHashMap<>();
        Map<String, List<BenchmarkOption>> optionsByCase = new LinkedHashMap<>();
        for (Row r : lake.read(Tables.CASES).where(col("dataset_version").equalTo(datasetVersion)).orderBy("case_id").collectAsList()) {
            caseText.put(r.getAs("case_id"), r.getAs("text"));
            optionsByCase.put(r.getAs("case_id"), new ArrayList<>());
        }
        for (Row r : lake.read(Tables.OPTIONS).where(col("dataset_version").equalTo(datasetVersion)).orderBy("case_id", "option_no")
                .collectAsList()) {
            optionsByCase.get(r.<String>getAs("case_id")).add(new BenchmarkOption(r.getAs("case_id"), r.<Integer>getAs("option_no"),
                    r.getAs("category"), r.getAs("text"), r.<Boolean>getAs("escalation"), r.<Boolean>getAs("no_intervention")));
        }
        return new PlanInputs(datasetVersion, caseText, optionsByCase);
    }

    /** Work keys with an ok generation of one of {@code modelIds} on the dataset version: work that is paid for and done. */
    public Set<String> finishedKeys(String datasetVersion, Collection<String> modelIds) {
        return new HashSet<>(lake.read(Tables.GENERATIONS)
                .where(col("status").equalTo(Generation.OK).and(col("dataset_version").equalTo(datasetVersion))
                        .and(col("model_id").isin(modelIds.toArray())))
                .select("work_key").distinct().collectAsList().stream().map(r -> r.getString(0)).toList());
    }

    /** The earliest ok answer of each of {@code keys} that has one, with the chain's latency up to it. */
    public Map<String, PriorAnswer> answers(String datasetVersion, Set<String> keys) {
        Map<String, PriorAnswer> answers = new HashMap<>();
        if (keys.isEmpty()) {
            return answers;
        }
        var wanted = lake.spark().createDataset(new ArrayList<>(keys), Encoders.STRING()).toDF("work_key");
        for (Row r : lake.read(Tables.GENERATIONS)
                .where(col("status").equalTo(Generation.OK).and(col("dataset_version").equalTo(datasetVersion)))
                .join(functions.broadcast(wanted), "work_key")
                .select(col("work_key"), col("response_text"), functions.coalesce(col("chain_latency_ms"), col("latency_ms")).as("chain"),
                        col("finished_at"))
                .orderBy("finished_at").collectAsList()) {
            answers.putIfAbsent(r.getString(0), new PriorAnswer(r.getString(0), r.getString(1), r.getLong(2)));
        }
        return answers;
    }

    /** What every job of the run has spent so far (a budget is the run's, across its jobs). */
    public double spentUsd(String runId) {
        return lake.read(Tables.GENERATIONS).where(col("run_id").equalTo(runId))
                .agg(functions.coalesce(functions.sum("cost_usd"), functions.lit(0.0))).first().getDouble(0);
    }

    /** Where the run's executors store their generations. */
    public GenerationSink sink(String runId) {
        return new ParquetGenerationSink(lake.tablePath(Tables.GENERATIONS).toString(), runId,
                org.apache.spark.api.java.JavaSparkContext.fromSparkContext(lake.spark().sparkContext())
                        .broadcast(new org.apache.spark.util.SerializableConfiguration(lake.spark().sparkContext().hadoopConfiguration())));
    }
}
