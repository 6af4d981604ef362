package dev.noharm.generation;

import static org.apache.spark.sql.functions.col;

import dev.noharm.benchmark.BenchmarkOption;
import dev.noharm.generation.call.CoordinatorServer;
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
import org.apache.iceberg.ExpireSnapshots;
import org.apache.iceberg.SerializableTable;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.spark.actions.SparkActions;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
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

    /**
     * Of one model on one dataset version, the work keys a batch's collection must not store again, each with whether
     * it has an {@code ok} generation: those with an {@code ok} generation (by any call), and those with a batch call's
     * generation started at or after {@code since} (a batch's generations start at its submission, so these are an
     * earlier collection of the same batch).
     */
    public Map<String, Boolean> keysStoredFromBatches(String datasetVersion, String modelId, java.time.Instant since) {
        Column ok = col("status").equalTo(Generation.OK);
        Map<String, Boolean> stored = new HashMap<>();
        lake.read(Tables.GENERATIONS)
                .where(col("dataset_version").equalTo(datasetVersion).and(col("model_id").equalTo(modelId))
                        .and(ok.or(col("call_mode").equalTo(CallMode.BATCH.wireName())
                                .and(col("started_at").geq(functions.lit(java.sql.Timestamp.from(since.minusMillis(1))))))))
                .groupBy("work_key").agg(functions.max(ok)).collectAsList()
                .forEach(r -> stored.put(r.getString(0), r.getBoolean(1)));
        return stored;
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

    /** Where the job's executors store their generations: data files committed by the driver through {@code driver}. */
    public GenerationSink sink(CoordinatorServer.Address driver) {
        Table table = SerializableTable.copyOf(lake.table(Tables.GENERATIONS));
        return new IcebergGenerationSink(JavaSparkContext.fromSparkContext(lake.spark().sparkContext()).broadcast(table), driver);
    }

    /**
     * After a job: rewrites the small files its batches left in the dataset version's partitions into one file
     * per partition, then expires the job's own batch snapshots, so the table keeps one snapshot before and one
     * after the job (time travel between runs stays) and the batch files are deleted. Returns the data files
     * rewritten and added.
     */
    public Compaction compactAfterJob(String datasetVersion, Set<String> jobIds) {
        if (jobIds.isEmpty()) {
            return new Compaction(0, 0, 0);
        }
        Table table = lake.table(Tables.GENERATIONS);
        var result = SparkActions.get(lake.spark()).rewriteDataFiles(table)
                .filter(Expressions.equal("dataset_version", datasetVersion))
                .option("min-input-files", "2")
                .execute();
        table.refresh();
        long current = table.currentSnapshot().snapshotId();
        List<Long> batches = new ArrayList<>();
        for (Snapshot snapshot : table.snapshots()) {
            String job = snapshot.summary().get("noharm.job-id");
            if (snapshot.snapshotId() != current && job != null && jobIds.contains(job)) {
                batches.add(snapshot.snapshotId());
            }
        }
        if (!batches.isEmpty() && result.rewrittenDataFilesCount() > 0) {
            ExpireSnapshots expire = table.expireSnapshots();
            batches.forEach(expire::expireSnapshotId);
            expire.commit();
        }
        return new Compaction(result.rewrittenDataFilesCount(), result.addedDataFilesCount(), batches.size());
    }

    /** What {@link #compactAfterJob} did. */
    public record Compaction(int rewrittenFiles, int addedFiles, int expiredSnapshots) {}
}
